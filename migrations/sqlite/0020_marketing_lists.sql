-- Marketing lists: a named set of accounts, contacts or leads to reach (a mailing, a round of calls).
-- A static list keeps its members in `marketing_list_members`; a dynamic one keeps an advanced-find
-- query (JSON) and its members are that query evaluated whenever the list is used, never stored.
-- A list is an owned record: seen and changed by its owner, their team and administrators.
CREATE TABLE marketing_lists (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    search_key TEXT NOT NULL,
    member_kind TEXT NOT NULL CHECK (member_kind IN ('account', 'contact', 'lead')),
    list_type TEXT NOT NULL CHECK (list_type IN ('static', 'dynamic')),
    query TEXT,
    purpose TEXT,
    source TEXT,
    cost_minor INTEGER NOT NULL DEFAULT 0,
    currency TEXT NOT NULL CHECK (currency IN ('RSD', 'EUR')),
    -- A locked list's members cannot change (a list a campaign went out to).
    locked INTEGER NOT NULL DEFAULT 0,
    description TEXT,
    owner_id INTEGER NOT NULL REFERENCES users(id),
    team_id INTEGER REFERENCES teams(id),
    created_at TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    updated_at TEXT NOT NULL,
    updated_by INTEGER REFERENCES users(id),
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX marketing_lists_name ON marketing_lists(search_key, id);
CREATE INDEX marketing_lists_team_name ON marketing_lists(team_id, search_key, id);
CREATE INDEX marketing_lists_owner_name ON marketing_lists(owner_id, search_key, id);
CREATE INDEX marketing_lists_updated ON marketing_lists(updated_at, id);

-- The members of static lists. `member_id` is an account, contact or lead by the list's member kind
-- (no foreign key: one column for three tables). A member row older than its record (`added_at`
-- before the record's `created_at`) belonged to an earlier record with the same id and is ignored.
CREATE TABLE marketing_list_members (
    list_id INTEGER NOT NULL REFERENCES marketing_lists(id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL,
    added_at TEXT NOT NULL,
    added_by INTEGER REFERENCES users(id),
    PRIMARY KEY (list_id, member_id)
);
-- "The lists this record is in", on a record's page.
CREATE INDEX marketing_list_members_member ON marketing_list_members(member_id, list_id);

-- Contact preferences, honoured by every campaign: do not e-mail, call or send mail.
ALTER TABLE contacts ADD COLUMN do_not_email INTEGER NOT NULL DEFAULT 0;
ALTER TABLE contacts ADD COLUMN do_not_call INTEGER NOT NULL DEFAULT 0;
ALTER TABLE contacts ADD COLUMN do_not_mail INTEGER NOT NULL DEFAULT 0;
ALTER TABLE leads ADD COLUMN do_not_email INTEGER NOT NULL DEFAULT 0;
ALTER TABLE leads ADD COLUMN do_not_call INTEGER NOT NULL DEFAULT 0;
ALTER TABLE leads ADD COLUMN do_not_mail INTEGER NOT NULL DEFAULT 0;
-- An account the company no longer works with: kept, but left out of the members to reach.
ALTER TABLE accounts ADD COLUMN inactive INTEGER NOT NULL DEFAULT 0;
