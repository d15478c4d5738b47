-- People, machine keys and the audit trail of the REST API.

CREATE TABLE users (
    id             INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    username       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash  TEXT NOT NULL,                    -- argon2id PHC string
    role           TEXT NOT NULL,                    -- admin / operator / viewer
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL
);

CREATE TABLE api_keys (
    id            INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    name          TEXT NOT NULL,
    prefix        TEXT NOT NULL UNIQUE,              -- public part of the key, for lookup and display
    key_hash      TEXT NOT NULL,                     -- SHA-256 of the secret part, hex
    role          TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    revoked_at    TIMESTAMP
);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    actor       TEXT NOT NULL,                       -- "user:alice" or "key:billing-bot"
    action      TEXT NOT NULL,                       -- e.g. "RemoteStartTransaction", "charger.create"
    target      TEXT,                                -- e.g. the charge point id
    request     TEXT,                                -- JSON
    result      TEXT NOT NULL,                       -- e.g. "200", "504 timeout"
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX audit_log_by_time ON audit_log (created_at);
CREATE INDEX audit_log_by_target ON audit_log (target, created_at);
