-- Secrets stay redacted; there is nothing to restore.
SELECT 1;
