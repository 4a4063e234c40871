//! The forecast: by expected close month or quarter, what is won already, what is open and what the
//! open deals are worth weighted by their probability; grouped by salesperson, team, region, product
//! family, customer category, forecast category or stage; against the won-revenue goals.

use super::{collect_rows, filters, grouping, period_expr, range, rsd};
use crate::clock;
use crate::db::sql::Sql;
use crate::db::Db;
use crate::domain::reports::{forecast_range, GroupBy, Period, Report, ReportCell, ReportQuery};
use crate::error::AppError;
use crate::services::{currency, goals, Actor};

/// Forecast periods are months or quarters.
pub fn period_of(q: &ReportQuery) -> Period {
    match q.period() {
        Period::Year => Period::Quarter,
        p => p,
    }
}

pub async fn forecast(db: &Db, actor: &Actor, q: &ReportQuery) -> Result<Report, AppError> {
    let (from, to) = range(q, forecast_range(clock::today()));
    let period = period_of(q);
    let group = q.group_in(&GroupBy::FORECAST);
    let g = grouping(group);
    let periods = period.keys_between(from, to);
    // The grouped scan and the goals beside it go to the database side by side.
    let cells = async {
        let rate = currency::eur_rate(db).await?;
        let amount = g.amount;
        let mut sql = Sql::new(&format!(
            "SELECT {} AS p, CAST({} AS TEXT) AS k, {} AS l, {} AS n, {} AS won_n, ",
            period_expr(period),
            g.key,
            g.label,
            g.count(None),
            g.count(Some("s.kind = 'won'"))
        ));
        rsd(&mut sql, &format!("CASE WHEN s.kind = 'won' THEN {amount} ELSE 0 END"), rate);
        sql.push(" AS won, ");
        rsd(&mut sql, &format!("CASE WHEN s.kind = 'open' THEN {amount} ELSE 0 END"), rate);
        sql.push(" AS open, ");
        rsd(&mut sql, &format!("CASE WHEN s.kind = 'open' THEN {amount} * o.probability / 100.0 ELSE 0 END"), rate);
        sql.push(&format!(" AS weighted FROM opportunities o JOIN stages s ON s.id = o.stage_id{} WHERE o.close_date >= ", g.joins));
        sql.bind(from.format("%Y-%m-%d").to_string()).push(" AND o.close_date <= ").bind(to.format("%Y-%m-%d").to_string());
        sql.push(" AND s.kind IN ('open', 'won')");
        filters(&mut sql, actor, q);
        sql.push(" GROUP BY 1, 2, 3 ORDER BY 1, 2");
        type Row = (String, Option<String>, Option<String>, i64, i64, i64, i64, i64);
        let rows: Vec<Row> = sql.query_as().fetch_all(&db.pool).await?;
        Ok::<_, AppError>(
            rows.into_iter()
                .map(|(period, key, label, count, won_count, won, open, weighted)| ReportCell {
                    period,
                    key: key.unwrap_or_default(),
                    label: label.unwrap_or_default(),
                    count,
                    won_count,
                    won_minor: won,
                    open_minor: open,
                    weighted_minor: weighted,
                    ..Default::default()
                })
                .collect::<Vec<ReportCell>>(),
        )
    };
    let (cells, goals) = tokio::try_join!(cells, goals::revenue_targets(db, actor, period, &periods, q))?;
    let mut report = Report {
        from: from.format("%Y-%m-%d").to_string(),
        to: to.format("%Y-%m-%d").to_string(),
        period,
        group,
        periods,
        rows: collect_rows(&cells),
        cells,
        goals,
    };
    report.sort_rows(true);
    Ok(report)
}
