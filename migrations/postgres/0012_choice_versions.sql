-- The choice lists every form and filter bar shows (active users, teams, stages, pick lists) are kept
-- in each server's memory (services::choices). Any change to them, made through any server or by hand,
-- bumps this version in the same transaction; a server compares it before using its copy.
CREATE TABLE cache_versions (
    name TEXT PRIMARY KEY,
    version BIGINT NOT NULL
);
INSERT INTO cache_versions (name, version) VALUES ('choices', 1);

CREATE FUNCTION bump_choices_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE cache_versions SET version = version + 1 WHERE name = 'choices';
    RETURN NULL;
END
$$;

-- BEFORE each statement: a transaction locks the version row before any row of these tables, so two
-- transactions writing them (two administrators reordering stages) queue instead of deadlocking.
CREATE TRIGGER users_choices BEFORE INSERT OR DELETE OR UPDATE OF name, team_id, active ON users
    FOR EACH STATEMENT EXECUTE FUNCTION bump_choices_version();
CREATE TRIGGER teams_choices BEFORE INSERT OR UPDATE OR DELETE ON teams
    FOR EACH STATEMENT EXECUTE FUNCTION bump_choices_version();
CREATE TRIGGER stages_choices BEFORE INSERT OR UPDATE OR DELETE ON stages
    FOR EACH STATEMENT EXECUTE FUNCTION bump_choices_version();
CREATE TRIGGER picklist_values_choices BEFORE INSERT OR UPDATE OR DELETE ON picklist_values
    FOR EACH STATEMENT EXECUTE FUNCTION bump_choices_version();
