DROP TABLE diagnostics_requests;
DROP TABLE firmware_requests;
DROP TABLE installed_charging_profiles;
DROP TABLE charging_profiles;
DROP TABLE reservations;
DROP TABLE local_list_versions;
DROP TABLE charger_configuration;
