//! Activity and adoption: who signs in and keeps records, activities completed per person and week,
//! overdue work, data completeness per record kind, field and person (each figure one click from the
//! records behind it), and the best customers nobody has contacted lately. Everything is counted by
//! GROUP BY in the database; Rust only folds days into weeks.

use crate::db::sql::Sql;
use crate::db::Db;
use crate::domain::reports::*;
use crate::domain::validate::parse_date;
use crate::domain::Role;
use crate::error::AppError;
use crate::services::{analysis, clock, pipeline, visibility, Actor};
use chrono::{Duration, NaiveDate};
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet};

/// What a filled field is, per record kind: (kind, field, the SQL condition on the list's alias).
/// The lists use the same conditions for "missing", so a percentage opens exactly its records.
pub const FIELDS: &[(&str, &str, &str)] = &[
    ("accounts", "pib", "a.pib IS NOT NULL AND a.pib <> ''"),
    ("accounts", "phone", "a.phone IS NOT NULL AND a.phone <> ''"),
    ("accounts", "email", "a.email IS NOT NULL AND a.email <> ''"),
    ("accounts", "region", "a.region IS NOT NULL AND a.region <> ''"),
    ("accounts", "industry", "a.industry IS NOT NULL AND a.industry <> ''"),
    ("contacts", "email", "c.email IS NOT NULL AND c.email <> ''"),
    ("contacts", "phone", "(c.phone IS NOT NULL AND c.phone <> '') OR (c.mobile IS NOT NULL AND c.mobile <> '')"),
    ("contacts", "job_title", "c.job_title IS NOT NULL AND c.job_title <> ''"),
    ("contacts", "account", "c.account_id IS NOT NULL"),
    ("opportunities", "amount", "o.amount_minor > 0"),
    ("opportunities", "contact", "o.contact_id IS NOT NULL"),
    ("opportunities", "source", "o.source IS NOT NULL AND o.source <> ''"),
    ("opportunities", "lines", "EXISTS (SELECT 1 FROM opportunity_lines ml WHERE ml.opportunity_id = o.id)"),
    ("leads", "email", "l.email IS NOT NULL AND l.email <> ''"),
    ("leads", "phone", "l.phone IS NOT NULL AND l.phone <> ''"),
    ("leads", "source", "l.source_id IS NOT NULL"),
];

const KINDS: [(&str, &str); 4] = [("accounts", "a"), ("contacts", "c"), ("opportunities", "o"), ("leads", "l")];

/// Narrows a list to the records where `missing` (a field code of `entity`) is not filled.
pub fn missing_filter(sql: &mut Sql, entity: &str, missing: &str) {
    if let Some((_, _, cond)) = FIELDS.iter().find(|f| f.0 == entity && f.1 == missing.trim()) {
        sql.push(&format!(" AND NOT ({cond})"));
    }
}

/// A customer is neglected after this many days without a completed activity.
pub const NEGLECT_DAYS: i64 = 60;
const NEGLECTED_SHOWN: i64 = 20;

/// The users whose use the actor may see: admins everyone active, managers their team, others themselves.
async fn people(db: &Db, actor: &Actor) -> Result<Vec<(i64, String)>, AppError> {
    let mut sql = Sql::new("SELECT id, name FROM users WHERE active = 1");
    match (actor.role, actor.team_id) {
        (Role::Admin, _) => {}
        (Role::Manager, Some(t)) => {
            sql.push(" AND team_id = ").bind(t);
        }
        _ => {
            sql.push(" AND id = ").bind(actor.id);
        }
    }
    sql.push(" ORDER BY name, id");
    Ok(sql.query_as::<(i64, String)>().fetch_all(&db.pool).await?)
}

fn in_ids(sql: &mut Sql, col: &str, ids: &[i64]) {
    sql.push(&format!(" AND {col} IN (")).bind_list(ids).push(")");
}

