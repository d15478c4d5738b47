-- A charger's local list version is an unbounded integer in OCPP 1.6 (GetLocalListVersion.conf):
-- declare the column BIGINT, so the schema says what SQLite stores (64-bit integers).
CREATE TABLE local_list_versions_wide (
    charge_point_id  TEXT PRIMARY KEY NOT NULL REFERENCES charge_points(id) ON DELETE CASCADE,
    list_version     BIGINT NOT NULL,                -- 0 no list, -1 not supported
    updated_at       TIMESTAMP NOT NULL
);
INSERT INTO local_list_versions_wide (charge_point_id, list_version, updated_at)
    SELECT charge_point_id, list_version, updated_at FROM local_list_versions;
DROP TABLE local_list_versions;
ALTER TABLE local_list_versions_wide RENAME TO local_list_versions;
