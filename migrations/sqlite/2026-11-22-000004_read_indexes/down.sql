DROP INDEX id_tags_by_parent;
DROP INDEX transactions_active_by_start;
DROP INDEX transactions_by_tag;
DROP INDEX transactions_by_charger;
