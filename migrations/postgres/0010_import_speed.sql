-- SQLite only: there, imports write the full-text rows of the accounts and contacts they create in one
-- statement per batch, and the phone indexes leave out empty phones (SQLite's statistics count them as
-- one value shared by all). Postgres keeps its trigram GIN indexes up to date by itself, and its
-- statistics of the phone indexes count empty phones apart — while it would ignore the statistics of
-- a partial index altogether. Nothing changes here.
SELECT 1;
