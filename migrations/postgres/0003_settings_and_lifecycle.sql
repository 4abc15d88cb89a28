-- Account records from monday's lifecycle webhooks, account settings,
-- settings-page sign-in (handoff links, OAuth states, sessions) and the
-- audit log. Tokens are stored as SHA-256 hashes, never as issued.

ALTER TABLE accounts ADD COLUMN name TEXT;
ALTER TABLE accounts ADD COLUMN slug TEXT;
ALTER TABLE accounts ADD COLUMN tier TEXT;
ALTER TABLE accounts ADD COLUMN max_users BIGINT;
ALTER TABLE accounts ADD COLUMN installed_by BIGINT;
ALTER TABLE accounts ADD COLUMN installed_at BIGINT;
ALTER TABLE accounts ADD COLUMN uninstalled_at BIGINT;
ALTER TABLE accounts ADD COLUMN plan_json TEXT;
ALTER TABLE accounts ADD COLUMN plan_event TEXT;
ALTER TABLE accounts ADD COLUMN plan_updated_at BIGINT;

CREATE TABLE account_settings (
    account_id BIGINT PRIMARY KEY REFERENCES accounts (account_id) ON DELETE CASCADE,
    productive_hours_goal DOUBLE PRECISION NOT NULL,
    minimum_group_size BIGINT NOT NULL,
    active_day_threshold_seconds BIGINT NOT NULL,
    time_zone TEXT NOT NULL,
    guests_may_view BIGINT NOT NULL,
    view_only_may_view BIGINT NOT NULL,
    default_period_days BIGINT NOT NULL,
    refresh_interval_seconds BIGINT NOT NULL,
    updated_by BIGINT,
    updated_at BIGINT NOT NULL
);

CREATE TABLE handoff_links (
    token_hash TEXT PRIMARY KEY,
    account_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    is_admin BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE TABLE oauth_states (
    state_hash TEXT PRIMARY KEY,
    browser_hash TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE TABLE settings_sessions (
    session_hash TEXT PRIMARY KEY,
    account_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    is_admin BIGINT NOT NULL,
    user_name TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE TABLE audit_log (
    id BIGSERIAL PRIMARY KEY,
    account_id BIGINT NOT NULL,
    at BIGINT NOT NULL,
    actor_user_id BIGINT,
    action TEXT NOT NULL,
    details TEXT NOT NULL
);
CREATE INDEX audit_log_account ON audit_log (account_id, at);