/// Completeness of one record kind, per owner, under the visibility rule.
pub async fn completeness(db: &Db, actor: &Actor, entity: &str) -> Result<Completeness, AppError> {
    let Some((table, alias)) = KINDS.iter().find(|k| k.0 == entity).copied() else {
        return Err(AppError::NotFound);
    };
    let fields: Vec<&(&str, &str, &str)> = FIELDS.iter().filter(|f| f.0 == table).collect();
    let mut sql = Sql::new(&format!("SELECT {alias}.owner_id AS owner, u.name AS name, CAST(COUNT(*) AS BIGINT) AS n"));
    for (i, f) in fields.iter().enumerate() {
        sql.push(&format!(", CAST(SUM(CASE WHEN {} THEN 1 ELSE 0 END) AS BIGINT) AS f{i}", f.2));
    }
    sql.push(&format!(" FROM {table} {alias} JOIN users u ON u.id = {alias}.owner_id WHERE 1=1"));
    visibility::restrict(&mut sql, actor, alias);
    sql.push(" GROUP BY 1, 2 ORDER BY 2, 1");
    let mut rows = Vec::new();
    let mut total = FillRow { owner: String::new(), filled: vec![0; fields.len()], ..Default::default() };
    for r in sql.query().fetch_all(&db.pool).await? {
        let mut row = FillRow { owner_id: r.try_get("owner")?, owner: r.try_get("name")?, records: r.try_get("n")?, filled: Vec::new() };
        for i in 0..fields.len() {
            let v: i64 = r.try_get(format!("f{i}").as_str())?;
            total.filled[i] += v;
            row.filled.push(v);
        }
        total.records += row.records;
        rows.push(row);
    }
    Ok(Completeness { entity: table.to_string(), fields: fields.iter().map(|f| f.1.to_string()).collect(), rows, total })
}

/// The adoption report over [from, to] (ISO days; default the last four weeks).
pub async fn adoption(db: &Db, actor: &Actor, from: &str, to: &str) -> Result<Adoption, AppError> {
    let today = clock::today();
    let to = parse_date(to).unwrap_or(today);
    let from = parse_date(from).unwrap_or(week_start(to) - Duration::days(21)).min(to);
    let (start, end) = (clock::day_start(from), clock::day_start(to + Duration::days(1)));
    let people = people(db, actor).await?;
    let ids: Vec<i64> = people.iter().map(|p| p.0).collect();
    let mut users: Vec<UserUsage> =
        people.iter().map(|(id, name)| UserUsage { user_id: *id, name: name.clone(), ..Default::default() }).collect();
    let mut active: BTreeMap<NaiveDate, BTreeSet<i64>> = BTreeMap::new();
    let mut week = week_start(from);
    while week <= to {
        active.insert(week, BTreeSet::new());
        week += Duration::days(7);
    }
    let mut completed_weeks: BTreeMap<NaiveDate, BTreeMap<String, i64>> = active.keys().map(|w| (*w, BTreeMap::new())).collect();
    // Timestamps are UTC: counted per UTC hour in SQL, each hour then falls on its local day's week.
    let day_week = |hour: &str| parse_date(clock::to_local(&format!("{hour}:00:00Z")).get(..10).unwrap_or("")).map(week_start);

    if !ids.is_empty() {
        // Sign-ins per user, and who was active on which day (signed in or changed a record).
        let mut sql = Sql::new("SELECT user_id, CAST(COUNT(*) AS BIGINT) AS n, MAX(at) AS last FROM sign_ins WHERE at >= ");
        sql.bind(start.clone()).push(" AND at < ").bind(end.clone());
        in_ids(&mut sql, "user_id", &ids);
        sql.push(" GROUP BY user_id");
        for (id, n, last) in sql.query_as::<(i64, i64, Option<String>)>().fetch_all(&db.pool).await? {
            if let Some(u) = users.iter_mut().find(|u| u.user_id == id) {
                u.sign_ins = n;
                u.last_sign_in = last.map(|l| clock::to_local(&l));
            }
        }
        let mut sql = Sql::new("SELECT substr(at, 1, 13) AS h, user_id FROM sign_ins WHERE at >= ");
        sql.bind(start.clone()).push(" AND at < ").bind(end.clone());
        in_ids(&mut sql, "user_id", &ids);
        sql.push(" GROUP BY 1, 2 UNION SELECT substr(at, 1, 13) AS h, user_id FROM audit_entries WHERE at >= ");
        sql.bind(start.clone()).push(" AND at < ").bind(end.clone());
        in_ids(&mut sql, "user_id", &ids);
        sql.push(" GROUP BY 1, 2");
        for (day, user) in sql.query_as::<(String, i64)>().fetch_all(&db.pool).await? {
            if let Some(set) = day_week(&day).and_then(|w| active.get_mut(&w)) {
                set.insert(user);
            }
        }
        // Records created and changed (each record once per user).
        let mut sql = Sql::new(
            "SELECT user_id, action, CAST(COUNT(DISTINCT entity || ':' || CAST(record_id AS TEXT)) AS BIGINT) FROM audit_entries \
             WHERE action IN ('create', 'update') AND at >= ",
        );
        sql.bind(start.clone()).push(" AND at < ").bind(end.clone());
        in_ids(&mut sql, "user_id", &ids);
        sql.push(" GROUP BY 1, 2");
        for (id, action, n) in sql.query_as::<(i64, String, i64)>().fetch_all(&db.pool).await? {
            if let Some(u) = users.iter_mut().find(|u| u.user_id == id) {
                if action == "create" {
                    u.created = n;
                } else {
                    u.updated = n;
                }
            }
        }
        // Activities completed per owner, kind and day; open ones overdue.
        let mut sql = Sql::new(
            "SELECT x.owner_id, x.kind, substr(x.completed_at, 1, 13) AS h, CAST(COUNT(*) AS BIGINT) FROM activities x \
             WHERE x.status = 'completed' AND x.completed_at >= ",
        );
        sql.bind(start.clone()).push(" AND x.completed_at < ").bind(end.clone());
        in_ids(&mut sql, "x.owner_id", &ids);
        sql.push(" GROUP BY 1, 2, 3");
        for (id, kind, day, n) in sql.query_as::<(i64, String, String, i64)>().fetch_all(&db.pool).await? {
            if let Some(u) = users.iter_mut().find(|u| u.user_id == id) {
                match u.completed.iter_mut().find(|c| c.0 == kind) {
                    Some(c) => c.1 += n,
                    None => u.completed.push((kind.clone(), n)),
                }
            }
            if let Some(w) = day_week(&day).and_then(|w| completed_weeks.get_mut(&w)) {
                *w.entry(kind).or_default() += n;
            }
        }
        let mut sql = Sql::new("SELECT x.owner_id, CAST(COUNT(*) AS BIGINT) FROM activities x WHERE x.status = 'open' AND x.starts_at < ");
        sql.bind(clock::day_start(today));
        in_ids(&mut sql, "x.owner_id", &ids);
        sql.push(" GROUP BY 1");
        for (id, n) in sql.query_as::<(i64, i64)>().fetch_all(&db.pool).await? {
            if let Some(u) = users.iter_mut().find(|u| u.user_id == id) {
                u.overdue = n;
            }
        }
    }
    for u in &mut users {
        u.completed.sort();
    }

    let mut completeness_all = Vec::new();
    for (kind, _) in KINDS {
        completeness_all.push(completeness(db, actor, kind).await?);
    }
    Ok(Adoption {
        from: from.format("%Y-%m-%d").to_string(),
        to: to.format("%Y-%m-%d").to_string(),
        active_by_week: active.into_iter().map(|(w, set)| (w.format("%Y-%m-%d").to_string(), set.len() as i64)).collect(),
        completed_by_week: completed_weeks.into_iter().map(|(w, m)| (w.format("%Y-%m-%d").to_string(), m.into_iter().collect())).collect(),
        users,
        completeness: completeness_all,
        neglect_days: NEGLECT_DAYS,
        neglected: neglected(db, actor, today).await?,
    })
}

