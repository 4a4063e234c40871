//! Activity and adoption: who signs in and keeps records, activities completed per person and week,
//! overdue work, data completeness per record kind, field and person (each figure one click from the
//! records behind it), and the best customers nobody has contacted lately. Everything is counted by
//! GROUP BY in the database; Rust only folds days into weeks.

use crate::clock;
use crate::db::sql::Sql;
use crate::db::Db;
use crate::domain::reports::*;
use crate::domain::validate::parse_date;
use crate::domain::Role;
use crate::error::AppError;
use crate::services::{analysis, currency, listing, visibility, Actor};
use chrono::{Duration, NaiveDate};
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet};

const KINDS: [(&str, &str); 4] = [("accounts", "a"), ("contacts", "c"), ("opportunities", "o"), ("leads", "l")];

const NEGLECTED_SHOWN: i64 = 20;

/// The users whose use the actor may see (admins everyone active, managers their team, others
/// themselves), narrowed to the report's team and owner.
async fn people(db: &Db, actor: &Actor, q: &ReportQuery) -> Result<Vec<(i64, String)>, AppError> {
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
    if let Some(team) = listing::id_filter(&q.team) {
        sql.push(" AND team_id = ").bind(team);
    }
    if let Some(owner) = listing::id_filter(&q.owner) {
        sql.push(" AND id = ").bind(owner);
    }
    sql.push(" ORDER BY name, id");
    Ok(sql.query_as::<(i64, String)>().fetch_all(&db.pool).await?)
}

/// The report's owner and team filters on a record kind's alias.
fn owner_team(sql: &mut Sql, q: &ReportQuery, alias: &str) {
    if let Some(team) = listing::id_filter(&q.team) {
        sql.push(&format!(" AND {alias}.team_id = ")).bind(team);
    }
    if let Some(owner) = listing::id_filter(&q.owner) {
        sql.push(&format!(" AND {alias}.owner_id = ")).bind(owner);
    }
}

fn in_ids(sql: &mut Sql, col: &str, ids: &[i64]) {
    sql.push(&format!(" AND {col} IN (")).bind_list(ids).push(")");
}

/// Completeness of one record kind, per owner and per team of the records, under the visibility rule
/// and the report's owner and team filters.
pub async fn completeness(db: &Db, actor: &Actor, entity: &str, q: &ReportQuery) -> Result<Completeness, AppError> {
    let Some((table, alias)) = KINDS.iter().find(|k| k.0 == entity).copied() else {
        return Err(AppError::NotFound);
    };
    let fields: Vec<&(&str, &str, &str)> = listing::FIELDS.iter().filter(|f| f.0 == table).collect();
    let mut sql = Sql::new(&format!(
        "SELECT {alias}.owner_id AS owner, u.name AS name, COALESCE({alias}.team_id, 0) AS team, tm.name AS team_name, CAST(COUNT(*) AS BIGINT) AS n"
    ));
    for (i, f) in fields.iter().enumerate() {
        sql.push(&format!(", CAST(SUM(CASE WHEN {} THEN 1 ELSE 0 END) AS BIGINT) AS f{i}", f.2));
    }
    sql.push(&format!(
        " FROM {table} {alias} JOIN users u ON u.id = {alias}.owner_id LEFT JOIN teams tm ON tm.id = {alias}.team_id WHERE 1=1"
    ));
    visibility::restrict(&mut sql, actor, alias);
    owner_team(&mut sql, q, alias);
    sql.push(" GROUP BY 1, 2, 3, 4 ORDER BY 2, 1");
    let empty = || FillRow { filled: vec![0; fields.len()], ..Default::default() };
    let mut rows: Vec<FillRow> = Vec::new();
    let mut teams: Vec<FillRow> = Vec::new();
    let mut total = empty();
    for r in sql.query().fetch_all(&db.pool).await? {
        let (owner_id, owner): (i64, String) = (r.try_get("owner")?, r.try_get("name")?);
        let (team_id, team_name): (i64, Option<String>) = (r.try_get("team")?, r.try_get("team_name")?);
        let n: i64 = r.try_get("n")?;
        let filled: Vec<i64> = (0..fields.len()).map(|i| r.try_get::<i64, _>(format!("f{i}").as_str())).collect::<Result<_, _>>()?;
        let add = |list: &mut Vec<FillRow>, id: i64, name: String| {
            let row = match list.iter().position(|x| x.owner_id == id) {
                Some(i) => &mut list[i],
                None => {
                    list.push(FillRow { owner_id: id, owner: name, ..empty() });
                    list.last_mut().expect("just pushed")
                }
            };
            row.records += n;
            row.filled.iter_mut().zip(&filled).for_each(|(a, b)| *a += b);
        };
        add(&mut rows, owner_id, owner);
        add(&mut teams, team_id, team_name.unwrap_or_default());
        total.records += n;
        total.filled.iter_mut().zip(&filled).for_each(|(a, b)| *a += b);
    }
    teams.sort_by(|a, b| (a.owner_id == 0, &a.owner).cmp(&(b.owner_id == 0, &b.owner)));
    Ok(Completeness { entity: table.to_string(), fields: fields.iter().map(|f| f.1.to_string()).collect(), rows, teams, total })
}

/// Activities completed by `ids` in [start, end) (UTC timestamps): (owner, kind, UTC hour, count).
async fn completed_rows(db: &Db, ids: &[i64], start: &str, end: &str) -> Result<Vec<(i64, String, String, i64)>, AppError> {
    let mut sql = Sql::new(
        "SELECT x.owner_id, x.kind, substr(x.completed_at, 1, 13) AS h, CAST(COUNT(*) AS BIGINT) FROM activities x \
         WHERE x.status = 'completed' AND x.completed_at >= ",
    );
    sql.bind(start.to_string()).push(" AND x.completed_at < ").bind(end.to_string());
    in_ids(&mut sql, "x.owner_id", ids);
    sql.push(" GROUP BY 1, 2, 3");
    Ok(sql.query_as::<(i64, String, String, i64)>().fetch_all(&db.pool).await?)
}

