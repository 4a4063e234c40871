//! The sales history: won revenue and deals by month, quarter or year, by salesperson, team, region,
//! product family, customer category or account, with the same period a year earlier beside it.

use super::{collect_rows, filters, grouping, period_expr, range, rsd};
use crate::clock;
use crate::db::sql::Sql;
use crate::db::Db;
use crate::domain::reports::{sales_range, shift_key, year_earlier, GroupBy, Report, ReportCell, ReportQuery};
use crate::error::AppError;
use crate::services::{currency, Actor};

/// By account the report shows the accounts with the most won revenue in the range.
pub const TOP_ACCOUNTS: i64 = 20;

pub async fn sales(db: &Db, actor: &Actor, q: &ReportQuery) -> Result<Report, AppError> {
    let (from, to) = range(q, sales_range(clock::today()));
    let (prior_from, prior_to) = (year_earlier(from), year_earlier(to));
    let period = q.period();
    let group = q.group_in(&GroupBy::SALES);
    let g = grouping(group);
    let rate = currency::eur_rate(db).await?;
    let iso = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    let won_in = |sql: &mut Sql, from: &str, to: &str| {
        sql.push(" WHERE s.kind = 'won' AND o.close_date >= ").bind(from.to_string()).push(" AND o.close_date <= ").bind(to.to_string());
        filters(sql, actor, q);
    };

    let top: Option<Vec<i64>> = if group == GroupBy::Account {
        let mut sql = Sql::new("SELECT o.account_id FROM opportunities o JOIN stages s ON s.id = o.stage_id");
        won_in(&mut sql, &iso(from), &iso(to));
        sql.push(" GROUP BY o.account_id ORDER BY ");
        rsd(&mut sql, "o.amount_minor", rate);
        sql.push(" DESC, o.account_id LIMIT ").bind(TOP_ACCOUNTS);
        Some(sql.query_as::<(i64,)>().fetch_all(&db.pool).await?.into_iter().map(|r| r.0).collect())
    } else {
        None
    };

    // The range, then the same range a year earlier (each its own GROUP BY: a range longer than a year
    // holds deals that are both a period's own and the year-earlier figure of a later period).
    let mut cells: Vec<ReportCell> = Vec::new();
    for (current, a, b) in [(true, from, to), (false, prior_from, prior_to)] {
        let mut sql = Sql::new(&format!(
            "SELECT {} AS p, CAST({} AS TEXT) AS k, {} AS l, {} AS n, ",
            period_expr(period),
            g.key,
            g.label,
            g.count(None)
        ));
        rsd(&mut sql, g.amount, rate);
        sql.push(&format!(" AS won FROM opportunities o JOIN stages s ON s.id = o.stage_id{}", g.joins));
        won_in(&mut sql, &iso(a), &iso(b));
        if let Some(ids) = &top {
            if ids.is_empty() {
                sql.push(" AND 1 = 0");
            } else {
                sql.push(" AND o.account_id IN (").bind_list(ids).push(")");
            }
        }
        sql.push(" GROUP BY 1, 2, 3 ORDER BY 1, 2");
        type Row = (String, Option<String>, Option<String>, i64, i64);
        let rows: Vec<Row> = sql.query_as().fetch_all(&db.pool).await?;
        for (p, key, label, count, won) in rows {
            let (key, label) = (key.unwrap_or_default(), label.unwrap_or_default());
            // A year-earlier row is shown beside the period it precedes by a year.
            let period_key = if current { p } else { shift_key(&p, 1) };
            let cell = match cells.iter_mut().find(|c| c.period == period_key && c.key == key) {
                Some(c) => c,
                None => {
                    cells.push(ReportCell { period: period_key, key, label, ..Default::default() });
                    cells.last_mut().expect("just pushed")
                }
            };
            if current {
                cell.count += count;
                cell.won_count += count;
                cell.won_minor += won;
            } else {
                cell.prior_count += count;
                cell.prior_minor += won;
            }
        }
    }
    let mut report = Report {
        from: iso(from),
        to: iso(to),
        period,
        group,
        periods: period.keys_between(from, to),
        rows: collect_rows(&cells),
        cells,
        goals: Vec::new(),
    };
    report.sort_rows(false);
    Ok(report)
}
