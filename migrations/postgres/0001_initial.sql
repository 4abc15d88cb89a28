-- Accounts, their ActivTrak credential, and cached team aggregates.
-- Times are Unix seconds so that SQLite and PostgreSQL store them alike.

CREATE TABLE accounts (
    account_id BIGINT PRIMARY KEY,
    created_at BIGINT NOT NULL,
    -- Raised on every connect, replace and disconnect; cache keys include it
    -- so that data fetched with an old key is never served again.
    credential_generation BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE activtrak_credentials (
    account_id BIGINT PRIMARY KEY REFERENCES accounts (account_id) ON DELETE CASCADE,
    region TEXT NOT NULL,
    auth_header TEXT NOT NULL,
    key_id TEXT NOT NULL,
    sealed_key BYTEA NOT NULL,
    generation BIGINT NOT NULL,
    connected_by BIGINT,
    connected_at BIGINT NOT NULL
);

CREATE TABLE aggregate_cache (
    account_id BIGINT NOT NULL REFERENCES accounts (account_id) ON DELETE CASCADE,
    cache_key TEXT NOT NULL,
    generation BIGINT NOT NULL,
    payload TEXT NOT NULL,
    fetched_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, cache_key)
);
