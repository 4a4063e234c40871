-- Background jobs: long work with progress (bulk actions on a selection, and the marketing features'
-- distributions), done by whichever server claims the job. `after_id` is the resume cursor (the last
-- record processed), advanced in the same transaction as each batch's changes together with `done` and
-- `failed`, so a job a crashed server left behind continues where it stopped, never repeating or losing
-- a batch. `worker` and `heartbeat_at` are the lease: a server that stops reporting loses the job.
CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled')),
    created_by INTEGER NOT NULL REFERENCES users(id),
    total INTEGER NOT NULL DEFAULT 0,
    done INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    -- What to do, as its kind reads it (JSON).
    payload TEXT NOT NULL,
    after_id INTEGER NOT NULL DEFAULT 0,
    -- The summary so far (JSON): the items that failed, with why (capped).
    result TEXT NOT NULL DEFAULT '{}',
    -- Why the job as a whole failed, as a code (the details are in the server's log).
    error TEXT,
    worker TEXT,
    heartbeat_at TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    version INTEGER NOT NULL DEFAULT 1
);
-- The runners look for work through this index; finished jobs are not in it.
CREATE INDEX jobs_pending ON jobs(id) WHERE status IN ('queued', 'running');
CREATE INDEX jobs_created_by ON jobs(created_by, id);
