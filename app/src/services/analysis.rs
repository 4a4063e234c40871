//! Win/loss analysis, customer profitability and cross-sell hints: aggregate queries over the
//! viewer's visible deals (the one visibility rule), summed in the database, values in the base
//! currency (RSD) at today's rate.

use super::products::sees_cost;
use super::{listing, visibility, Actor};
use crate::db::sql::Sql;
use crate::db::Db;
use crate::domain::competition::*;
use crate::domain::validate::parse_date;
use crate::error::AppError;

/// Pushes `SUM(expr)` converted to RSD minor units (EUR at `rate` millionths), 0 when nothing.
pub fn rsd_sum(sql: &mut Sql, expr: &str, currency_col: &str, rate: i64) {
    sql.push(&format!("CAST(COALESCE(ROUND(SUM(CAST({expr} AS DOUBLE PRECISION) * CASE WHEN {currency_col} = 'EUR' THEN "));
    sql.bind(rate);
    sql.push(" ELSE 1000000 END / 1000000.0)), 0) AS BIGINT)");
}

/// Pushes the won count, lost count, won value and lost value columns (needs `o` and `s` = its stage).
pub fn win_record_columns(sql: &mut Sql, rate: i64) {
    sql.push("CAST(COALESCE(SUM(CASE WHEN s.kind = 'won' THEN 1 ELSE 0 END), 0) AS BIGINT) AS won, ");
    sql.push("CAST(COALESCE(SUM(CASE WHEN s.kind = 'lost' THEN 1 ELSE 0 END), 0) AS BIGINT) AS lost, ");
    rsd_sum(sql, "CASE WHEN s.kind = 'won' THEN o.amount_minor ELSE 0 END", "o.currency", rate);
    sql.push(" AS won_minor, ");
    rsd_sum(sql, "CASE WHEN s.kind = 'lost' THEN o.amount_minor ELSE 0 END", "o.currency", rate);
    sql.push(" AS lost_minor");
}

/// `SELECT` + the win-record columns; the caller adds FROM and WHERE.
pub fn win_record_select(rate: i64) -> Sql {
    let mut sql = Sql::new("SELECT ");
    win_record_columns(&mut sql, rate);
    sql
}

/// Closed deals within the query's period, owner, team and region, visible to the actor.
fn closed_filters(sql: &mut Sql, actor: &Actor, q: &AnalysisQuery) {
    sql.push(" AND s.kind IN ('won', 'lost')");
    visibility::restrict(sql, actor, "o");
    if let Some(d) = parse_date(&q.from) {
        sql.push(" AND o.close_date >= ").bind(d.format("%Y-%m-%d").to_string());
    }
    if let Some(d) = parse_date(&q.to) {
        sql.push(" AND o.close_date <= ").bind(d.format("%Y-%m-%d").to_string());
    }
    if let Some(owner) = listing::id_filter(&q.owner) {
        sql.push(" AND o.owner_id = ").bind(owner);
    }
    if let Some(team) = listing::id_filter(&q.team) {
        sql.push(" AND o.team_id = ").bind(team);
    }
    if !q.region.trim().is_empty() {
        sql.push(" AND o.account_id IN (SELECT r.id FROM accounts r WHERE r.region = ").bind(q.region.trim()).push(")");
    }
}

/// A grouped win record: `key_expr` and `label_expr` name each group; `from` joins what they need.
async fn grouped(
    db: &Db,
    actor: &Actor,
    q: &AnalysisQuery,
    rate: i64,
    key_expr: &str,
    label_expr: &str,
    from: &str,
) -> Result<Vec<WinRecord>, AppError> {
    let mut sql = Sql::new(&format!("SELECT CAST({key_expr} AS TEXT) AS k, {label_expr} AS l, "));
    win_record_columns(&mut sql, rate);
    sql.push(&format!(" FROM opportunities o JOIN stages s ON s.id = o.stage_id {from} WHERE 1=1"));
    closed_filters(&mut sql, actor, q);
    sql.push(" GROUP BY 1, 2 ORDER BY 3 DESC, 4 DESC, 2 LIMIT 50");
    type Group = (Option<String>, Option<String>, i64, i64, i64, i64);
    let rows: Vec<Group> = sql.query_as().fetch_all(&db.pool).await?;
    Ok(rows
        .into_iter()
        .map(|r| WinRecord {
            key: r.0.unwrap_or_default(),
            label: r.1.unwrap_or_default(),
            won: r.2,
            lost: r.3,
            won_minor: r.4,
            lost_minor: r.5,
        })
        .collect())
}

