-- Indexed text search. Each searchable record keeps `search_text`: its name, e-mail, phones and ids folded
-- like `search_key` (lowercase, no diacritics, Cyrillic in Latin), computed by the application on every write.
-- Postgres indexes it with a pg_trgm GIN index (substring LIKE through the index); SQLite with FTS5's
-- trigram tokenizer. Both answer the same question: "which records contain this text".

CREATE EXTENSION IF NOT EXISTS pg_trgm;

ALTER TABLE accounts ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
ALTER TABLE contacts ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
ALTER TABLE opportunities ADD COLUMN search_text TEXT NOT NULL DEFAULT '';

UPDATE accounts SET search_text = trim(search_key || ' ' || lower(coalesce(email, '')) || ' ' || coalesce(phone, '') || ' '
    || coalesce(pib, '') || ' ' || coalesce(mb, '') || ' ' || lower(coalesce(city, '')));
UPDATE contacts SET search_text = trim(search_key || ' ' || lower(coalesce(email, '')) || ' ' || coalesce(phone, '') || ' '
    || coalesce(mobile, ''));
UPDATE opportunities SET search_text = search_key;

CREATE INDEX accounts_search ON accounts USING gin (search_text gin_trgm_ops);
CREATE INDEX contacts_search ON contacts USING gin (search_text gin_trgm_ops);
CREATE INDEX opportunities_search ON opportunities USING gin (search_text gin_trgm_ops);
