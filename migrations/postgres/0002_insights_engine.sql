-- Shared fetch leases (one upstream fetch per cache key across instances),
-- the credential's upstream state, and ActivTrak groups learned from rows.

CREATE TABLE fetch_leases (
    account_id BIGINT NOT NULL,
    cache_key TEXT NOT NULL,
    holder TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, cache_key)
);

-- No request for the account before this Unix time (set from Retry-After).
ALTER TABLE activtrak_credentials ADD COLUMN blocked_until BIGINT NOT NULL DEFAULT 0;
-- `unauthorized` or `forbidden` after ActivTrak rejected the key; an admin
-- must reconnect. NULL when the key works.
ALTER TABLE activtrak_credentials ADD COLUMN problem TEXT;

CREATE TABLE activtrak_groups (
    account_id BIGINT NOT NULL REFERENCES accounts (account_id) ON DELETE CASCADE,
    group_id BIGINT NOT NULL,
    name TEXT,
    added_by_hand BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, group_id)
);
