-- Quick campaigns: one activity type for every member of a marketing list or an advanced-find result,
-- distributed as a job (services::quick_campaigns). The campaign keeps what was asked (the source, the
-- activity, how owners are chosen), and per member what happened: an activity created (or an e-mail
-- sent), or skipped with why. Its activities point back at it, so its page counts done and open ones
-- per assignee and each member's timeline shows them.
CREATE TABLE quick_campaigns (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    activity_kind TEXT NOT NULL CHECK (activity_kind IN ('task', 'call', 'meeting', 'email', 'letter', 'fax')),
    member_kind TEXT NOT NULL CHECK (member_kind IN ('account', 'contact', 'lead')),
    -- The members: a marketing list (evaluated when the campaign runs) or an advanced-find query.
    list_id INTEGER REFERENCES marketing_lists(id) ON DELETE SET NULL,
    query TEXT,
    subject TEXT NOT NULL,
    description TEXT,
    due_at TEXT NOT NULL,
    priority TEXT NOT NULL CHECK (priority IN ('low', 'normal', 'high')),
    -- 'owner': each member's owner; 'me': the starter; 'round_robin': the users in `assignees` in turn.
    assign_rule TEXT NOT NULL CHECK (assign_rule IN ('owner', 'me', 'round_robin')),
    assignees TEXT,
    -- E-mail campaigns: the message with merge fields.
    email_subject TEXT,
    email_body TEXT,
    status TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed', 'cancelled')),
    total INTEGER NOT NULL DEFAULT 0,
    created_count INTEGER NOT NULL DEFAULT 0,
    skipped_count INTEGER NOT NULL DEFAULT 0,
    job_id INTEGER REFERENCES jobs(id),
    owner_id INTEGER NOT NULL REFERENCES users(id),
    team_id INTEGER REFERENCES teams(id),
    created_at TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    updated_at TEXT NOT NULL,
    updated_by INTEGER REFERENCES users(id),
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX quick_campaigns_created ON quick_campaigns(created_at, id);
CREATE INDEX quick_campaigns_team ON quick_campaigns(team_id, created_at, id);
CREATE INDEX quick_campaigns_owner ON quick_campaigns(owner_id, created_at, id);
CREATE INDEX quick_campaigns_list ON quick_campaigns(list_id);

CREATE TABLE quick_campaign_members (
    campaign_id INTEGER NOT NULL REFERENCES quick_campaigns(id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL,
    -- 'created' (an activity), 'sent' (an e-mail went out), 'failed' (the mail server refused it),
    -- 'skipped' (see reason).
    outcome TEXT NOT NULL CHECK (outcome IN ('created', 'sent', 'failed', 'skipped')),
    -- Why a member was skipped or failed: 'do_not_call', 'do_not_email', 'do_not_mail', 'no_email',
    -- 'inactive', 'disqualified', 'send_failed'.
    reason TEXT,
    activity_id INTEGER,
    assignee_id INTEGER REFERENCES users(id),
    PRIMARY KEY (campaign_id, member_id)
);
CREATE INDEX quick_campaign_members_outcome ON quick_campaign_members(campaign_id, outcome, member_id);

ALTER TABLE activities ADD COLUMN quick_campaign_id INTEGER REFERENCES quick_campaigns(id);
CREATE INDEX activities_quick_campaign ON activities(quick_campaign_id, owner_id, status) WHERE quick_campaign_id IS NOT NULL;
