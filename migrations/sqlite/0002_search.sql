-- Indexed text search. Each searchable record keeps `search_text`: its name, e-mail, phones and ids folded
-- like `search_key` (lowercase, no diacritics, Cyrillic in Latin), computed by the application on every write.
-- SQLite indexes it with FTS5's trigram tokenizer (substring search through the index, for 3+ characters);
-- Postgres with a pg_trgm GIN index. Both answer the same question: "which records contain this text".

ALTER TABLE accounts ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
ALTER TABLE contacts ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
ALTER TABLE opportunities ADD COLUMN search_text TEXT NOT NULL DEFAULT '';

UPDATE accounts SET search_text = trim(search_key || ' ' || lower(coalesce(email, '')) || ' ' || coalesce(phone, '') || ' '
    || coalesce(pib, '') || ' ' || coalesce(mb, '') || ' ' || lower(coalesce(city, '')));
UPDATE contacts SET search_text = trim(search_key || ' ' || lower(coalesce(email, '')) || ' ' || coalesce(phone, '') || ' '
    || coalesce(mobile, ''));
UPDATE opportunities SET search_text = search_key;

CREATE VIRTUAL TABLE accounts_fts USING fts5(search_text, content = 'accounts', content_rowid = 'id', tokenize = 'trigram');
CREATE VIRTUAL TABLE contacts_fts USING fts5(search_text, content = 'contacts', content_rowid = 'id', tokenize = 'trigram');
CREATE VIRTUAL TABLE opportunities_fts USING fts5(search_text, content = 'opportunities', content_rowid = 'id', tokenize = 'trigram');
INSERT INTO accounts_fts (accounts_fts) VALUES ('rebuild');
INSERT INTO contacts_fts (contacts_fts) VALUES ('rebuild');
INSERT INTO opportunities_fts (opportunities_fts) VALUES ('rebuild');

CREATE TRIGGER accounts_fts_insert AFTER INSERT ON accounts BEGIN
    INSERT INTO accounts_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER accounts_fts_delete AFTER DELETE ON accounts BEGIN
    INSERT INTO accounts_fts (accounts_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
END;
CREATE TRIGGER accounts_fts_update AFTER UPDATE OF search_text ON accounts BEGIN
    INSERT INTO accounts_fts (accounts_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
    INSERT INTO accounts_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;

CREATE TRIGGER contacts_fts_insert AFTER INSERT ON contacts BEGIN
    INSERT INTO contacts_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER contacts_fts_delete AFTER DELETE ON contacts BEGIN
    INSERT INTO contacts_fts (contacts_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
END;
CREATE TRIGGER contacts_fts_update AFTER UPDATE OF search_text ON contacts BEGIN
    INSERT INTO contacts_fts (contacts_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
    INSERT INTO contacts_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;

CREATE TRIGGER opportunities_fts_insert AFTER INSERT ON opportunities BEGIN
    INSERT INTO opportunities_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER opportunities_fts_delete AFTER DELETE ON opportunities BEGIN
    INSERT INTO opportunities_fts (opportunities_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
END;
CREATE TRIGGER opportunities_fts_update AFTER UPDATE OF search_text ON opportunities BEGIN
    INSERT INTO opportunities_fts (opportunities_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
    INSERT INTO opportunities_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;