pub async fn win_loss(db: &Db, actor: &Actor, q: &AnalysisQuery) -> Result<WinLoss, AppError> {
    let rate = super::currency::eur_rate(db).await?;
    let overall = {
        let mut sql = win_record_select(rate);
        sql.push(" FROM opportunities o JOIN stages s ON s.id = o.stage_id WHERE 1=1");
        closed_filters(&mut sql, actor, q);
        let (won, lost, won_minor, lost_minor): (i64, i64, i64, i64) = sql.query_as().fetch_one(&db.pool).await?;
        WinRecord { key: String::new(), label: String::new(), won, lost, won_minor, lost_minor }
    };
    let by_competitor = grouped(
        db,
        actor,
        q,
        rate,
        "c.competitor_id",
        "ca.name",
        "JOIN (SELECT oc.competitor_id, oc.opportunity_id FROM opportunity_competitors oc \
         UNION SELECT o2.won_by_id, o2.id FROM opportunities o2 WHERE o2.won_by_id IS NOT NULL) c ON c.opportunity_id = o.id \
         JOIN accounts ca ON ca.id = c.competitor_id",
    )
    .await?;
    let by_family = grouped(
        db,
        actor,
        q,
        rate,
        "f.family",
        "f.family",
        "JOIN (SELECT DISTINCT l.opportunity_id, p.family FROM opportunity_lines l JOIN products p ON p.id = l.product_id) f ON f.opportunity_id = o.id",
    )
    .await?;
    let by_region =
        grouped(db, actor, q, rate, "COALESCE(a.region, '')", "COALESCE(a.region, '')", "JOIN accounts a ON a.id = o.account_id").await?;
    let by_owner = grouped(db, actor, q, rate, "o.owner_id", "u.name", "JOIN users u ON u.id = o.owner_id").await?;
    let quarter = "substr(o.close_date, 1, 4) || '-Q' || CAST((CAST(substr(o.close_date, 6, 2) AS INTEGER) + 2) / 3 AS TEXT)";
    let mut by_quarter = grouped(db, actor, q, rate, quarter, quarter, "").await?;
    by_quarter.sort_by(|a, b| a.key.cmp(&b.key));
    let reasons = {
        let mut sql = Sql::new("SELECT o.close_reason_id, COUNT(*) AS n, ");
        rsd_sum(&mut sql, "o.amount_minor", "o.currency", rate);
        sql.push(" AS v FROM opportunities o JOIN stages s ON s.id = o.stage_id WHERE o.close_reason_id IS NOT NULL");
        closed_filters(&mut sql, actor, q);
        sql.push(" AND s.kind = 'lost' GROUP BY o.close_reason_id ORDER BY n DESC");
        let rows: Vec<(i64, i64, i64)> = sql.query_as().fetch_all(&db.pool).await?;
        let lists = super::picklists::load(db).await?;
        rows.into_iter()
            .filter_map(|(r, n, v)| {
                lists.loss_reasons.iter().find(|p| p.id == r).map(|p| ReasonCount { reason: p.clone(), count: n, value_minor: v })
            })
            .collect()
    };
    Ok(WinLoss { overall, by_competitor, reasons, by_family, by_region, by_owner, by_quarter })
}

/// The most and least profitable customers over won deals in the period: by margin (won value less
/// the cost of the lines, for deals whose every line has a cost) for managers and admins, by won
/// revenue for everyone else — who never receives a margin.
pub async fn profitability(db: &Db, actor: &Actor, q: &AnalysisQuery) -> Result<Profitability, AppError> {
    let rate = super::currency::eur_rate(db).await?;
    let margin = sees_cost(actor);
    let query = |ascending: bool| {
        let mut sql = Sql::new("SELECT o.account_id, a.name, COUNT(*) AS deals, ");
        rsd_sum(&mut sql, "o.amount_minor", "o.currency", rate);
        sql.push(" AS revenue, ");
        if margin {
            rsd_sum(&mut sql, "CASE WHEN lc.cost IS NOT NULL THEN o.amount_minor - lc.cost END", "o.currency", rate);
            sql.push(" AS margin, CAST(COUNT(lc.cost) AS BIGINT) AS costed");
        } else {
            sql.push("CAST(0 AS BIGINT) AS margin, CAST(0 AS BIGINT) AS costed");
        }
        sql.push(" FROM opportunities o JOIN stages s ON s.id = o.stage_id JOIN accounts a ON a.id = o.account_id");
        if margin {
            sql.push(
                " LEFT JOIN (SELECT l.opportunity_id, SUM((l.quantity_milli * l.unit_cost_minor + 500) / 1000) AS cost FROM opportunity_lines l \
                 GROUP BY l.opportunity_id HAVING COUNT(*) = COUNT(l.unit_cost_minor)) lc ON lc.opportunity_id = o.id",
            );
        }
        sql.push(" WHERE s.kind = 'won'");
        closed_filters(&mut sql, actor, q);
        let rank = if margin { "margin" } else { "revenue" };
        let dir = if ascending { "ASC" } else { "DESC" };
        sql.push(" GROUP BY o.account_id, a.name");
        if margin {
            // Ranked by margin: only customers whose margin is known (a deal with costed lines).
            sql.push(" HAVING COUNT(lc.cost) > 0");
        }
        sql.push(&format!(" ORDER BY {rank} {dir}, o.account_id LIMIT 10"));
        sql
    };
    let to_rows = |rows: Vec<(i64, String, i64, i64, i64, i64)>| {
        rows.into_iter()
            .map(|r| ProfitRow {
                account_id: r.0,
                name: r.1,
                deals: r.2,
                revenue_minor: r.3,
                margin_minor: (margin && r.5 > 0).then_some(r.4),
            })
            .collect::<Vec<_>>()
    };
    let most = to_rows(query(false).query_as().fetch_all(&db.pool).await?);
    let least = to_rows(query(true).query_as().fetch_all(&db.pool).await?);
    Ok(Profitability { most, least, sees_margin: margin })
}

