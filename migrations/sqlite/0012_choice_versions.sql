-- The choice lists every form and filter bar shows (active users, teams, stages, pick lists) are kept
-- in each server's memory (services::choices). Any change to them, made through any server or by hand,
-- bumps this version in the same transaction; a server compares it before using its copy.
CREATE TABLE cache_versions (
    name TEXT PRIMARY KEY,
    version INTEGER NOT NULL
);
INSERT INTO cache_versions (name, version) VALUES ('choices', 1);

CREATE TRIGGER users_choices_insert AFTER INSERT ON users
BEGIN UPDATE cache_versions SET version = version + 1 WHERE name = 'choices'; END;
CREATE TRIGGER users_choices_update AFTER UPDATE OF name, team_id, active ON users
BEGIN UPDATE cache_versions SET version = version + 1 WHERE name = 'choices'; END;
CREATE TRIGGER users_choices_delete AFTER DELETE ON users
BEGIN UPDATE cache_versions SET version = version + 1 WHERE name = 'choices'; END;

CREATE TRIGGER teams_choices_insert AFTER INSERT ON teams
BEGIN UPDATE cache_versions SET version = version + 1 WHERE name = 'choices'; END;
CREATE TRIGGER teams_choices_update AFTER UPDATE ON teams
BEGIN UPDATE cache_versions SET version = version + 1 WHERE name = 'choices'; END;
CREATE TRIGGER teams_choices_delete AFTER DELETE ON teams
BEGIN UPDATE cache_versions SET version = version + 1 WHERE name = 'choices'; END;

CREATE TRIGGER stages_choices_insert AFTER INSERT ON stages
BEGIN UPDATE cache_versions SET version = version + 1 WHERE name = 'choices'; END;
CREATE TRIGGER stages_choices_update AFTER UPDATE ON stages
BEGIN UPDATE cache_versions SET version = version + 1 WHERE name = 'choices'; END;
CREATE TRIGGER stages_choices_delete AFTER DELETE ON stages
BEGIN UPDATE cache_versions SET version = version + 1 WHERE name = 'choices'; END;

CREATE TRIGGER picklist_values_choices_insert AFTER INSERT ON picklist_values
BEGIN UPDATE cache_versions SET version = version + 1 WHERE name = 'choices'; END;
CREATE TRIGGER picklist_values_choices_update AFTER UPDATE ON picklist_values
BEGIN UPDATE cache_versions SET version = version + 1 WHERE name = 'choices'; END;
CREATE TRIGGER picklist_values_choices_delete AFTER DELETE ON picklist_values
BEGIN UPDATE cache_versions SET version = version + 1 WHERE name = 'choices'; END;
