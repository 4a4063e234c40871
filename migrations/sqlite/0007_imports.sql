-- Imports of spreadsheets. The uploaded file lives in the database in chunks (any server can analyse or
-- resume it; nothing is read whole into memory). `rows_done` is the resume cursor, advanced in the same
-- transaction as each batch of records, so a killed import continues where it stopped without duplicates.
CREATE TABLE imports (
    id INTEGER PRIMARY KEY,
    entity TEXT NOT NULL CHECK (entity IN ('account', 'contact')),
    file_name TEXT NOT NULL,
    file_size INTEGER NOT NULL,
    encoding TEXT NOT NULL,
    delimiter TEXT NOT NULL,
    headers TEXT NOT NULL,
    mapping TEXT NOT NULL DEFAULT '[]',
    options TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL CHECK (status IN ('mapping', 'analyzing', 'review', 'running', 'done', 'failed', 'undone')),
    total_rows INTEGER NOT NULL DEFAULT 0,
    rows_done INTEGER NOT NULL DEFAULT 0,
    created_count INTEGER NOT NULL DEFAULT 0,
    updated_count INTEGER NOT NULL DEFAULT 0,
    skipped_count INTEGER NOT NULL DEFAULT 0,
    rejected_count INTEGER NOT NULL DEFAULT 0,
    group_count INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    -- The server working on it and when it last reported: a stale heartbeat lets another server resume.
    worker TEXT,
    heartbeat_at TEXT,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    finished_at TEXT,
    undone_at TEXT,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX imports_created ON imports(created_at, id);
CREATE INDEX imports_status ON imports(status, heartbeat_at);

CREATE TABLE import_chunks (
    import_id INTEGER NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    content BLOB NOT NULL,
    PRIMARY KEY (import_id, seq)
);

-- The rows that need a word: rejected ones (with reasons) and members of duplicate groups (with the
-- user's decision). Clean rows leave no row here; their records carry the import's id.
CREATE TABLE import_rows (
    import_id INTEGER NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
    row_no INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('rejected', 'duplicate')),
    reasons TEXT,
    cells TEXT NOT NULL,
    dup_group INTEGER,
    matched_by TEXT,
    similarity INTEGER,
    existing_id INTEGER,
    decision TEXT CHECK (decision IN ('skip', 'update', 'create')),
    policies TEXT,
    -- Filled while running: the record the row created or updated, its values before and its version after.
    outcome TEXT CHECK (outcome IN ('created', 'updated', 'skipped', 'rejected')),
    record_id INTEGER,
    before_values TEXT,
    after_version INTEGER,
    PRIMARY KEY (import_id, row_no)
);
CREATE INDEX import_rows_group ON import_rows(import_id, dup_group, row_no);
CREATE INDEX import_rows_kind ON import_rows(import_id, kind, row_no);
-- Undo's checks look rows up by the record they wrote.
CREATE INDEX import_rows_record ON import_rows(import_id, record_id);

CREATE TABLE import_mappings (
    id INTEGER PRIMARY KEY,
    entity TEXT NOT NULL,
    name TEXT NOT NULL,
    mapping TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL,
    UNIQUE (entity, name)
);

ALTER TABLE accounts ADD COLUMN import_id INTEGER REFERENCES imports(id);
ALTER TABLE contacts ADD COLUMN import_id INTEGER REFERENCES imports(id);
CREATE INDEX accounts_import ON accounts(import_id) WHERE import_id IS NOT NULL;
CREATE INDEX contacts_import ON contacts(import_id) WHERE import_id IS NOT NULL;
-- Duplicate checks by MB (PIB and e-mail have their indexes already).
CREATE INDEX accounts_mb ON accounts(mb);

-- Duplicate rules, set by an administrator: which keys find duplicates of accounts and contacts (on
-- import, when a record is saved, in the scan), and for names exact or similar from a threshold.
CREATE TABLE duplicate_rules (
    id INTEGER PRIMARY KEY,
    entity TEXT NOT NULL CHECK (entity IN ('account', 'contact')),
    field TEXT NOT NULL CHECK (field IN ('email', 'pib', 'mb', 'phone', 'name')),
    fuzzy INTEGER NOT NULL DEFAULT 0,
    threshold INTEGER NOT NULL DEFAULT 90 CHECK (threshold BETWEEN 70 AND 100),
    active INTEGER NOT NULL DEFAULT 1,
    UNIQUE (entity, field)
);
INSERT INTO duplicate_rules (entity, field, fuzzy, threshold, active) VALUES
    ('account', 'pib', 0, 100, 1), ('account', 'mb', 0, 100, 1), ('account', 'email', 0, 100, 1),
    ('account', 'phone', 0, 100, 1), ('account', 'name', 1, 90, 1),
    ('contact', 'email', 0, 100, 1), ('contact', 'phone', 0, 100, 1), ('contact', 'name', 0, 100, 1);
