-- Sales workspace: leads and their qualification, activities with attendees, notes, configurable
-- pick lists (lead sources, disqualification reasons), calendar feeds.
-- Activity times are UTC timestamps like every *_at column; pages show them in the company's time zone.

-- Values of admin-configurable lists, labelled in both UI languages. `code` is stable (reports group by
-- it); labels may be renamed; a value in use is deactivated, never deleted.
CREATE TABLE picklist_values (
    id INTEGER PRIMARY KEY,
    list TEXT NOT NULL,
    code TEXT NOT NULL,
    label_en TEXT NOT NULL,
    label_sr TEXT NOT NULL,
    position INTEGER NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (list, code)
);
INSERT INTO picklist_values (list, code, label_en, label_sr, position) VALUES
    ('lead_source', 'web', 'Website', 'Veb-sajt', 1),
    ('lead_source', 'fair', 'Trade fair', 'Sajam', 2),
    ('lead_source', 'referral', 'Referral', 'Preporuka', 3),
    ('lead_source', 'partner', 'Partner', 'Partner', 4),
    ('lead_source', 'campaign', 'Campaign', 'Kampanja', 5),
    ('lead_source', 'cold_call', 'Cold call', 'Hladni poziv', 6),
    ('lead_source', 'advertisement', 'Advertisement', 'Oglas', 7),
    ('lead_source', 'other', 'Other', 'Ostalo', 8),
    ('disqualify_reason', 'no_budget', 'No budget', 'Nema budžet', 1),
    ('disqualify_reason', 'no_need', 'No need', 'Nema potrebu', 2),
    ('disqualify_reason', 'unreachable', 'Could not reach', 'Nedostupan', 3),
    ('disqualify_reason', 'competitor', 'Chose a competitor', 'Izabrao konkurenta', 4),
    ('disqualify_reason', 'duplicate', 'Duplicate', 'Duplikat', 5),
    ('disqualify_reason', 'other', 'Other', 'Ostalo', 6);