/// Product families that similar accounts (same industry or same category) bought in won deals and
/// this account has not, with how many such accounts and their revenue from the family.
pub async fn cross_sell(db: &Db, actor: &Actor, account_id: i64) -> Result<Vec<CrossSell>, AppError> {
    cross_sell_on(&mut *db.pool.acquire().await?, db.backend, actor, account_id).await
}

/// [`cross_sell`] on a connection the caller holds: the account (visible to the actor, or not found),
/// the rate and the hints.
pub async fn cross_sell_on(
    conn: &mut sqlx::AnyConnection,
    backend: crate::db::Backend,
    actor: &Actor,
    account_id: i64,
) -> Result<Vec<CrossSell>, AppError> {
    let mut sql = Sql::new("SELECT a.industry, a.category FROM accounts a WHERE a.id = ");
    sql.bind(account_id);
    visibility::restrict(&mut sql, actor, "a");
    let (industry, category): (Option<String>, Option<String>) =
        sql.query_as().fetch_optional(&mut *conn).await?.ok_or(AppError::NotFound)?;
    let industry = industry.filter(|s| !s.trim().is_empty());
    let category = category.as_deref().and_then(crate::domain::Category::parse).map(|c| c.code().to_string());
    if industry.is_none() && category.is_none() {
        return Ok(Vec::new());
    }
    let rate = super::currency::eur_rate_on(&mut *conn).await?;
    let mut sql = Sql::new("SELECT p.family, COUNT(DISTINCT o.account_id) AS accounts, ");
    rsd_sum(&mut sql, "l.total_minor", "o.currency", rate);
    // Driven from the deals' lines: SQLite otherwise starts from every won opportunity and every similar
    // account, even when no deal has a line. CROSS JOIN is SQLite's way to fix the join order; Postgres
    // plans the plain joins well.
    let j = if backend == crate::db::Backend::Sqlite { "CROSS JOIN" } else { "JOIN" };
    sql.push(&format!(
        " AS revenue FROM opportunity_lines l {j} opportunities o ON o.id = l.opportunity_id {j} stages s ON s.id = o.stage_id \
         {j} products p ON p.id = l.product_id {j} accounts a ON a.id = o.account_id WHERE s.kind = 'won' AND o.account_id <> "
    ));
    sql.bind(account_id).push(" AND (1=0");
    if let Some(i) = industry {
        sql.push(" OR a.industry = ").bind(i);
    }
    if let Some(c) = category {
        sql.push(" OR a.category = ").bind(c);
    }
    sql.push(
        ") AND p.family NOT IN (SELECT p2.family FROM opportunity_lines l2 JOIN opportunities o2 ON o2.id = l2.opportunity_id \
         JOIN stages s2 ON s2.id = o2.stage_id JOIN products p2 ON p2.id = l2.product_id WHERE s2.kind = 'won' AND o2.account_id = ",
    );
    sql.bind(account_id).push(")");
    visibility::restrict(&mut sql, actor, "o");
    sql.push(" GROUP BY p.family ORDER BY accounts DESC, revenue DESC, p.family LIMIT 5");
    let rows: Vec<(String, i64, i64)> = sql.query_as().fetch_all(&mut *conn).await?;
    Ok(rows.into_iter().map(|(family, accounts, revenue_minor)| CrossSell { family, accounts, revenue_minor }).collect())
}
