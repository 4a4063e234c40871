-- What leaves Veza in bulk, per user: e-mails sent through its server and exports of lists, searches
-- and reports. Counted over the last hour against per-installation limits, and kept as the record of
-- who took what (services::limits).
CREATE TABLE usage_log (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL CHECK (kind IN ('email', 'export')),
    at TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX usage_log_user_kind_at ON usage_log(user_id, kind, at);
