ALTER TABLE connectors DROP COLUMN available_since;
ALTER TABLE charge_points DROP COLUMN last_replaced_at;
ALTER TABLE charge_points DROP COLUMN connection_replacements;
ALTER TABLE charge_points DROP COLUMN heartbeat_interval_secs;
ALTER TABLE id_tags DROP COLUMN max_active_transactions;
ALTER TABLE transactions DROP COLUMN start_answer_lost;
ALTER TABLE transactions DROP COLUMN end_note;
ALTER TABLE transactions DROP COLUMN ended_by;
