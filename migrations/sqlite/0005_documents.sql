-- Documents (offers, contracts, invoices …) attached to a lead, account, contact or opportunity. The
-- bytes live in the database beside their metadata (one backup, any number of stateless servers), in a
-- table of their own so listing documents never reads file contents.
CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    regarding_kind TEXT NOT NULL CHECK (regarding_kind IN ('lead', 'account', 'contact', 'opportunity')),
    regarding_id INTEGER NOT NULL,
    account_id INTEGER REFERENCES accounts(id),
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    owner_id INTEGER NOT NULL REFERENCES users(id),
    team_id INTEGER REFERENCES teams(id),
    created_at TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id)
);
CREATE INDEX documents_account ON documents(account_id, created_at, id);
CREATE INDEX documents_regarding ON documents(regarding_kind, regarding_id, created_at, id);

CREATE TABLE document_contents (
    document_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
    content BLOB NOT NULL
);
