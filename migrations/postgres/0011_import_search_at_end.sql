-- Same schema as SQLite's migration 0011. Postgres indexes `search_text` with a trigram GIN index as
-- each row is written, so its imports never set `search_pending`.
ALTER TABLE imports ADD COLUMN search_pending BIGINT NOT NULL DEFAULT 0;
