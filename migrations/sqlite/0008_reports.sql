-- Reports and goals. A salesperson puts each open deal in a forecast category; goals count a metric
-- (defined by an admin) for a user or a team over a month, quarter or year, against an absolute target
-- or one relative to the same period last year.

ALTER TABLE opportunities ADD COLUMN forecast_category TEXT NOT NULL DEFAULT 'pipeline'
    CHECK (forecast_category IN ('pipeline', 'best_case', 'commit'));

-- What a goal counts. `measure` is how it is computed; `activity_kind` narrows "activities completed".
CREATE TABLE goal_metrics (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    measure TEXT NOT NULL CHECK (measure IN ('won_revenue', 'won_deals', 'new_opportunities', 'activities_done', 'new_leads', 'qualified_leads')),
    activity_kind TEXT CHECK (activity_kind IN ('task', 'call', 'meeting', 'email', 'letter', 'fax')),
    active INTEGER NOT NULL DEFAULT 1,
    position INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

-- A target for one user or one team. `period_start` is the first day of the month, quarter or year.
-- Absolute targets are in minor units (revenue) or a count; relative ones in basis points of growth
-- over the same period a year earlier (3000 = +30 %).
CREATE TABLE goals (
    id INTEGER PRIMARY KEY,
    metric_id INTEGER NOT NULL REFERENCES goal_metrics(id),
    user_id INTEGER REFERENCES users(id),
    team_id INTEGER REFERENCES teams(id),
    period TEXT NOT NULL CHECK (period IN ('month', 'quarter', 'year')),
    period_start TEXT NOT NULL,
    target_kind TEXT NOT NULL CHECK (target_kind IN ('absolute', 'relative')),
    target INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    updated_at TEXT NOT NULL,
    updated_by INTEGER REFERENCES users(id),
    version INTEGER NOT NULL DEFAULT 1,
    CHECK ((user_id IS NULL) <> (team_id IS NULL))
);
CREATE INDEX goals_period ON goals(period_start, id);
CREATE INDEX goals_user ON goals(user_id, period_start);
CREATE INDEX goals_team ON goals(team_id, period_start);

-- Reports by creation date (new opportunities, new leads) and by completion (activities done).
CREATE INDEX opportunities_created ON opportunities(created_at, owner_id, team_id);
CREATE INDEX activities_completed ON activities(completed_at, owner_id, team_id, kind) WHERE status = 'completed';
CREATE INDEX leads_closed ON leads(closed_at, owner_id, team_id) WHERE status = 'qualified';

-- Adoption: every successful sign-in (login attempts are kept only a day, for throttling), and who
-- changed what when (the audit trail) by user and time.
CREATE TABLE sign_ins (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    at TEXT NOT NULL
);
CREATE INDEX sign_ins_at ON sign_ins(at, user_id);
CREATE INDEX audit_user_at ON audit_entries(at, user_id, action, entity);

INSERT INTO goal_metrics (name, measure, activity_kind, position, created_at, updated_at) VALUES
    ('won_revenue', 'won_revenue', NULL, 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
    ('won_deals', 'won_deals', NULL, 2, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
    ('new_opportunities', 'new_opportunities', NULL, 3, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
    ('activities_done', 'activities_done', NULL, 4, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
    ('meetings_done', 'activities_done', 'meeting', 5, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
    ('new_leads', 'new_leads', NULL, 6, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
    ('qualified_leads', 'qualified_leads', NULL, 7, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
