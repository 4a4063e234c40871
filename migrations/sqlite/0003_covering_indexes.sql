-- Covering indexes found by the benchmark harness (docs/performance.md): the board's column totals and
-- the forecast read only these columns, so the database answers from the index without visiting rows.

-- Board totals: per open stage, count / sum / weighted sum under the visibility rule.
CREATE INDEX opportunities_stage_totals ON opportunities(stage_id, currency, amount_minor, probability, owner_id, team_id);

-- Forecast: a close-date range grouped by owner, month, stage and currency.
CREATE INDEX opportunities_forecast ON opportunities(close_date, owner_id, team_id, stage_id, currency, amount_minor, probability);
