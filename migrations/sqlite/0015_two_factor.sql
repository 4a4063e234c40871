-- Two-factor sign-in (RFC 6238): a user's authenticator secret (kept as is: the server computes the
-- codes from it) with the step of the last code used, so a code works once; recovery codes stored
-- hashed, each used once; the short-lived challenge between a right password and its code; and the
-- per-user count of proofs of identity (current password, a code) asked on the account page. Which
-- roles must use two-factor is a setting (`two_factor_roles`).
-- SQLite cannot change a CHECK in place: sign_in_log is rebuilt by SQLite's own procedure (foreign keys
-- are off while this migration runs, and checked before it commits).
CREATE TABLE totp_secrets (
    user_id INTEGER PRIMARY KEY REFERENCES users(id),
    secret TEXT NOT NULL,
    created_at TEXT NOT NULL,
    enabled_at TEXT,
    last_step INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE recovery_codes (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    code_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    used_at TEXT
);
CREATE INDEX recovery_codes_user ON recovery_codes(user_id, code_hash);

CREATE TABLE sign_in_challenges (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    ip TEXT NOT NULL,
    user_agent TEXT
);
CREATE INDEX sign_in_challenges_user ON sign_in_challenges(user_id);
CREATE INDEX sign_in_challenges_expires ON sign_in_challenges(expires_at);

CREATE TABLE account_checks (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    at TEXT NOT NULL,
    success INTEGER NOT NULL
);
CREATE INDEX account_checks_user_at ON account_checks(user_id, at);

CREATE TABLE sign_in_log_new (
    id INTEGER PRIMARY KEY,
    user_id INTEGER REFERENCES users(id),
    email TEXT NOT NULL,
    at TEXT NOT NULL,
    ip TEXT NOT NULL,
    user_agent TEXT,
    outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'wrong_password', 'throttled', 'code_needed', 'wrong_code', 'recovery_code'))
);
INSERT INTO sign_in_log_new SELECT id, user_id, email, at, ip, user_agent, outcome FROM sign_in_log;
DROP TABLE sign_in_log;
ALTER TABLE sign_in_log_new RENAME TO sign_in_log;
CREATE INDEX sign_in_log_user_at ON sign_in_log(user_id, at);
CREATE INDEX sign_in_log_at ON sign_in_log(at);
