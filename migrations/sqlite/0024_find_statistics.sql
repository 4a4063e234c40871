-- Advanced find's plans: Postgres gets statistics of the combinations of an account's region, owner
-- and team (see migrations/postgres/0024_find_statistics.sql). SQLite's planner does not estimate
-- such combinations (it reads `sqlite_stat1`, one figure per index), so there is nothing to add here.
SELECT 1;
