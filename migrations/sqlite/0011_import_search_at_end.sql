-- The full-text rows of the accounts and contacts an import creates are written once, when the import
-- ends, in the transaction that marks it done (one statement for the whole import instead of one per
-- batch of 500: FTS5 then builds one index segment instead of hundreds and the merges between them;
-- 100,000 contacts spent 5 of their 17 s there).
--
-- `search_pending` is 1 while an import's records are not yet in the full-text index. The update and
-- delete triggers must then leave the index alone: an external-content FTS5 index is corrupted by a
-- 'delete' of a row it does not hold. The rows written at the end are read from the table as they are
-- by then, so an edit or a deletion made in between is not lost.
ALTER TABLE imports ADD COLUMN search_pending INTEGER NOT NULL DEFAULT 0;

-- An import interrupted in the middle by the upgrade wrote its rows batch by batch: they leave the
-- index now and come back, with the rest, when it ends.
INSERT INTO accounts_fts (accounts_fts, rowid, search_text)
    SELECT 'delete', a.id, a.search_text FROM accounts a JOIN imports i ON i.id = a.import_id WHERE i.status = 'running';
INSERT INTO contacts_fts (contacts_fts, rowid, search_text)
    SELECT 'delete', c.id, c.search_text FROM contacts c JOIN imports i ON i.id = c.import_id WHERE i.status = 'running';
UPDATE imports SET search_pending = 1 WHERE status = 'running' AND entity IN ('account', 'contact');

DROP TRIGGER accounts_fts_delete;
CREATE TRIGGER accounts_fts_delete AFTER DELETE ON accounts
WHEN old.import_id IS NULL OR NOT EXISTS (SELECT 1 FROM imports WHERE id = old.import_id AND search_pending = 1) BEGIN
    INSERT INTO accounts_fts (accounts_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
END;
DROP TRIGGER accounts_fts_update;
CREATE TRIGGER accounts_fts_update AFTER UPDATE OF search_text ON accounts
WHEN old.import_id IS NULL OR NOT EXISTS (SELECT 1 FROM imports WHERE id = old.import_id AND search_pending = 1) BEGIN
    INSERT INTO accounts_fts (accounts_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
    INSERT INTO accounts_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;

DROP TRIGGER contacts_fts_delete;
CREATE TRIGGER contacts_fts_delete AFTER DELETE ON contacts
WHEN old.import_id IS NULL OR NOT EXISTS (SELECT 1 FROM imports WHERE id = old.import_id AND search_pending = 1) BEGIN
    INSERT INTO contacts_fts (contacts_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
END;
DROP TRIGGER contacts_fts_update;
CREATE TRIGGER contacts_fts_update AFTER UPDATE OF search_text ON contacts
WHEN old.import_id IS NULL OR NOT EXISTS (SELECT 1 FROM imports WHERE id = old.import_id AND search_pending = 1) BEGIN
    INSERT INTO contacts_fts (contacts_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
    INSERT INTO contacts_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;
