-- Foundation: users, teams, sessions, pipeline stages, accounts, contacts, opportunities, audit.
-- Timestamps are UTC RFC 3339 text ("2026-11-27T17:26:12.123Z"), business dates are ISO text
-- ("2026-11-27"), money is integer minor units: the same representation on SQLite and Postgres.

CREATE TABLE teams (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'manager', 'sales', 'marketing')),
    team_id INTEGER REFERENCES teams(id),
    active INTEGER NOT NULL DEFAULT 1,
    is_demo INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX users_team ON users(team_id);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE login_attempts (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL,
    ip TEXT NOT NULL,
    at TEXT NOT NULL,
    success INTEGER NOT NULL
);
CREATE INDEX login_attempts_email_at ON login_attempts(email, at);
CREATE INDEX login_attempts_ip_at ON login_attempts(ip, at);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE currency_rates (
    currency TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    rate_micros INTEGER NOT NULL,
    PRIMARY KEY (currency, valid_from)
);
INSERT INTO currency_rates (currency, valid_from, rate_micros) VALUES ('EUR', '2026-01-01', 117170000);

CREATE TABLE stages (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    position INTEGER NOT NULL,
    probability INTEGER NOT NULL CHECK (probability BETWEEN 0 AND 100),
    kind TEXT NOT NULL CHECK (kind IN ('open', 'won', 'lost')),
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE accounts (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    search_key TEXT NOT NULL,
    category TEXT CHECK (category IN ('A', 'B', 'C')),
    industry TEXT,
    region TEXT,
    city TEXT,
    address TEXT,
    phone TEXT,
    email TEXT,
    website TEXT,
    pib TEXT,
    mb TEXT,
    notes TEXT,
    owner_id INTEGER NOT NULL REFERENCES users(id),
    team_id INTEGER REFERENCES teams(id),
    is_demo INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    updated_at TEXT NOT NULL,
    updated_by INTEGER REFERENCES users(id),
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX accounts_name ON accounts(search_key, id);
CREATE INDEX accounts_team_name ON accounts(team_id, search_key, id);
CREATE INDEX accounts_owner_name ON accounts(owner_id, search_key, id);
CREATE INDEX accounts_updated ON accounts(updated_at, id);
CREATE INDEX accounts_region ON accounts(region);
CREATE INDEX accounts_pib ON accounts(pib);

CREATE TABLE account_types (
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    type TEXT NOT NULL CHECK (type IN ('customer', 'prospect', 'partner', 'competitor', 'dealer', 'distributor', 'supplier')),
    PRIMARY KEY (account_id, type)
);
CREATE INDEX account_types_type ON account_types(type, account_id);

CREATE TABLE contacts (
    id INTEGER PRIMARY KEY,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    search_key TEXT NOT NULL,
    account_id INTEGER REFERENCES accounts(id),
    job_title TEXT,
    buying_role TEXT CHECK (buying_role IN ('decision_maker', 'influencer', 'user', 'other')),
    email TEXT,
    phone TEXT,
    mobile TEXT,
    owner_id INTEGER NOT NULL REFERENCES users(id),
    team_id INTEGER REFERENCES teams(id),
    is_demo INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    updated_at TEXT NOT NULL,
    updated_by INTEGER REFERENCES users(id),
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX contacts_name ON contacts(search_key, id);
CREATE INDEX contacts_team_name ON contacts(team_id, search_key, id);
CREATE INDEX contacts_owner_name ON contacts(owner_id, search_key, id);
CREATE INDEX contacts_updated ON contacts(updated_at, id);
CREATE INDEX contacts_account ON contacts(account_id);
CREATE INDEX contacts_email ON contacts(email);

CREATE TABLE opportunities (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    search_key TEXT NOT NULL,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    contact_id INTEGER REFERENCES contacts(id),
    owner_id INTEGER NOT NULL REFERENCES users(id),
    team_id INTEGER REFERENCES teams(id),
    stage_id INTEGER NOT NULL REFERENCES stages(id),
    probability INTEGER NOT NULL CHECK (probability BETWEEN 0 AND 100),
    probability_manual INTEGER NOT NULL DEFAULT 0,
    amount_minor INTEGER NOT NULL DEFAULT 0,
    currency TEXT NOT NULL CHECK (currency IN ('RSD', 'EUR')),
    close_date TEXT NOT NULL,
    source TEXT,
    description TEXT,
    stage_changed_at TEXT NOT NULL,
    is_demo INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    updated_at TEXT NOT NULL,
    updated_by INTEGER REFERENCES users(id),
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX opportunities_board ON opportunities(stage_id, close_date, id);
CREATE INDEX opportunities_team_board ON opportunities(team_id, stage_id, close_date, id);
CREATE INDEX opportunities_owner_board ON opportunities(owner_id, stage_id, close_date, id);
CREATE INDEX opportunities_name ON opportunities(search_key, id);
CREATE INDEX opportunities_close ON opportunities(close_date, id);
CREATE INDEX opportunities_amount ON opportunities(amount_minor, id);
CREATE INDEX opportunities_updated ON opportunities(updated_at, id);
CREATE INDEX opportunities_account ON opportunities(account_id);
CREATE INDEX opportunities_contact ON opportunities(contact_id);

-- Every stage change, for pipeline-health reports (days in stage, conversion).
CREATE TABLE opportunity_stage_changes (
    id INTEGER PRIMARY KEY,
    opportunity_id INTEGER NOT NULL REFERENCES opportunities(id) ON DELETE CASCADE,
    from_stage_id INTEGER REFERENCES stages(id),
    to_stage_id INTEGER NOT NULL REFERENCES stages(id),
    changed_at TEXT NOT NULL,
    changed_by INTEGER REFERENCES users(id)
);
CREATE INDEX stage_changes_opportunity ON opportunity_stage_changes(opportunity_id, id);

-- One row per changed field of every create, update and delete.
CREATE TABLE audit_entries (
    id INTEGER PRIMARY KEY,
    entity TEXT NOT NULL,
    record_id INTEGER NOT NULL,
    action TEXT NOT NULL,
    field TEXT,
    old_value TEXT,
    new_value TEXT,
    user_id INTEGER REFERENCES users(id),
    at TEXT NOT NULL
);
CREATE INDEX audit_record ON audit_entries(entity, record_id, id);
