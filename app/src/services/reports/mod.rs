//! Reports over opportunities: the forecast (open pipeline and won deals by expected close period) and
//! the sales history (won deals against the same period a year earlier). Each is one GROUP BY in the
//! database over the viewer's visible deals, with money converted to the base currency (RSD) in SQL;
//! Rust only arranges the grouped rows into periods × rows.

pub mod adoption;
pub mod dashboard;
pub mod forecast;
pub mod health;
pub mod sales;

pub use forecast::forecast;
pub use sales::sales;

use super::{listing, visibility, Actor};
use crate::db::sql::Sql;
use crate::domain::reports::{GroupBy, Period, ReportCell, ReportQuery};
use crate::domain::validate::parse_date;
use chrono::NaiveDate;

/// The range asked for, or the report's default; `to` never before `from`.
pub(crate) fn range(q: &ReportQuery, default: (NaiveDate, NaiveDate)) -> (NaiveDate, NaiveDate) {
    let from = parse_date(&q.from).unwrap_or(default.0);
    let to = parse_date(&q.to).unwrap_or(default.1).max(from);
    (from, to)
}

/// The SQL naming the period of `o.close_date` ("2026-11", "2026-Q4", "2026"); the same text on
/// SQLite and Postgres.
pub(crate) fn period_expr(p: Period) -> &'static str {
    match p {
        Period::Month => "substr(o.close_date, 1, 7)",
        Period::Quarter => "substr(o.close_date, 1, 4) || '-Q' || CAST((CAST(substr(o.close_date, 6, 2) AS INTEGER) + 2) / 3 AS TEXT)",
        Period::Year => "substr(o.close_date, 1, 4)",
    }
}

/// How a grouping names its rows: key and label expressions, and the joins they need. By product
/// family the amounts are the deal's lines (a deal without lines counts whole, without a family).
pub(crate) struct Grouping {
    pub key: &'static str,
    pub label: &'static str,
    pub joins: &'static str,
    /// The money of one joined row.
    pub amount: &'static str,
}

impl Grouping {
    /// Does a deal come once per line (so counting deals needs DISTINCT)?
    fn per_line(&self) -> bool {
        self.joins.contains("opportunity_lines")
    }

    /// The SQL counting the deals of a group that meet `when` (all of them if None): a plain sum when
    /// each deal is one row — `COUNT(DISTINCT)` sorts every group, twice the cost on Postgres.
    pub fn count(&self, when: Option<&str>) -> String {
        match (self.per_line(), when) {
            (false, None) => "CAST(COUNT(*) AS BIGINT)".into(),
            (false, Some(c)) => format!("CAST(COALESCE(SUM(CASE WHEN {c} THEN 1 ELSE 0 END), 0) AS BIGINT)"),
            (true, None) => "CAST(COUNT(DISTINCT o.id) AS BIGINT)".into(),
            (true, Some(c)) => format!("CAST(COUNT(DISTINCT CASE WHEN {c} THEN o.id END) AS BIGINT)"),
        }
    }
}

pub(crate) fn grouping(g: GroupBy) -> Grouping {
    let plain = |key, label, joins| Grouping { key, label, joins, amount: "o.amount_minor" };
    match g {
        GroupBy::None => plain("''", "''", ""),
        GroupBy::Owner => plain("o.owner_id", "u.name", " JOIN users u ON u.id = o.owner_id"),
        GroupBy::Team => plain("COALESCE(o.team_id, 0)", "COALESCE(t.name, '')", " LEFT JOIN teams t ON t.id = o.team_id"),
        GroupBy::Region => plain("COALESCE(a.region, '')", "COALESCE(a.region, '')", " JOIN accounts a ON a.id = o.account_id"),
        GroupBy::Category => plain("COALESCE(a.category, '')", "COALESCE(a.category, '')", " JOIN accounts a ON a.id = o.account_id"),
        GroupBy::Account => plain("o.account_id", "a.name", " JOIN accounts a ON a.id = o.account_id"),
        GroupBy::ForecastCategory => plain("o.forecast_category", "o.forecast_category", ""),
        GroupBy::Stage => plain("o.stage_id", "s.name", ""),
        GroupBy::Family => Grouping {
            key: "COALESCE(p.family, '')",
            label: "COALESCE(p.family, '')",
            joins: " LEFT JOIN opportunity_lines l ON l.opportunity_id = o.id LEFT JOIN products p ON p.id = l.product_id",
            amount: "COALESCE(l.total_minor, o.amount_minor)",
        },
    }
}

/// The filters every report shares: visibility, owner, team, region, customer category and product
/// family (`o` is the opportunity).
pub(crate) fn filters(sql: &mut Sql, actor: &Actor, q: &ReportQuery) {
    visibility::restrict(sql, actor, "o");
    if let Some(owner) = listing::id_filter(&q.owner) {
        sql.push(" AND o.owner_id = ").bind(owner);
    }
    if let Some(team) = listing::id_filter(&q.team) {
        sql.push(" AND o.team_id = ").bind(team);
    }
    if !q.region.trim().is_empty() {
        sql.push(" AND EXISTS (SELECT 1 FROM accounts ra WHERE ra.id = o.account_id AND ra.region = ").bind(q.region.trim()).push(")");
    }
    if !q.category.trim().is_empty() {
        sql.push(" AND EXISTS (SELECT 1 FROM accounts ca WHERE ca.id = o.account_id AND ca.category = ").bind(q.category.trim()).push(")");
    }
    if !q.family.trim().is_empty() {
        sql.push(
            " AND o.id IN (SELECT fl.opportunity_id FROM opportunity_lines fl JOIN products fp ON fp.id = fl.product_id WHERE fp.family = ",
        )
        .bind(q.family.trim())
        .push(")");
    }
}

/// Pushes `SUM(expr)` in RSD minor units, rounded once (EUR at `rate` millionths), 0 when nothing.
pub(crate) fn rsd(sql: &mut Sql, expr: &str, rate: i64) {
    super::analysis::rsd_sum(sql, expr, "o.currency", rate);
}

/// The rows of a grouped query arranged as report cells, keeping every row's label once.
pub(crate) fn collect_rows(cells: &[ReportCell]) -> Vec<(String, String)> {
    let mut rows: Vec<(String, String)> = Vec::new();
    for c in cells {
        if !rows.iter().any(|r| r.0 == c.key) {
            rows.push((c.key.clone(), c.label.clone()));
        }
    }
    rows
}
