-- Indexes for the read API's lists (see src/api/resources/). Only on tables written per
-- session or per operator action: meter_values and message_log, written per frame, get none
-- here (their core indexes already serve the per-transaction and per-charger reads).

-- A charger's transactions, newest first; also covers the energy sum per charger
-- (SUM(meter_stop - meter_start) WHERE meter_stop IS NOT NULL) without touching the table.
CREATE INDEX transactions_by_charger
    ON transactions (charge_point_id, start_time, meter_stop, meter_start);

-- A tag's transactions, newest first (id_tag is COLLATE NOCASE, so is this index).
CREATE INDEX transactions_by_tag ON transactions (id_tag, start_time);

-- Active sessions in start order; small, as only open transactions are in it.
CREATE INDEX transactions_active_by_start ON transactions (start_time) WHERE stop_time IS NULL;

-- The tags of a group.
CREATE INDEX id_tags_by_parent ON id_tags (parent_id_tag);
