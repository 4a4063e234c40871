//! Pipeline health: the funnel (how many deals created in a range reached each stage, and how long
//! they stayed), deal size and sales-cycle length of won deals, the age of open deals, deals slipping
//! (expected close date moved later), and leads by source down to won revenue. Aggregates in SQL on
//! both backends; only date differences are written per backend.

use super::ReportQuery;
use crate::clock;
use crate::db::sql::Sql;
use crate::db::{Backend, Db};
use crate::domain::reports::*;
use crate::error::AppError;
use crate::services::{analysis, currency, visibility, Actor};
use chrono::Duration;

/// Most slipping deals listed.
pub const SLIPPING_SHOWN: i64 = 20;

/// Days between two stored timestamps or dates (text), as a floating-point SQL expression.
fn days_between(backend: Backend, from: &str, to: &str) -> String {
    match backend {
        Backend::Sqlite => format!("(julianday({to}) - julianday({from}))"),
        Backend::Postgres => format!("(EXTRACT(EPOCH FROM (CAST({to} AS TIMESTAMPTZ) - CAST({from} AS TIMESTAMPTZ))) / 86400.0)"),
    }
}

/// The company-time date of a stored UTC timestamp column, as SQL with one NUL placeholder and the value
/// to bind there: Postgres converts in the zone itself; SQLite (no zone database) shifts by the zone's
/// offset today.
fn local_date(backend: Backend, col: &str) -> (String, String) {
    use chrono::Offset;
    match backend {
        Backend::Postgres => (format!("CAST(timezone(\u{0}, CAST({col} AS TIMESTAMPTZ)) AS DATE)"), clock::zone().name().to_string()),
        Backend::Sqlite => {
            let offset = chrono::Utc::now().with_timezone(&clock::zone()).offset().fix().local_minus_utc();
            (format!("date({col}, \u{0})"), format!("{offset:+} seconds"))
        }
    }
}

/// Pushes `text`, binding `values` in turn where it holds a NUL placeholder.
fn push_with(sql: &mut Sql, text: &str, values: &[String]) {
    for (i, part) in text.split('\u{0}').enumerate() {
        if i > 0 {
            sql.bind(values[i - 1].clone());
        }
        sql.push(part);
    }
}