/// The visible customers with the most won revenue in the last twelve months and no completed
/// activity in the last `NEGLECT_DAYS` days.
async fn neglected(db: &Db, actor: &Actor, today: NaiveDate) -> Result<Vec<Neglected>, AppError> {
    let rate = pipeline::eur_rate(db).await?;
    let year_ago = (today - Duration::days(365)).format("%Y-%m-%d").to_string();
    let cutoff = clock::day_start(today - Duration::days(NEGLECT_DAYS));
    let mut sql = Sql::new("SELECT w.account_id, a.name, u.name, w.won, (SELECT MAX(x.starts_at) FROM activities x WHERE x.account_id = a.id AND x.status = 'completed') FROM (SELECT o.account_id, ");
    analysis::rsd_sum(&mut sql, "o.amount_minor", "o.currency", rate);
    sql.push(" AS won FROM opportunities o JOIN stages s ON s.id = o.stage_id WHERE s.kind = 'won' AND o.close_date >= ").bind(year_ago);
    visibility::restrict(&mut sql, actor, "o");
    sql.push(" GROUP BY o.account_id) w JOIN accounts a ON a.id = w.account_id JOIN users u ON u.id = a.owner_id WHERE NOT EXISTS (SELECT 1 FROM activities y WHERE y.account_id = a.id AND y.status = 'completed' AND y.starts_at >= ");
    sql.bind(cutoff).push(")");
    visibility::restrict(&mut sql, actor, "a");
    sql.push(" ORDER BY w.won DESC, a.id LIMIT ").bind(NEGLECTED_SHOWN);
    let rows = sql.query_as::<(i64, String, String, i64, Option<String>)>().fetch_all(&db.pool).await?;
    Ok(rows
        .into_iter()
        .map(|(account_id, name, owner, won_minor, last)| Neglected {
            account_id,
            name,
            owner,
            won_minor,
            last_contact: last.map(|l| clock::to_local(&l).chars().take(10).collect()),
        })
        .collect())
}
