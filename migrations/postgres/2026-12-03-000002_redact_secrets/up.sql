-- AuthorizationKey values are no longer stored (see src/ocpp/v16/secrets.rs); remove those
-- stored before. Whole log and audit texts that name the key are replaced.
UPDATE charger_configuration SET value = '<redacted>'
    WHERE lower(key COLLATE "default") = 'authorizationkey' AND value IS NOT NULL;
UPDATE message_log SET payload = '<redacted>' WHERE payload ILIKE '%authorizationkey%';
UPDATE audit_log SET request = '<redacted>' WHERE request ILIKE '%authorizationkey%';
UPDATE audit_log SET result = '<redacted>' WHERE result ILIKE '%authorizationkey%';
