-- How a transaction ended, per-tag session limits, and per-charger settings the server hands out.

-- NULL while open; 'Charger' (a StopTransaction), 'Inferred' (the server closed a transaction the
-- charger will never end, from evidence such as a reboot or a new start on the connector), or
-- 'Operator' (closed from the API). A StopTransaction that arrives later replaces an inferred or
-- operator end with the charger's own data.
ALTER TABLE transactions ADD COLUMN ended_by TEXT;
-- What the server saw when it inferred the end, or the operator's reason.
ALTER TABLE transactions ADD COLUMN end_note TEXT;
-- The StartTransaction answer never reached the charger (its socket closed first).
ALTER TABLE transactions ADD COLUMN start_answer_lost BOOLEAN NOT NULL DEFAULT 0;
UPDATE transactions SET ended_by = 'Charger' WHERE stop_time IS NOT NULL;

-- Open transactions one tag (or its group) may hold at once: NULL = the parent's setting or the
-- server default (ocpp.max_transactions_per_tag), 0 = unlimited (fleet cards).
ALTER TABLE id_tags ADD COLUMN max_active_transactions INTEGER;

-- Heartbeat interval handed to this charger in BootNotification answers; NULL = the default.
-- Set by an accepted ChangeConfiguration(HeartbeatInterval) or by an admin.
ALTER TABLE charge_points ADD COLUMN heartbeat_interval_secs INTEGER;
-- Times a new connection with this id replaced one that was still open.
ALTER TABLE charge_points ADD COLUMN connection_replacements INTEGER NOT NULL DEFAULT 0;
ALTER TABLE charge_points ADD COLUMN last_replaced_at TIMESTAMP;

-- When the connector last became Available (our clock), kept while it goes on to Preparing,
-- cleared by any other status: a transaction still open on it after a grace is a ghost.
ALTER TABLE connectors ADD COLUMN available_since TIMESTAMP;
