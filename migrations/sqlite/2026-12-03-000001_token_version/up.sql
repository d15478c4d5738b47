-- Login tokens name the user's id and this version; changing the password, logging out or
-- deleting the user makes every token issued before it invalid.
ALTER TABLE users ADD COLUMN token_version INTEGER NOT NULL DEFAULT 0;
