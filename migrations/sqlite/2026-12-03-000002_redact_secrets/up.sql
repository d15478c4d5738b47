-- AuthorizationKey values are no longer stored (see src/ocpp/v16/secrets.rs); remove those
-- stored before. Whole log and audit texts that name the key are replaced (LIKE ignores case).
UPDATE charger_configuration SET value = '<redacted>'
    WHERE lower(key) = 'authorizationkey' AND value IS NOT NULL;
UPDATE message_log SET payload = '<redacted>' WHERE payload LIKE '%authorizationkey%';
UPDATE audit_log SET request = '<redacted>' WHERE request LIKE '%authorizationkey%';
UPDATE audit_log SET result = '<redacted>' WHERE result LIKE '%authorizationkey%';
