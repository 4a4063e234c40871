-- A group of import rows may be the same as an earlier group of the file or an existing record, found
-- only by a similar company name: a suggestion the user confirms (joined = 1), never an update by itself.
ALTER TABLE import_rows ADD COLUMN suggested_group INTEGER;
ALTER TABLE import_rows ADD COLUMN suggested_id INTEGER;
ALTER TABLE import_rows ADD COLUMN suggested_similarity INTEGER;
ALTER TABLE import_rows ADD COLUMN joined INTEGER NOT NULL DEFAULT 0;
-- The companies a contacts import will create, found by its analysis (JSON: how many, the first names).
ALTER TABLE imports ADD COLUMN new_accounts TEXT;
