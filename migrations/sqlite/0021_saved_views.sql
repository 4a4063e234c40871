-- Saved views of advanced find: a named query over one record kind (its JSON, as the find page's URL
-- carries it), private to its owner, shared with the owner's team, or with everyone. Whoever runs a
-- view sees only the records they may see. Lists offer the views of their kind by name.
CREATE TABLE saved_views (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    search_key TEXT NOT NULL,
    entity TEXT NOT NULL CHECK (entity IN ('account', 'contact', 'lead', 'opportunity')),
    query TEXT NOT NULL,
    sharing TEXT NOT NULL CHECK (sharing IN ('private', 'team', 'everyone')),
    owner_id INTEGER NOT NULL REFERENCES users(id),
    team_id INTEGER REFERENCES teams(id),
    created_at TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    updated_at TEXT NOT NULL,
    updated_by INTEGER REFERENCES users(id),
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX saved_views_entity ON saved_views(entity, search_key, id);
CREATE INDEX saved_views_owner ON saved_views(owner_id, entity);
