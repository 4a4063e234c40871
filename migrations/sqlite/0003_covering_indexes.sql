-- Covering indexes found by the benchmark harness (docs/performance.md): the board's column totals and
-- the forecast read only these columns, so the database answers from the index without visiting rows.

-- The board: each column's cards by close date, and its totals (count, sum, weighted sum under the
-- visibility rule) from the same index. (A separate totals index led SQLite to sort the cards instead.)
DROP INDEX opportunities_board;
CREATE INDEX opportunities_board ON opportunities(stage_id, close_date, id, currency, amount_minor, probability, owner_id, team_id);

-- Forecast: a close-date range grouped by owner, month, stage and currency.
CREATE INDEX opportunities_forecast ON opportunities(close_date, owner_id, team_id, stage_id, currency, amount_minor, probability);