pub async fn health(db: &Db, actor: &Actor, q: &ReportQuery) -> Result<Health, AppError> {
    let today = clock::today();
    let (from, to) = super::range(q, (today - Duration::days(365), today));
    let iso = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    let (start, end) = (clock::day_start(from), clock::day_start(to + Duration::days(1)));
    let rate = currency::eur_rate(db).await?;
    let backend = db.backend;

    // Deals created in the range, and those of them won.
    let mut sql = Sql::new("SELECT CAST(COUNT(*) AS BIGINT), CAST(COALESCE(SUM(CASE WHEN s.kind = 'won' THEN 1 ELSE 0 END), 0) AS BIGINT) FROM opportunities o JOIN stages s ON s.id = o.stage_id WHERE o.created_at >= ");
    sql.bind(start.clone()).push(" AND o.created_at < ").bind(end.clone());
    super::filters(&mut sql, actor, q);
    let (created, won_of_created) = sql.query_as::<(i64, i64)>().fetch_one(&db.pool).await?;

    // The funnel: per open stage, the deals created in the range that ever reached it or a later one.
    let mut sql = Sql::new(
        "SELECT st.id, st.name, CAST(COUNT(DISTINCT o.id) AS BIGINT) FROM stages st \
         JOIN opportunity_stage_changes c ON 1 = 1 JOIN stages cs ON cs.id = c.to_stage_id \
         JOIN opportunities o ON o.id = c.opportunity_id \
         WHERE st.kind = 'open' AND st.active = 1 AND (cs.kind = 'won' OR (cs.kind = 'open' AND cs.position >= st.position)) AND o.created_at >= ",
    );
    sql.bind(start.clone()).push(" AND o.created_at < ").bind(end.clone());
    super::filters(&mut sql, actor, q);
    sql.push(" GROUP BY st.id, st.name, st.position ORDER BY st.position");
    let reached = sql.query_as::<(i64, String, i64)>().fetch_all(&db.pool).await?;

    // Average stay per stage: from each change to the deal's next one (or now, for the current stage).
    let next = "(SELECT MIN(n.changed_at) FROM opportunity_stage_changes n WHERE n.opportunity_id = c.opportunity_id AND n.id > c.id)";
    let mut sql2 = Sql::new("SELECT c.to_stage_id, CAST(ROUND(AVG(");
    push_with(&mut sql2, &days_between(backend, "c.changed_at", &format!("COALESCE({next}, \u{0})")), &[crate::db::now()]);
    sql2.push(") * 10) AS BIGINT) FROM opportunity_stage_changes c JOIN opportunities o ON o.id = c.opportunity_id WHERE o.created_at >= ");
    sql2.bind(start.clone()).push(" AND o.created_at < ").bind(end.clone());
    super::filters(&mut sql2, actor, q);
    sql2.push(" GROUP BY c.to_stage_id");
    let stays = sql2.query_as::<(i64, Option<i64>)>().fetch_all(&db.pool).await?;
    let funnel = reached
        .into_iter()
        .map(|(stage_id, stage, reached)| FunnelStep {
            stage_id,
            stage,
            reached,
            avg_days_x10: stays.iter().find(|s| s.0 == stage_id).and_then(|s| s.1),
        })
        .collect();

    // Won deals closed in the range: size and cycle.
    let mut sql = Sql::new("SELECT CAST(COUNT(*) AS BIGINT), ");
    analysis::rsd_sum(&mut sql, "o.amount_minor", "o.currency", rate);
    // From the creation day in the company's time zone (the close date is one) to the close date.
    sql.push(", CAST(ROUND(AVG(");
    let (local_created, zone_arg) = local_date(backend, "o.created_at");
    push_with(&mut sql, &days_between(backend, &local_created, "o.close_date"), &[zone_arg]);
    sql.push(")) AS BIGINT) FROM opportunities o JOIN stages s ON s.id = o.stage_id WHERE s.kind = 'won' AND o.close_date >= ");
    sql.bind(iso(from)).push(" AND o.close_date <= ").bind(iso(to));
    super::filters(&mut sql, actor, q);
    let (won_closed, won_sum, avg_cycle) = sql.query_as::<(i64, i64, Option<i64>)>().fetch_one(&db.pool).await?;

    // Open deals by age.
    let mut case = String::from("CASE");
    let mut bounds = Vec::new();
    for days in AGE_BUCKETS {
        case.push_str(&format!(" WHEN o.created_at >= \u{0} THEN {days}"));
        bounds.push(clock::day_start(today - Duration::days(days)));
    }
    case.push_str(" ELSE 0 END");
    let mut sql = Sql::new("SELECT ");
    push_with(&mut sql, &case, &bounds);
    sql.push(", CAST(COUNT(*) AS BIGINT), ");
    analysis::rsd_sum(&mut sql, "o.amount_minor", "o.currency", rate);
    sql.push(" FROM opportunities o JOIN stages s ON s.id = o.stage_id WHERE s.kind = 'open'");
    super::filters(&mut sql, actor, q);
    sql.push(" GROUP BY 1");
    let ages = sql.query_as::<(i64, i64, i64)>().fetch_all(&db.pool).await?;
    let mut younger: Option<i64> = None;
    let ageing = AGE_BUCKETS
        .iter()
        .map(|d| Some(*d))
        .chain([None])
        .map(|max| {
            let key = max.unwrap_or(0);
            let (count, value) = ages.iter().find(|a| a.0 == key).map(|a| (a.1, a.2)).unwrap_or((0, 0));
            // Created on or after `today - max` and before the younger bucket's first day.
            let created_from = max.map(|d| iso(today - Duration::days(d))).unwrap_or_default();
            let created_to = younger.map(|p| iso(today - Duration::days(p + 1))).unwrap_or_default();
            younger = max.or(younger);
            AgeBucket { max_days: max, count, value_minor: value, created_from, created_to }
        })
        .collect();

    // Slipping: open deals whose close date was moved later within the range.
    // The first close date in the range: the value its first change in the range replaced.
    let mut sql = Sql::new("");
    push_with(
        &mut sql,
        "SELECT o.id, o.name, u.name, o.amount_minor, o.currency, o.close_date, CAST(COUNT(*) AS BIGINT), \
         (SELECT f.old_value FROM audit_entries f WHERE f.entity = 'opportunity' AND f.record_id = o.id AND f.field = 'close_date' \
         AND f.action = 'update' AND f.at >= \u{0} ORDER BY f.id LIMIT 1) \
         FROM audit_entries e JOIN opportunities o ON o.id = e.record_id JOIN stages s ON s.id = o.stage_id JOIN users u ON u.id = o.owner_id \
         WHERE e.entity = 'opportunity' AND e.field = 'close_date' AND e.action = 'update' AND e.new_value > e.old_value AND s.kind = 'open' AND e.at >= ",
        std::slice::from_ref(&start),
    );
    sql.bind(start.clone()).push(" AND e.at < ").bind(end.clone());
    super::filters(&mut sql, actor, q);
    sql.push(" GROUP BY o.id, o.name, u.name, o.amount_minor, o.currency, o.close_date ORDER BY 7 DESC, o.amount_minor DESC, o.id LIMIT ")
        .bind(SLIPPING_SHOWN);
    type SlipRow = (i64, String, String, i64, String, String, i64, Option<String>);
    let slipping = sql
        .query_as::<SlipRow>()
        .fetch_all(&db.pool)
        .await?
        .into_iter()
        .map(|(id, name, owner, amount_minor, currency, close_date, pushes, first)| Slipping {
            id,
            name,
            owner,
            amount_minor,
            currency,
            close_date,
            pushes,
            first_close: first.unwrap_or_default(),
        })
        .collect();

    // Leads by source, created in the range.
    let mut sql = Sql::new(
        "SELECT l.source_id, CAST(COUNT(DISTINCT l.id) AS BIGINT), \
         CAST(COUNT(DISTINCT CASE WHEN l.status = 'qualified' THEN l.id END) AS BIGINT), CAST(COUNT(DISTINCT o.id) AS BIGINT), \
         CAST(COUNT(DISTINCT CASE WHEN s.kind = 'won' THEN o.id END) AS BIGINT), ",
    );
    analysis::rsd_sum(&mut sql, "CASE WHEN s.kind = 'won' THEN o.amount_minor ELSE 0 END", "o.currency", rate);
    sql.push(" FROM leads l LEFT JOIN opportunities o ON o.lead_id = l.id LEFT JOIN stages s ON s.id = o.stage_id WHERE l.created_at >= ");
    sql.bind(start).push(" AND l.created_at < ").bind(end);
    visibility::restrict(&mut sql, actor, "l");
    if let Some(owner) = crate::services::listing::id_filter(&q.owner) {
        sql.push(" AND l.owner_id = ").bind(owner);
    }
    if let Some(team) = crate::services::listing::id_filter(&q.team) {
        sql.push(" AND l.team_id = ").bind(team);
    }
    sql.push(" GROUP BY l.source_id ORDER BY 2 DESC");
    let sources = sql
        .query_as::<(Option<i64>, i64, i64, i64, i64, i64)>()
        .fetch_all(&db.pool)
        .await?
        .into_iter()
        .map(|(source_id, leads, qualified, opportunities, won_count, won_minor)| SourceRow {
            source_id,
            leads,
            qualified,
            opportunities,
            won_count,
            won_minor,
        })
        .collect();

    Ok(Health {
        from: iso(from),
        to: iso(to),
        created,
        won_of_created,
        funnel,
        won_closed,
        avg_won_minor: (won_closed > 0).then(|| won_sum / won_closed),
        avg_cycle_days: avg_cycle,
        ageing,
        slipping,
        sources,
    })
}
