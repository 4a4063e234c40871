-- Imports of leads, products, opportunities and activities. SQLite cannot change a CHECK
-- in place: the imports table is rebuilt by SQLite's own procedure (foreign keys are off while this
-- migration runs, and checked before it commits; the tables that reference imports keep their rows).
CREATE TABLE imports_new (
    id INTEGER PRIMARY KEY,
    entity TEXT NOT NULL CHECK (entity IN ('account', 'contact', 'lead', 'product', 'opportunity', 'activity')),
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
    worker TEXT,
    heartbeat_at TEXT,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    finished_at TEXT,
    undone_at TEXT,
    version INTEGER NOT NULL DEFAULT 1
);
INSERT INTO imports_new SELECT id, entity, file_name, file_size, encoding, delimiter, headers, mapping, options, status, total_rows,
    rows_done, created_count, updated_count, skipped_count, rejected_count, group_count, error, worker, heartbeat_at, created_by,
    created_at, finished_at, undone_at, version FROM imports;
DROP TABLE imports;
ALTER TABLE imports_new RENAME TO imports;
CREATE INDEX imports_created ON imports(created_at, id);
CREATE INDEX imports_status ON imports(status, heartbeat_at);

ALTER TABLE leads ADD COLUMN import_id INTEGER REFERENCES imports(id);
ALTER TABLE products ADD COLUMN import_id INTEGER REFERENCES imports(id);
ALTER TABLE opportunities ADD COLUMN import_id INTEGER REFERENCES imports(id);
ALTER TABLE activities ADD COLUMN import_id INTEGER REFERENCES imports(id);
CREATE INDEX leads_import ON leads(import_id) WHERE import_id IS NOT NULL;
CREATE INDEX products_import ON products(import_id) WHERE import_id IS NOT NULL;
CREATE INDEX opportunities_import ON opportunities(import_id) WHERE import_id IS NOT NULL;
CREATE INDEX activities_import ON activities(import_id) WHERE import_id IS NOT NULL;
-- An imported lead list is matched against open leads by e-mail (indexed since 0004) and PIB.
CREATE INDEX leads_pib ON leads(pib) WHERE pib IS NOT NULL;

-- Duplicates by phone: phones are kept as typed, so the lookup reads an index on the digits in
-- international form (the expression is `db::sql::phone_key`, and must stay the same text).
CREATE INDEX accounts_phone_key ON accounts ((CASE WHEN LTRIM(phone) LIKE '+%' THEN REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(phone, '(0)', ''), ' ', ''), '+', ''), '(', ''), ')', ''), '-', ''), '/', ''), '.', '') WHEN REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(phone, '(0)', ''), ' ', ''), '+', ''), '(', ''), ')', ''), '-', ''), '/', ''), '.', '') LIKE '00%' THEN SUBSTR(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(phone, '(0)', ''), ' ', ''), '+', ''), '(', ''), ')', ''), '-', ''), '/', ''), '.', ''), 3) WHEN REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(phone, '(0)', ''), ' ', ''), '+', ''), '(', ''), ')', ''), '-', ''), '/', ''), '.', '') LIKE '0%' THEN '381' || SUBSTR(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(phone, '(0)', ''), ' ', ''), '+', ''), '(', ''), ')', ''), '-', ''), '/', ''), '.', ''), 2) WHEN REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(phone, '(0)', ''), ' ', ''), '+', ''), '(', ''), ')', ''), '-', ''), '/', ''), '.', '') LIKE '381%' AND LENGTH(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(phone, '(0)', ''), ' ', ''), '+', ''), '(', ''), ')', ''), '-', ''), '/', ''), '.', '')) >= 10 THEN REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(phone, '(0)', ''), ' ', ''), '+', ''), '(', ''), ')', ''), '-', ''), '/', ''), '.', '') ELSE '381' || REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(phone, '(0)', ''), ' ', ''), '+', ''), '(', ''), ')', ''), '-', ''), '/', ''), '.', '') END));
CREATE INDEX contacts_phone_key ON contacts ((CASE WHEN LTRIM(phone) LIKE '+%' THEN REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(phone, '(0)', ''), ' ', ''), '+', ''), '(', ''), ')', ''), '-', ''), '/', ''), '.', '') WHEN REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(phone, '(0)', ''), ' ', ''), '+', ''), '(', ''), ')', ''), '-', ''), '/', ''), '.', '') LIKE '00%' THEN SUBSTR(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(phone, '(0)', ''), ' ', ''), '+', ''), '(', ''), ')', ''), '-', ''), '/', ''), '.', ''), 3) WHEN REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(phone, '(0)', ''), ' ', ''), '+', ''), '(', ''), ')', ''), '-', ''), '/', ''), '.', '') LIKE '0%' THEN '381' || SUBSTR(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(phone, '(0)', ''), ' ', ''), '+', ''), '(', ''), ')', ''), '-', ''), '/', ''), '.', ''), 2) WHEN REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(phone, '(0)', ''), ' ', ''), '+', ''), '(', ''), ')', ''), '-', ''), '/', ''), '.', '') LIKE '381%' AND LENGTH(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(phone, '(0)', ''), ' ', ''), '+', ''), '(', ''), ')', ''), '-', ''), '/', ''), '.', '')) >= 10 THEN REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(phone, '(0)', ''), ' ', ''), '+', ''), '(', ''), ')', ''), '-', ''), '/', ''), '.', '') ELSE '381' || REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(phone, '(0)', ''), ' ', ''), '+', ''), '(', ''), ')', ''), '-', ''), '/', ''), '.', '') END));
CREATE INDEX contacts_mobile_key ON contacts ((CASE WHEN LTRIM(mobile) LIKE '+%' THEN REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(mobile, '(0)', ''), ' ', ''), '+', ''), '(', ''), ')', ''), '-', ''), '/', ''), '.', '') WHEN REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(mobile, '(0)', ''), ' ', ''), '+', ''), '(', ''), ')', ''), '-', ''), '/', ''), '.', '') LIKE '00%' THEN SUBSTR(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(mobile, '(0)', ''), ' ', ''), '+', ''), '(', ''), ')', ''), '-', ''), '/', ''), '.', ''), 3) WHEN REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(mobile, '(0)', ''), ' ', ''), '+', ''), '(', ''), ')', ''), '-', ''), '/', ''), '.', '') LIKE '0%' THEN '381' || SUBSTR(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(mobile, '(0)', ''), ' ', ''), '+', ''), '(', ''), ')', ''), '-', ''), '/', ''), '.', ''), 2) WHEN REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(mobile, '(0)', ''), ' ', ''), '+', ''), '(', ''), ')', ''), '-', ''), '/', ''), '.', '') LIKE '381%' AND LENGTH(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(mobile, '(0)', ''), ' ', ''), '+', ''), '(', ''), ')', ''), '-', ''), '/', ''), '.', '')) >= 10 THEN REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(mobile, '(0)', ''), ' ', ''), '+', ''), '(', ''), ')', ''), '-', ''), '/', ''), '.', '') ELSE '381' || REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(mobile, '(0)', ''), ' ', ''), '+', ''), '(', ''), ')', ''), '-', ''), '/', ''), '.', '') END));
