-- What the answers to our commands teach: configuration snapshots, local list versions,
-- reservations, charging profiles (a library, and what is installed where), firmware and
-- diagnostics requests. Times are UTC, as in the core schema.

-- The last GetConfiguration answer per charger (ChangeConfiguration keeps it current).
CREATE TABLE charger_configuration (
    charge_point_id  TEXT NOT NULL REFERENCES charge_points(id) ON DELETE CASCADE,
    key              TEXT NOT NULL COLLATE NOCASE,
    value            TEXT,                           -- NULL: the key is known but has no value
    readonly         BOOLEAN NOT NULL,
    updated_at       TIMESTAMP NOT NULL,
    PRIMARY KEY (charge_point_id, key)
);

-- From GetLocalListVersion answers and accepted SendLocalList updates.
CREATE TABLE local_list_versions (
    charge_point_id  TEXT PRIMARY KEY NOT NULL REFERENCES charge_points(id) ON DELETE CASCADE,
    list_version     INTEGER NOT NULL,               -- 0 no list, -1 not supported
    updated_at       TIMESTAMP NOT NULL
);

-- ReserveNow: the id is the reservationId sent to the charger (allocated here unless given).
CREATE TABLE reservations (
    id               INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    charge_point_id  TEXT NOT NULL REFERENCES charge_points(id) ON DELETE CASCADE,
    connector_id     INTEGER NOT NULL,
    id_tag           TEXT NOT NULL COLLATE NOCASE,
    parent_id_tag    TEXT COLLATE NOCASE,
    expiry_date      TIMESTAMP NOT NULL,
    -- Requested (sent), the ReserveNow answer (Accepted, Faulted, Occupied, Rejected,
    -- Unavailable), Unconfirmed (CALLERROR or no answer), Cancelled, Used.
    status           TEXT NOT NULL,
    transaction_id   INTEGER,                        -- the transaction that used it
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);
CREATE INDEX reservations_by_charger ON reservations (charge_point_id, id);
CREATE INDEX reservations_by_status ON reservations (status, expiry_date);

-- Reusable charging profiles (OCPP ChargingProfile JSON).
CREATE TABLE charging_profiles (
    id          INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    name        TEXT NOT NULL UNIQUE COLLATE NOCASE,
    profile     TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL
);

-- Profiles a charger accepted (SetChargingProfile) and has not cleared (ClearChargingProfile).
CREATE TABLE installed_charging_profiles (
    charge_point_id      TEXT NOT NULL REFERENCES charge_points(id) ON DELETE CASCADE,
    connector_id         INTEGER NOT NULL,
    charging_profile_id  INTEGER NOT NULL,           -- the OCPP chargingProfileId
    purpose              TEXT NOT NULL,
    stack_level          INTEGER NOT NULL,
    transaction_id       INTEGER,                    -- TxProfile only
    profile              TEXT NOT NULL,              -- the ChargingProfile JSON as sent
    installed_at         TIMESTAMP NOT NULL,
    PRIMARY KEY (charge_point_id, charging_profile_id)
);

-- UpdateFirmware and SignedUpdateFirmware; progress arrives in charger_events.
CREATE TABLE firmware_requests (
    id               INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    charge_point_id  TEXT NOT NULL REFERENCES charge_points(id) ON DELETE CASCADE,
    kind             TEXT NOT NULL,                  -- the action name
    location         TEXT NOT NULL,
    retrieve_date    TIMESTAMP NOT NULL,
    request_id       INTEGER,                        -- SignedUpdateFirmware's requestId
    status           TEXT,                           -- the answer's status; NULL: empty answer
    created_at       TIMESTAMP NOT NULL
);
CREATE INDEX firmware_requests_by_charger ON firmware_requests (charge_point_id, id);

-- GetDiagnostics and GetLog; progress arrives in charger_events.
CREATE TABLE diagnostics_requests (
    id               INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    charge_point_id  TEXT NOT NULL REFERENCES charge_points(id) ON DELETE CASCADE,
    kind             TEXT NOT NULL,                  -- the action name
    log_type         TEXT,                           -- GetLog's logType
    location         TEXT NOT NULL,
    start_time       TIMESTAMP,
    stop_time        TIMESTAMP,
    request_id       INTEGER,                        -- GetLog's requestId
    status           TEXT,                           -- GetLog's answer status; NULL for GetDiagnostics
    file_name        TEXT,                           -- the file the charger will upload
    created_at       TIMESTAMP NOT NULL
);
CREATE INDEX diagnostics_requests_by_charger ON diagnostics_requests (charge_point_id, id);
