-- Core OCPP 1.6 store. Times are UTC, stored as 'YYYY-MM-DD HH:MM:SS.SSS' text.

CREATE TABLE charge_points (
    id                   TEXT PRIMARY KEY NOT NULL,  -- chargePointId from the URL
    registration_status  TEXT,                       -- set by an operator; NULL = config default
    boot_status          TEXT,                       -- what the last BootNotification was answered
    vendor               TEXT,
    model                TEXT,
    charge_point_serial  TEXT,
    charge_box_serial    TEXT,
    firmware_version     TEXT,
    iccid                TEXT,
    imsi                 TEXT,
    meter_type           TEXT,
    meter_serial         TEXT,
    password_hash        TEXT,                       -- security profile 1 Basic auth
    connected            BOOLEAN NOT NULL DEFAULT 0,
    last_seen            TIMESTAMP,
    last_boot_at         TIMESTAMP,
    firmware_status      TEXT,
    diagnostics_status   TEXT,
    created_at           TIMESTAMP NOT NULL
);

CREATE TABLE connectors (
    charge_point_id    TEXT NOT NULL REFERENCES charge_points(id) ON DELETE CASCADE,
    connector_id       INTEGER NOT NULL,             -- 0 is the charge point itself
    status             TEXT NOT NULL,
    error_code         TEXT NOT NULL,
    info               TEXT,
    vendor_id          TEXT,
    vendor_error_code  TEXT,
    status_at          TIMESTAMP NOT NULL,           -- the charger's timestamp, or receipt time
    updated_at         TIMESTAMP NOT NULL,
    PRIMARY KEY (charge_point_id, connector_id)
);

CREATE TABLE status_history (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    charge_point_id    TEXT NOT NULL,
    connector_id       INTEGER NOT NULL,
    status             TEXT NOT NULL,
    error_code         TEXT NOT NULL,
    info               TEXT,
    vendor_id          TEXT,
    vendor_error_code  TEXT,
    status_at          TIMESTAMP NOT NULL,
    received_at        TIMESTAMP NOT NULL
);
CREATE INDEX status_history_by_charger ON status_history (charge_point_id, received_at);

CREATE TABLE id_tags (
    id_tag         TEXT PRIMARY KEY NOT NULL COLLATE NOCASE,
    status         TEXT NOT NULL,                    -- Accepted / Blocked / Expired / Invalid
    expiry_date    TIMESTAMP,
    parent_id_tag  TEXT COLLATE NOCASE,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL
);

CREATE TABLE transactions (
    id                INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    charge_point_id   TEXT NOT NULL,
    connector_id      INTEGER NOT NULL,
    id_tag            TEXT NOT NULL COLLATE NOCASE,
    id_tag_status     TEXT NOT NULL,                 -- the verdict given in the StartTransaction answer
    start_time        TIMESTAMP NOT NULL,
    meter_start       BIGINT NOT NULL,
    reservation_id    INTEGER,
    stop_time         TIMESTAMP,
    meter_stop        BIGINT,
    stop_reason       TEXT,
    stop_id_tag       TEXT,
    started_at        TIMESTAMP NOT NULL,            -- receipt of StartTransaction
    stopped_at        TIMESTAMP                      -- receipt of StopTransaction
);
-- A re-sent StartTransaction finds its first transaction through this key.
CREATE UNIQUE INDEX transactions_start_key
    ON transactions (charge_point_id, connector_id, id_tag, start_time, meter_start);
CREATE INDEX transactions_open ON transactions (charge_point_id, connector_id) WHERE stop_time IS NULL;
CREATE INDEX transactions_open_by_tag ON transactions (id_tag) WHERE stop_time IS NULL;
CREATE INDEX transactions_by_start ON transactions (start_time);

CREATE TABLE meter_values (
    id               INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    charge_point_id  TEXT NOT NULL,
    connector_id     INTEGER NOT NULL,
    transaction_id   INTEGER,                        -- as sent; may name no known transaction
    sampled_at       TIMESTAMP NOT NULL,
    value            TEXT NOT NULL,
    context          TEXT,
    format           TEXT,
    measurand        TEXT,
    phase            TEXT,
    location         TEXT,
    unit             TEXT,
    received_at      TIMESTAMP NOT NULL
);
CREATE INDEX meter_values_by_transaction ON meter_values (transaction_id, sampled_at);
-- Meter values are read per transaction; a per-charger index would double the scattered index
-- writes of the hottest table.

-- Things a charger sent that did not fit: unknown or repeated StopTransaction, and the like.
CREATE TABLE transaction_anomalies (
    id               INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    charge_point_id  TEXT NOT NULL,
    transaction_id   INTEGER,
    kind             TEXT NOT NULL,
    payload          TEXT NOT NULL,                  -- the full request as JSON
    received_at      TIMESTAMP NOT NULL
);
CREATE INDEX transaction_anomalies_by_charger ON transaction_anomalies (charge_point_id, received_at);

CREATE TABLE data_transfers (
    id               INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    charge_point_id  TEXT NOT NULL,
    vendor_id        TEXT NOT NULL,
    message_id       TEXT,
    data             TEXT,                           -- JSON of what was sent
    status           TEXT NOT NULL,                  -- what we answered
    received_at      TIMESTAMP NOT NULL
);

-- Firmware, diagnostics, log and security notifications from chargers.
CREATE TABLE charger_events (
    id               INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    charge_point_id  TEXT NOT NULL,
    kind             TEXT NOT NULL,                  -- the action name
    status           TEXT NOT NULL,                  -- status or event type
    request_id       INTEGER,
    detail           TEXT,
    event_at         TIMESTAMP NOT NULL,
    received_at      TIMESTAMP NOT NULL
);
CREATE INDEX charger_events_by_charger ON charger_events (charge_point_id, received_at);

CREATE TABLE certificate_requests (
    id                INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    charge_point_id   TEXT NOT NULL,
    csr               TEXT NOT NULL,
    certificate_type  TEXT,
    received_at       TIMESTAMP NOT NULL
);

CREATE TABLE message_log (
    id               INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    charge_point_id  TEXT NOT NULL,
    direction        TEXT NOT NULL,                  -- 'in' (from the charger) or 'out'
    message_type     INTEGER NOT NULL,               -- 2 CALL, 3 CALLRESULT, 4 CALLERROR, 0 unreadable
    message_id       TEXT,
    action           TEXT,
    payload          TEXT NOT NULL,                  -- the frame as sent on the wire
    logged_at        TIMESTAMP NOT NULL
);
CREATE INDEX message_log_by_charger ON message_log (charge_point_id, logged_at);
CREATE INDEX message_log_by_time ON message_log (logged_at);
