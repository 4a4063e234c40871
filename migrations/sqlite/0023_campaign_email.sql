-- E-mail quick campaigns. A recipient's message is queued by the campaign's batch, marked 'sending' just
-- before it goes to the mail server and 'sent' or 'failed' right after, so a message is never sent twice:
-- one left 'sending' by a stopped server ends as failed with reason 'unknown'. `detail` keeps the mail
-- server's answer to a refused message; `token_hash` is the hash of the recipient's unsubscribe link,
-- `unsubscribed_at` when it was used. A campaign keeps the address Veza was reached at when it started
-- (`site_url`) and the language it was started in (`lang`), for the unsubscribe line of its
-- messages. Users get an e-mail signature for the {signature} field.
CREATE TABLE quick_campaign_members_new (
    campaign_id INTEGER NOT NULL REFERENCES quick_campaigns(id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('created', 'queued', 'sending', 'sent', 'failed', 'skipped')),
    reason TEXT,
    activity_id INTEGER,
    assignee_id INTEGER REFERENCES users(id),
    detail TEXT,
    token_hash TEXT,
    unsubscribed_at TEXT,
    PRIMARY KEY (campaign_id, member_id)
);
INSERT INTO quick_campaign_members_new (campaign_id, member_id, outcome, reason, activity_id, assignee_id)
    SELECT campaign_id, member_id, outcome, reason, activity_id, assignee_id FROM quick_campaign_members;
DROP TABLE quick_campaign_members;
ALTER TABLE quick_campaign_members_new RENAME TO quick_campaign_members;
CREATE INDEX quick_campaign_members_outcome ON quick_campaign_members(campaign_id, outcome, member_id);
CREATE UNIQUE INDEX quick_campaign_members_token ON quick_campaign_members(token_hash) WHERE token_hash IS NOT NULL;

ALTER TABLE quick_campaigns ADD COLUMN site_url TEXT;
ALTER TABLE quick_campaigns ADD COLUMN lang TEXT;
ALTER TABLE users ADD COLUMN signature TEXT;
