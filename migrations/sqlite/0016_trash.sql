-- The trash: a deleted account, contact, lead or opportunity is kept here with what went with it
-- (activities, notes, documents, lines …) as JSON snapshots of its rows, and the references to it that
-- other records lost, so it can be put back with the same ids; a merge keeps the merged-away records,
-- the survivor's values before it and the references it moved, so it can be undone. Kept for the
-- `trash_days` setting (30 days by default), then purged by the server (services::trash).
CREATE TABLE trash (
    id INTEGER PRIMARY KEY,
    -- 'delete': `record_id` is the deleted record; 'merge': `record_id` is the survivor.
    kind TEXT NOT NULL CHECK (kind IN ('delete', 'merge')),
    entity TEXT NOT NULL CHECK (entity IN ('account', 'contact', 'lead', 'opportunity')),
    record_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    owner_id INTEGER REFERENCES users(id),
    team_id INTEGER REFERENCES teams(id),
    deleted_by INTEGER REFERENCES users(id),
    deleted_at TEXT NOT NULL,
    -- A merge: the survivor's version right after it (an edit since makes the undo unsafe) and the
    -- survivor's history entry that offers the undo.
    merged_version INTEGER,
    audit_id INTEGER
);
CREATE INDEX trash_deleted_at ON trash(deleted_at, id);
CREATE INDEX trash_record ON trash(entity, record_id);
CREATE INDEX trash_owner ON trash(owner_id, id);
CREATE INDEX trash_deleter ON trash(deleted_by, id);

-- One row of a table as it was: 'record' rows are put back on restore; 'before' rows are the merge
-- survivor's own rows before the merge.
CREATE TABLE trash_rows (
    id INTEGER PRIMARY KEY,
    trash_id INTEGER NOT NULL REFERENCES trash(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('record', 'before')),
    tbl TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX trash_rows_trash ON trash_rows(trash_id, tbl, id);

-- A reference another row had (`tbl`.`col` of the row whose `key_col` is `key_value`): `old_value`
-- before the delete or merge, `new_value` after it (NULL: detached by a delete).
CREATE TABLE trash_links (
    id INTEGER PRIMARY KEY,
    trash_id INTEGER NOT NULL REFERENCES trash(id) ON DELETE CASCADE,
    tbl TEXT NOT NULL,
    key_col TEXT NOT NULL,
    key_value INTEGER NOT NULL,
    col TEXT NOT NULL,
    old_value INTEGER NOT NULL,
    new_value INTEGER
);
CREATE INDEX trash_links_trash ON trash_links(trash_id, tbl, col);

-- The contents of deleted documents, kept until the purge.
CREATE TABLE trash_files (
    trash_id INTEGER NOT NULL REFERENCES trash(id) ON DELETE CASCADE,
    document_id INTEGER NOT NULL,
    content BLOB NOT NULL,
    PRIMARY KEY (trash_id, document_id)
);