/// Activities completed per week (company time) and kind over the last `weeks` weeks up to today,
/// by the people the actor may see within `q`'s team and owner: (Monday, [(kind, count)]).
pub async fn weekly_completed(db: &Db, actor: &Actor, q: &ReportQuery, weeks: i64) -> Result<Vec<(String, Vec<(String, i64)>)>, AppError> {
    let today = clock::today();
    let first = week_start(today) - Duration::days(7 * (weeks - 1).max(0));
    let mut by_week: BTreeMap<NaiveDate, BTreeMap<String, i64>> =
        (0..weeks.max(1)).map(|i| (first + Duration::days(7 * i), BTreeMap::new())).collect();
    let ids: Vec<i64> = people(db, actor, q).await?.into_iter().map(|p| p.0).collect();
    if !ids.is_empty() {
        let (start, end) = (clock::day_start(first), clock::day_start(today + Duration::days(1)));
        for (_, kind, hour, n) in completed_rows(db, &ids, &start, &end).await? {
            let week = parse_date(clock::to_local(&format!("{hour}:00:00Z")).get(..10).unwrap_or("")).map(week_start);
            if let Some(w) = week.and_then(|w| by_week.get_mut(&w)) {
                *w.entry(kind).or_default() += n;
            }
        }
    }
    Ok(by_week.into_iter().map(|(w, m)| (w.format("%Y-%m-%d").to_string(), m.into_iter().collect())).collect())
}

/// The adoption report over [from, to] (ISO days; default the last four weeks).
pub async fn adoption(db: &Db, actor: &Actor, q: &ReportQuery) -> Result<Adoption, AppError> {
    let today = clock::today();
    let to = parse_date(&q.to).unwrap_or(today);
    let from = parse_date(&q.from).unwrap_or(week_start(to) - Duration::days(21)).min(to);
    let (start, end) = (clock::day_start(from), clock::day_start(to + Duration::days(1)));
    let people = people(db, actor, q).await?;
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
    let mut per_user_week: BTreeMap<(i64, NaiveDate), BTreeMap<String, i64>> = BTreeMap::new();
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
        for (id, kind, day, n) in completed_rows(db, &ids, &start, &end).await? {
            let week = day_week(&day).filter(|w| completed_weeks.contains_key(w));
            if let Some(u) = users.iter_mut().find(|u| u.user_id == id) {
                match u.completed.iter_mut().find(|c| c.0 == kind) {
                    Some(c) => c.1 += n,
                    None => u.completed.push((kind.clone(), n)),
                }
                if let Some(w) = week {
                    *per_user_week.entry((id, w)).or_default().entry(kind.clone()).or_default() += n;
                }
            }
            if let Some(w) = week.and_then(|w| completed_weeks.get_mut(&w)) {
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
        u.weekly = completed_weeks
            .keys()
            .map(|w| {
                let kinds = per_user_week.remove(&(u.user_id, *w)).unwrap_or_default();
                (w.format("%Y-%m-%d").to_string(), kinds.into_iter().collect())
            })
            .collect();
    }

    let mut completeness_all = Vec::new();
    for (kind, _) in KINDS {
        completeness_all.push(completeness(db, actor, kind, q).await?);
    }
    Ok(Adoption {
        from: from.format("%Y-%m-%d").to_string(),
        to: to.format("%Y-%m-%d").to_string(),
        active_by_week: active.into_iter().map(|(w, set)| (w.format("%Y-%m-%d").to_string(), set.len() as i64)).collect(),
        completed_by_week: completed_weeks.into_iter().map(|(w, m)| (w.format("%Y-%m-%d").to_string(), m.into_iter().collect())).collect(),
        users,
        completeness: completeness_all,
        neglect_days: q.neglect_days(),
        neglected: neglected(db, actor, q, today).await?,
    })
}

/// The visible customers with the most won revenue in the last twelve months and no completed
/// activity in the last `q.neglect_days()` days.
async fn neglected(db: &Db, actor: &Actor, q: &ReportQuery, today: NaiveDate) -> Result<Vec<Neglected>, AppError> {
    let rate = currency::eur_rate(db).await?;
    let year_ago = (today - Duration::days(365)).format("%Y-%m-%d").to_string();
    let cutoff = clock::day_start(today - Duration::days(q.neglect_days()));
    let mut sql = Sql::new("SELECT w.account_id, a.name, u.name, w.won, (SELECT MAX(x.starts_at) FROM activities x WHERE x.account_id = a.id AND x.status = 'completed') FROM (SELECT o.account_id, ");
    analysis::rsd_sum(&mut sql, "o.amount_minor", "o.currency", rate);
    sql.push(" AS won FROM opportunities o JOIN stages s ON s.id = o.stage_id WHERE s.kind = 'won' AND o.close_date >= ").bind(year_ago);
    visibility::restrict(&mut sql, actor, "o");
    sql.push(" GROUP BY o.account_id) w JOIN accounts a ON a.id = w.account_id JOIN users u ON u.id = a.owner_id WHERE NOT EXISTS (SELECT 1 FROM activities y WHERE y.account_id = a.id AND y.status = 'completed' AND y.starts_at >= ");
    sql.bind(cutoff).push(")");
    visibility::restrict(&mut sql, actor, "a");
    owner_team(&mut sql, q, "a");
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