CREATE TABLE leads (
    id INTEGER PRIMARY KEY,
    company TEXT,
    first_name TEXT,
    last_name TEXT,
    title TEXT,
    email TEXT,
    phone TEXT,
    city TEXT,
    region TEXT,
    pib TEXT,
    source_id INTEGER REFERENCES picklist_values(id),
    rating TEXT NOT NULL CHECK (rating IN ('hot', 'warm', 'cold')),
    status TEXT NOT NULL CHECK (status IN ('new', 'contacted', 'qualified', 'disqualified')),
    estimated_minor INTEGER NOT NULL DEFAULT 0,
    currency TEXT NOT NULL CHECK (currency IN ('RSD', 'EUR')),
    notes TEXT,
    disqualify_reason_id INTEGER REFERENCES picklist_values(id),
    disqualify_note TEXT,
    -- What the lead became (set by qualification).
    account_id INTEGER REFERENCES accounts(id),
    contact_id INTEGER REFERENCES contacts(id),
    opportunity_id INTEGER REFERENCES opportunities(id),
    closed_at TEXT,
    closed_by INTEGER REFERENCES users(id),
    search_key TEXT NOT NULL,
    search_text TEXT NOT NULL DEFAULT '',
    owner_id INTEGER NOT NULL REFERENCES users(id),
    team_id INTEGER REFERENCES teams(id),
    is_demo INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    updated_at TEXT NOT NULL,
    updated_by INTEGER REFERENCES users(id),
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX leads_created ON leads(created_at, id);
CREATE INDEX leads_team_created ON leads(team_id, created_at, id);
CREATE INDEX leads_owner_created ON leads(owner_id, created_at, id);
CREATE INDEX leads_status_created ON leads(status, created_at, id);
CREATE INDEX leads_name ON leads(search_key, id);
CREATE INDEX leads_account ON leads(account_id, closed_at);
CREATE INDEX leads_email ON leads(email);

CREATE VIRTUAL TABLE leads_fts USING fts5(search_text, content = 'leads', content_rowid = 'id', tokenize = 'trigram');
CREATE TRIGGER leads_fts_insert AFTER INSERT ON leads BEGIN
    INSERT INTO leads_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER leads_fts_delete AFTER DELETE ON leads BEGIN
    INSERT INTO leads_fts (leads_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
END;
CREATE TRIGGER leads_fts_update AFTER UPDATE OF search_text ON leads BEGIN
    INSERT INTO leads_fts (leads_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
    INSERT INTO leads_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;

-- Opportunities remember the lead they came from (lead-source reports).
ALTER TABLE opportunities ADD COLUMN lead_id INTEGER REFERENCES leads(id);
CREATE INDEX opportunities_lead ON opportunities(lead_id);
-- Matching a lead against existing records before qualification.
CREATE INDEX contacts_phone ON contacts(phone);
CREATE INDEX accounts_email ON accounts(email);
CREATE INDEX accounts_phone ON accounts(phone);

-- Tasks, calls, meetings and visits, emails, letters, faxes. `starts_at` is the due time of a task and
-- the start of everything else. `regarding_*` names the one record it is about; `account_id` is the
-- account that record belongs to, so an account's timeline includes its contacts' and opportunities'
-- activities through one index.
CREATE TABLE activities (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('task', 'call', 'meeting', 'email', 'letter', 'fax')),
    subject TEXT NOT NULL,
    description TEXT,
    status TEXT NOT NULL CHECK (status IN ('open', 'completed', 'cancelled')),
    priority TEXT NOT NULL CHECK (priority IN ('low', 'normal', 'high')),
    starts_at TEXT NOT NULL,
    ends_at TEXT,
    duration_min INTEGER,
    direction TEXT CHECK (direction IN ('in', 'out')),
    outcome TEXT,
    location TEXT,
    email_to TEXT,
    email_sent INTEGER NOT NULL DEFAULT 0,
    regarding_kind TEXT NOT NULL CHECK (regarding_kind IN ('lead', 'account', 'contact', 'opportunity')),
    regarding_id INTEGER NOT NULL,
    account_id INTEGER REFERENCES accounts(id),
    follow_up_of INTEGER REFERENCES activities(id),
    completed_at TEXT,
    completed_by INTEGER REFERENCES users(id),
    owner_id INTEGER NOT NULL REFERENCES users(id),
    team_id INTEGER REFERENCES teams(id),
    is_demo INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    updated_at TEXT NOT NULL,
    updated_by INTEGER REFERENCES users(id),
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX activities_account ON activities(account_id, starts_at, id);
CREATE INDEX activities_regarding ON activities(regarding_kind, regarding_id, starts_at, id);
CREATE INDEX activities_owner ON activities(owner_id, status, starts_at);
CREATE INDEX activities_team ON activities(team_id, starts_at);
CREATE INDEX activities_starts ON activities(starts_at, id);

-- Who takes part in a meeting: users and contacts.
CREATE TABLE activity_attendees (
    activity_id INTEGER NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    user_id INTEGER REFERENCES users(id),
    contact_id INTEGER REFERENCES contacts(id),
    CHECK ((user_id IS NULL) <> (contact_id IS NULL))
);
CREATE UNIQUE INDEX activity_attendees_user ON activity_attendees(activity_id, user_id) WHERE user_id IS NOT NULL;
CREATE UNIQUE INDEX activity_attendees_contact ON activity_attendees(activity_id, contact_id) WHERE contact_id IS NOT NULL;
CREATE INDEX activity_attendees_by_user ON activity_attendees(user_id);
CREATE INDEX activity_attendees_by_contact ON activity_attendees(contact_id);

-- Notes (Markdown) about one record, rolled up to its account like activities.
CREATE TABLE notes (
    id INTEGER PRIMARY KEY,
    body TEXT NOT NULL,
    regarding_kind TEXT NOT NULL CHECK (regarding_kind IN ('lead', 'account', 'contact', 'opportunity')),
    regarding_id INTEGER NOT NULL,
    account_id INTEGER REFERENCES accounts(id),
    owner_id INTEGER NOT NULL REFERENCES users(id),
    team_id INTEGER REFERENCES teams(id),
    is_demo INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    updated_at TEXT NOT NULL,
    updated_by INTEGER REFERENCES users(id),
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX notes_account ON notes(account_id, created_at, id);
CREATE INDEX notes_regarding ON notes(regarding_kind, regarding_id, created_at, id);

-- Stage changes on an account's timeline without a scan of all changes.
CREATE INDEX stage_changes_changed ON opportunity_stage_changes(opportunity_id, changed_at);

-- One secret calendar (iCalendar) feed per user; only the token's hash is kept.
CREATE TABLE calendar_feeds (
    user_id INTEGER PRIMARY KEY REFERENCES users(id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
