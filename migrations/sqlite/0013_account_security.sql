-- Account security: users change their own passwords, and an administrator's reset makes the user choose
-- a new one at the next sign-in; each session remembers where and in which browser it was opened and when
-- it was last used (idle sessions end); every sign-in attempt is logged for at least 90 days (the
-- login_attempts table is the throttle's, kept a day).
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN password_changed_at TEXT;

ALTER TABLE sessions ADD COLUMN last_seen_at TEXT;
ALTER TABLE sessions ADD COLUMN ip TEXT;
ALTER TABLE sessions ADD COLUMN user_agent TEXT;

CREATE TABLE sign_in_log (
    id INTEGER PRIMARY KEY,
    user_id INTEGER REFERENCES users(id),
    email TEXT NOT NULL,
    at TEXT NOT NULL,
    ip TEXT NOT NULL,
    user_agent TEXT,
    outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'wrong_password', 'throttled'))
);
CREATE INDEX sign_in_log_user_at ON sign_in_log(user_id, at);
CREATE INDEX sign_in_log_at ON sign_in_log(at);
