//! Goals (KPIs): an admin defines what can be counted (metrics); admins and managers set targets per
//! user or team for a month, quarter or year — absolute, or relative to the same period a year earlier.
//! Progress is counted in the database, one grouped query per metric and period (never per goal):
//! actual, what is still in progress, percent of target and the projection at the current pace.
//! A goal is visible to its user and their manager (and to the team for a team goal).

use super::{audit, currency, parse_id, Actor};
use crate::clock;
use crate::db::sql::Sql;
use crate::db::{now, Db};
use crate::domain::money::parse_amount;
use crate::domain::reports::*;
use crate::domain::validate::{field, parse_date};
use crate::domain::Role;
use crate::error::{AppError, Problem};
use chrono::NaiveDate;
use sqlx::Row;
use std::collections::HashMap;

const ACTIVITY_KINDS: [&str; 6] = ["task", "call", "meeting", "email", "letter", "fax"];

pub async fn metrics(db: &Db) -> Result<Vec<GoalMetric>, AppError> {
    let rows = sqlx::query("SELECT id, name, measure, activity_kind, active, version FROM goal_metrics ORDER BY position, id")
        .fetch_all(&db.pool)
        .await?;
    rows.into_iter()
        .map(|r| {
            Ok(GoalMetric {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                measure: Measure::parse(&r.try_get::<String, _>("measure")?).unwrap_or_default(),
                activity_kind: r.try_get("activity_kind")?,
                active: r.try_get::<i64, _>("active")? != 0,
                version: r.try_get("version")?,
            })
        })
        .collect()
}

/// Creates or changes a metric (admins only).
pub async fn save_metric(db: &Db, actor: &Actor, input: &MetricInput) -> Result<i64, AppError> {
    if actor.role != Role::Admin {
        return Err(AppError::Forbidden);
    }
    let name = crate::domain::validate::required("name", &input.name, 100)?;
    let measure = Measure::parse(&input.measure).ok_or_else(|| field("measure", Problem::InvalidChoice))?;
    let kind = match input.activity_kind.trim() {
        "" => None,
        k if measure == Measure::ActivitiesDone && ACTIVITY_KINDS.contains(&k) => Some(k.to_string()),
        _ => return Err(field("activity_kind", Problem::InvalidChoice)),
    };
    let active = input.active.trim() == "1" || input.active.trim() == "on";
    let ts = now();
    let mut tx = db.begin().await?;
    let id = if input.id.trim().is_empty() {
        let id: i64 = sqlx::query(
            "INSERT INTO goal_metrics (name, measure, activity_kind, active, position, created_at, updated_at, version) \
             VALUES ($1, $2, $3, $4, (SELECT COALESCE(MAX(position), 0) + 1 FROM goal_metrics), $5, $5, 1) RETURNING id",
        )
        .bind(&name)
        .bind(measure.code())
        .bind(&kind)
        .bind(active as i64)
        .bind(&ts)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        audit::created(&mut tx, "goal_metric", id, Some(actor), &vec![("name", Some(name)), ("measure", Some(measure.code().into()))])
            .await?;
        id
    } else {
        let id = parse_id("id", &input.id)?;
        let version = parse_id("version", &input.version)?;
        let old = sqlx::query("SELECT name, measure, active FROM goal_metrics WHERE id = $1").bind(id).fetch_optional(&mut *tx).await?;
        let old = old.ok_or(AppError::NotFound)?;
        let n = sqlx::query(
            "UPDATE goal_metrics SET name = $1, measure = $2, activity_kind = $3, active = $4, updated_at = $5, version = version + 1 \
             WHERE id = $6 AND version = $7",
        )
        .bind(&name)
        .bind(measure.code())
        .bind(&kind)
        .bind(active as i64)
        .bind(&ts)
        .bind(id)
        .bind(version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        crate::db::write::changed_one(n)?;
        let before: audit::Fields = vec![
            ("name", Some(old.try_get::<String, _>("name")?)),
            ("measure", Some(old.try_get::<String, _>("measure")?)),
            ("active", Some(old.try_get::<i64, _>("active")?.to_string())),
        ];
        let after: audit::Fields =
            vec![("name", Some(name)), ("measure", Some(measure.code().into())), ("active", Some((active as i64).to_string()))];
        audit::updated(&mut tx, "goal_metric", id, Some(actor), &before, &after).await?;
        id
    };
    tx.commit().await?;
    Ok(id)
}

/// A user or team the actor may set goals for: admins anyone, managers their team and its members.
async fn may_assign(db: &Db, actor: &Actor, user: Option<i64>, team: Option<i64>) -> Result<bool, AppError> {
    Ok(match actor.role {
        Role::Admin => true,
        Role::Manager => match (actor.team_id, user, team) {
            (Some(t), None, Some(team)) => t == team,
            (Some(t), Some(user), None) => {
                let row = sqlx::query("SELECT team_id FROM users WHERE id = $1").bind(user).fetch_optional(&db.pool).await?;
                row.map(|r| r.try_get::<Option<i64>, _>("team_id")).transpose()?.flatten() == Some(t)
            }
            _ => false,
        },
        _ => false,
    })
}

/// Who the actor may set goals for, as ("user:7", name) and ("team:2", name).
async fn assignees(db: &Db, actor: &Actor) -> Result<Vec<(String, String)>, AppError> {
    let (users, teams) = match (actor.role, actor.team_id) {
        (Role::Admin, _) => (
            sqlx::query("SELECT id, name FROM users WHERE active = 1 ORDER BY name, id").fetch_all(&db.pool).await?,
            sqlx::query("SELECT id, name FROM teams ORDER BY name, id").fetch_all(&db.pool).await?,
        ),
        (Role::Manager, Some(t)) => (
            sqlx::query("SELECT id, name FROM users WHERE active = 1 AND team_id = $1 ORDER BY name, id")
                .bind(t)
                .fetch_all(&db.pool)
                .await?,
            sqlx::query("SELECT id, name FROM teams WHERE id = $1").bind(t).fetch_all(&db.pool).await?,
        ),
        _ => return Ok(Vec::new()),
    };
    let mut out = Vec::new();
    for r in teams {
        out.push((format!("team:{}", r.try_get::<i64, _>("id")?), r.try_get("name")?));
    }
    for r in users {
        out.push((format!("user:{}", r.try_get::<i64, _>("id")?), r.try_get("name")?));
    }
    Ok(out)
}

struct ValidGoal {
    metric_id: i64,
    measure: Measure,
    user: Option<i64>,
    team: Option<i64>,
    period: Period,
    start: NaiveDate,
    relative: bool,
    target: i64,
}

async fn validate(db: &Db, input: &GoalInput) -> Result<ValidGoal, AppError> {
    let metric_id = parse_id("metric_id", &input.metric_id)?;
    let row = sqlx::query("SELECT measure FROM goal_metrics WHERE id = $1 AND active = 1").bind(metric_id).fetch_optional(&db.pool).await?;
    let measure = row
        .map(|r| r.try_get::<String, _>("measure"))
        .transpose()?
        .and_then(|m| Measure::parse(&m))
        .ok_or_else(|| field("metric_id", Problem::InvalidChoice))?;
    let (user, team) = match input.assignee.trim().split_once(':') {
        Some(("user", id)) => (Some(parse_id("assignee", id)?), None),
        Some(("team", id)) => (None, Some(parse_id("assignee", id)?)),
        _ => return Err(field("assignee", if input.assignee.trim().is_empty() { Problem::Required } else { Problem::InvalidChoice })),
    };
    let period = Period::parse(&input.period).ok_or_else(|| field("period", Problem::InvalidChoice))?;
    let start = parse_date(&input.period_start)
        .map(|d| period.start_of(d))
        .or_else(|| period.bounds(input.period_start.trim()).map(|b| b.0))
        .ok_or_else(|| {
            field("period_start", if input.period_start.trim().is_empty() { Problem::Required } else { Problem::InvalidDate })
        })?;
    let relative = match input.target_kind.trim() {
        "" | "absolute" => false,
        "relative" => true,
        _ => return Err(field("target_kind", Problem::InvalidChoice)),
    };
    let raw = input.target.trim();
    if raw.is_empty() {
        return Err(field("target", Problem::Required));
    }
    let target = if relative {
        // Growth in percent, to basis points: "30" → 3000, "-10" → -1000, "12,5" → 1250.
        let bp = parse_amount(raw).ok_or_else(|| field("target", Problem::InvalidNumber))?;
        if !(-10_000..=100_000).contains(&bp) {
            return Err(field("target", Problem::OutOfRange(-100, 1000)));
        }
        bp
    } else if measure.is_money() {
        let v = parse_amount(raw).ok_or_else(|| field("target", Problem::InvalidNumber))?;
        if v <= 0 {
            return Err(field("target", Problem::OutOfRange(1, i64::MAX / 100)));
        }
        v
    } else {
        let v: i64 = raw.parse().map_err(|_| field("target", Problem::InvalidNumber))?;
        if !(1..=1_000_000).contains(&v) {
            return Err(field("target", Problem::OutOfRange(1, 1_000_000)));
        }
        v
    };
    Ok(ValidGoal { metric_id, measure, user, team, period, start, relative, target })
}

/// Sets a goal (new when `id` is empty). One goal per metric, assignee and period.
pub async fn save_goal(db: &Db, actor: &Actor, input: &GoalInput) -> Result<i64, AppError> {
    let v = validate(db, input).await?;
    if !may_assign(db, actor, v.user, v.team).await? {
        return Err(field("assignee", Problem::InvalidChoice));
    }
    let _ = v.measure;
    let start = v.start.format("%Y-%m-%d").to_string();
    let kind = if v.relative { "relative" } else { "absolute" };
    let ts = now();
    let mut tx = db.begin().await?;
    let same = sqlx::query(
        "SELECT id FROM goals WHERE metric_id = $1 AND period = $2 AND period_start = $3 AND COALESCE(user_id, 0) = $4 AND COALESCE(team_id, 0) = $5",
    )
    .bind(v.metric_id)
    .bind(v.period.code())
    .bind(&start)
    .bind(v.user.unwrap_or(0))
    .bind(v.team.unwrap_or(0))
    .fetch_optional(&mut *tx)
    .await?
    .map(|r| r.try_get::<i64, _>("id"))
    .transpose()?;
    let fields = |kind: &str, target: i64| -> audit::Fields {
        vec![
            ("metric_id", Some(v.metric_id.to_string())),
            ("assignee", Some(input.assignee.trim().to_string())),
            ("period", Some(format!("{} {start}", v.period.code()))),
            ("target_kind", Some(kind.to_string())),
            ("target", Some(target.to_string())),
        ]
    };
    let id = if input.id.trim().is_empty() {
        if same.is_some() {
            return Err(field("period", Problem::AlreadyExists));
        }
        let id: i64 = sqlx::query(
            "INSERT INTO goals (metric_id, user_id, team_id, period, period_start, target_kind, target, created_at, created_by, updated_at, updated_by, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $8, $9, 1) RETURNING id",
        )
        .bind(v.metric_id)
        .bind(v.user)
        .bind(v.team)
        .bind(v.period.code())
        .bind(&start)
        .bind(kind)
        .bind(v.target)
        .bind(&ts)
        .bind(actor.id)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        audit::created(&mut tx, "goal", id, Some(actor), &fields(kind, v.target)).await?;
        id
    } else {
        let id = parse_id("id", &input.id)?;
        let version = parse_id("version", &input.version)?;
        if same.is_some_and(|s| s != id) {
            return Err(field("period", Problem::AlreadyExists));
        }
        let old =
            sqlx::query("SELECT user_id, team_id, target_kind, target FROM goals WHERE id = $1").bind(id).fetch_optional(&mut *tx).await?;
        let old = old.ok_or(AppError::NotFound)?;
        let (old_user, old_team): (Option<i64>, Option<i64>) = (old.try_get("user_id")?, old.try_get("team_id")?);
        if !may_assign(db, actor, old_user, old_team).await? {
            return Err(AppError::NotFound);
        }
        let n = sqlx::query(
            "UPDATE goals SET metric_id = $1, user_id = $2, team_id = $3, period = $4, period_start = $5, target_kind = $6, target = $7, \
             updated_at = $8, updated_by = $9, version = version + 1 WHERE id = $10 AND version = $11",
        )
        .bind(v.metric_id)
        .bind(v.user)
        .bind(v.team)
        .bind(v.period.code())
        .bind(&start)
        .bind(kind)
        .bind(v.target)
        .bind(&ts)
        .bind(actor.id)
        .bind(id)
        .bind(version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        crate::db::write::changed_one(n)?;
        let before = fields(&old.try_get::<String, _>("target_kind")?, old.try_get("target")?);
        audit::updated(&mut tx, "goal", id, Some(actor), &before, &fields(kind, v.target)).await?;
        id
    };
    tx.commit().await?;
    Ok(id)
}

pub async fn delete_goal(db: &Db, actor: &Actor, id: i64, version: i64) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    let row = sqlx::query("SELECT user_id, team_id, version FROM goals WHERE id = $1").bind(id).fetch_optional(&mut *tx).await?;
    let row = row.ok_or(AppError::NotFound)?;
    if !may_assign(db, actor, row.try_get("user_id")?, row.try_get("team_id")?).await? {
        return Err(AppError::NotFound);
    }
    crate::domain::check_version(row.try_get("version")?, version)?;
    let n = sqlx::query("DELETE FROM goals WHERE id = $1 AND version = $2").bind(id).bind(version).execute(&mut *tx).await?;
    crate::db::write::changed_one(n.rows_affected())?;
    audit::deleted(&mut tx, "goal", id, Some(actor), &format!("goal {id}")).await?;
    tx.commit().await?;
    Ok(())
}

/// A stored goal before its progress is counted.
struct GoalRow {
    id: i64,
    version: i64,
    metric_id: i64,
    metric_name: String,
    measure: Measure,
    activity_kind: Option<String>,
    user_id: Option<i64>,
    team_id: Option<i64>,
    assignee: String,
    /// The user's team (a user goal), for the roll-up into team goals.
    member_of: Option<i64>,
    period: Period,
    start: NaiveDate,
    relative: bool,
    target: i64,
}

const GOAL_SELECT: &str = "SELECT g.id, g.version, g.metric_id, m.name AS metric_name, m.measure, m.activity_kind, g.user_id, g.team_id, \
    COALESCE(u.name, t.name, '') AS assignee, u.team_id AS member_of, g.period, g.period_start, g.target_kind, g.target \
    FROM goals g JOIN goal_metrics m ON m.id = g.metric_id LEFT JOIN users u ON u.id = g.user_id LEFT JOIN teams t ON t.id = g.team_id WHERE 1=1";

async fn load(db: &Db, sql: Sql) -> Result<Vec<GoalRow>, AppError> {
    let rows = sql.query().fetch_all(&db.pool).await?;
    rows.into_iter()
        .map(|r| {
            let period = Period::parse(&r.try_get::<String, _>("period")?).unwrap_or_default();
            let start: String = r.try_get("period_start")?;
            Ok(GoalRow {
                id: r.try_get("id")?,
                version: r.try_get("version")?,
                metric_id: r.try_get("metric_id")?,
                metric_name: r.try_get("metric_name")?,
                measure: Measure::parse(&r.try_get::<String, _>("measure")?).unwrap_or_default(),
                activity_kind: r.try_get("activity_kind")?,
                user_id: r.try_get("user_id")?,
                team_id: r.try_get("team_id")?,
                assignee: r.try_get("assignee")?,
                member_of: r.try_get("member_of")?,
                period,
                start: parse_date(&start).unwrap_or_default(),
                relative: r.try_get::<String, _>("target_kind")? == "relative",
                target: r.try_get("target")?,
            })
        })
        .collect()
}

/// A measure counted over [from, to] per owner and team: (owner, team, value).
type Counted = Vec<(i64, Option<i64>, i64)>;

/// Counts `measure` between two days, grouped by owner and team: one query for every goal that shares
/// the metric and period. `open` counts what is still in progress instead (open deals closing in the
/// period, open activities due in it).
async fn count(
    db: &Db,
    measure: Measure,
    kind: Option<&str>,
    from: NaiveDate,
    to: NaiveDate,
    open: bool,
    rate: i64,
) -> Result<Counted, AppError> {
    let from_s = from.format("%Y-%m-%d").to_string();
    let to_s = to.format("%Y-%m-%d").to_string();
    // Timestamps are RFC 3339 text: the day after `to` bounds them.
    let after = to.succ_opt().unwrap_or(to).format("%Y-%m-%d").to_string();
    let stage_kind = if open { "open" } else { "won" };
    let mut sql = match measure {
        Measure::WonRevenue | Measure::WonDeals => {
            let mut sql = Sql::new("SELECT o.owner_id AS owner, o.team_id AS team, ");
            if measure == Measure::WonRevenue {
                super::analysis::rsd_sum(&mut sql, "o.amount_minor", "o.currency", rate);
            } else {
                sql.push("CAST(COUNT(*) AS BIGINT)");
            }
            sql.push(" AS v FROM opportunities o JOIN stages s ON s.id = o.stage_id WHERE s.kind = ").bind(stage_kind);
            sql.push(" AND o.close_date >= ").bind(from_s).push(" AND o.close_date <= ").bind(to_s);
            sql
        }
        Measure::NewOpportunities if !open => {
            let mut sql = Sql::new(
                "SELECT o.owner_id AS owner, o.team_id AS team, CAST(COUNT(*) AS BIGINT) AS v FROM opportunities o WHERE o.created_at >= ",
            );
            sql.bind(from_s).push(" AND o.created_at < ").bind(after);
            sql
        }
        Measure::ActivitiesDone => {
            let mut sql = Sql::new("SELECT x.owner_id AS owner, x.team_id AS team, CAST(COUNT(*) AS BIGINT) AS v FROM activities x WHERE ");
            if open {
                sql.push("x.status = 'open' AND x.starts_at >= ").bind(from_s).push(" AND x.starts_at < ").bind(after);
            } else {
                sql.push("x.status = 'completed' AND x.completed_at >= ").bind(from_s).push(" AND x.completed_at < ").bind(after);
            }
            if let Some(k) = kind {
                sql.push(" AND x.kind = ").bind(k.to_string());
            }
            sql
        }
        Measure::NewLeads if !open => {
            let mut sql = Sql::new(
                "SELECT x.owner_id AS owner, x.team_id AS team, CAST(COUNT(*) AS BIGINT) AS v FROM leads x WHERE x.created_at >= ",
            );
            sql.bind(from_s).push(" AND x.created_at < ").bind(after);
            sql
        }
        Measure::QualifiedLeads if !open => {
            let mut sql = Sql::new(
                "SELECT x.owner_id AS owner, x.team_id AS team, CAST(COUNT(*) AS BIGINT) AS v FROM leads x WHERE x.status = 'qualified' AND x.closed_at >= ",
            );
            sql.bind(from_s).push(" AND x.closed_at < ").bind(after);
            sql
        }
        // Nothing is "in progress" for records that are counted when they are created.
        _ => return Ok(Vec::new()),
    };
    sql.push(" GROUP BY 1, 2");
    Ok(sql.query_as::<(i64, Option<i64>, i64)>().fetch_all(&db.pool).await?)
}

fn value_for(counted: &Counted, user: Option<i64>, team: Option<i64>) -> i64 {
    counted.iter().filter(|(o, t, _)| if let Some(u) = user { *o == u } else { team.is_some() && *t == team }).map(|c| c.2).sum()
}

/// Counts progress for `rows`: one query per distinct (measure, kind, period) and what is asked.
async fn progress(db: &Db, actor: &Actor, rows: Vec<GoalRow>, today: NaiveDate) -> Result<Vec<GoalProgress>, AppError> {
    let rate = currency::eur_rate(db).await?;
    type Key = (Measure, Option<String>, NaiveDate, NaiveDate, u8);
    let mut cache: HashMap<Key, Counted> = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for g in &rows {
        let last = g.period.last_day(g.start);
        let mut get = async |from: NaiveDate, to: NaiveDate, what: u8| -> Result<i64, AppError> {
            let key: Key = (g.measure, g.activity_kind.clone(), from, to, what);
            if !cache.contains_key(&key) {
                let c = count(db, g.measure, g.activity_kind.as_deref(), from, to, what == 1, rate).await?;
                cache.insert(key.clone(), c);
            }
            Ok(value_for(&cache[&key], g.user_id, g.team_id))
        };
        let actual = get(g.start, last, 0).await?;
        let in_progress = get(g.start, last, 1).await?;
        let base = if g.relative { Some(get(year_earlier(g.start), year_earlier(last), 0).await?) } else { None };
        let target = match base {
            Some(b) => relative_target(b, g.target),
            None => g.target,
        };
        let can_edit = match actor.role {
            Role::Admin => true,
            Role::Manager => actor.team_id.is_some() && (g.team_id == actor.team_id || g.member_of == actor.team_id),
            _ => false,
        };
        out.push(GoalProgress {
            id: g.id,
            version: g.version,
            metric_id: g.metric_id,
            metric_name: g.metric_name.clone(),
            measure: g.measure,
            activity_kind: g.activity_kind.clone(),
            assignee: g.assignee.clone(),
            assignee_ref: match (g.user_id, g.team_id) {
                (Some(u), _) => format!("user:{u}"),
                (_, Some(t)) => format!("team:{t}"),
                _ => String::new(),
            },
            is_team: g.team_id.is_some(),
            member_of: g.member_of.filter(|_| g.user_id.is_some()),
            period: g.period,
            period_key: g.period.key(g.start),
            start: g.start.format("%Y-%m-%d").to_string(),
            last: last.format("%Y-%m-%d").to_string(),
            relative: g.relative,
            target_raw: g.target,
            target,
            base,
            actual,
            in_progress,
            projection: projection(actual, g.start, last, today),
            members_target: None,
            can_edit,
        });
    }
    // Roll-up: a team goal shows the sum of its members' goals for the same metric and period.
    let members: Vec<(i64, i64, Period, String, i64)> = rows
        .iter()
        .zip(out.iter())
        .filter_map(|(g, p)| {
            g.member_of.filter(|_| g.user_id.is_some()).map(|team| (team, g.metric_id, g.period, p.start.clone(), p.target))
        })
        .collect();
    for (g, p) in rows.iter().zip(out.iter_mut()) {
        if let Some(team) = g.team_id {
            let sum: Vec<i64> =
                members.iter().filter(|m| m.0 == team && m.1 == g.metric_id && m.2 == g.period && m.3 == p.start).map(|m| m.4).collect();
            p.members_target = (!sum.is_empty()).then(|| sum.iter().sum());
        }
    }
    Ok(out)
}

/// The rule of `visible` for a goal already loaded.
fn may_see(actor: &Actor, g: &GoalProgress) -> bool {
    let user = g.assignee_ref.strip_prefix("user:").and_then(|u| u.parse::<i64>().ok());
    let team = g.assignee_ref.strip_prefix("team:").and_then(|t| t.parse::<i64>().ok());
    match actor.role {
        Role::Admin => true,
        role => {
            user == Some(actor.id)
                || (actor.team_id.is_some() && team == actor.team_id)
                || (role == Role::Manager && user.is_some() && actor.team_id.is_some() && g.member_of == actor.team_id)
        }
    }
}

/// Restricts goals (`g`, with its user `u`) to those the actor may see: their own, their team's, and
/// for a manager their team members'.
fn visible(sql: &mut Sql, actor: &Actor) {
    match (actor.role, actor.team_id) {
        (Role::Admin, _) => {}
        (Role::Manager, Some(t)) => {
            sql.push(" AND (g.user_id = ").bind(actor.id).push(" OR g.team_id = ").bind(t).push(" OR u.team_id = ").bind(t).push(")");
        }
        (_, Some(t)) => {
            sql.push(" AND (g.user_id = ").bind(actor.id).push(" OR g.team_id = ").bind(t).push(")");
        }
        (_, None) => {
            sql.push(" AND g.user_id = ").bind(actor.id);
        }
    }
}

/// The goals whose period holds the day `on` (ISO; empty: today), with progress.
pub async fn page(db: &Db, actor: &Actor, on: &str) -> Result<GoalsPage, AppError> {
    let today = clock::today();
    let on = parse_date(on).unwrap_or(today);
    let mut sql = Sql::new(GOAL_SELECT);
    // A period that holds `on` started within the year before it.
    sql.push(" AND g.period_start <= ").bind(on.format("%Y-%m-%d").to_string());
    sql.push(" AND g.period_start > ").bind(year_earlier(on).format("%Y-%m-%d").to_string());
    sql.push(" ORDER BY m.position, g.period_start, g.team_id IS NULL, assignee, g.id");
    let rows: Vec<GoalRow> = load(db, sql).await?.into_iter().filter(|g| g.period.last_day(g.start) >= on).collect();
    // Progress for all of them (the roll-up needs the members' goals), then keep what the actor may see.
    let mut visible_sql = Sql::new("SELECT g.id FROM goals g LEFT JOIN users u ON u.id = g.user_id WHERE 1=1");
    visible(&mut visible_sql, actor);
    visible_sql.push(" AND g.period_start <= ").bind(on.format("%Y-%m-%d").to_string());
    visible_sql.push(" AND g.period_start > ").bind(year_earlier(on).format("%Y-%m-%d").to_string());
    let seen: Vec<i64> = visible_sql.query_as::<(i64,)>().fetch_all(&db.pool).await?.into_iter().map(|r| r.0).collect();
    let goals = progress(db, actor, rows, today).await?.into_iter().filter(|g| seen.contains(&g.id)).collect();
    let mut page = GoalsPage {
        on: on.format("%Y-%m-%d").to_string(),
        goals,
        metrics: metrics(db).await?,
        assignees: assignees(db, actor).await?,
        can_manage_metrics: actor.role == Role::Admin,
        who: String::new(),
        who_options: Vec::new(),
    };
    page.narrow_to("");
    Ok(page)
}

/// The won-revenue goal of each forecast period, for what the forecast shows: the filtered owner's
/// goals; the filtered team's goal (or, without one, the sum of its members' goals); without a filter
/// every team's (rolled up the same way) plus those of users in no team. Admins see everyone; others
/// their own team (or only themselves). Filters goals do not have (region, category, family) → none.
pub async fn revenue_targets(
    db: &Db,
    actor: &Actor,
    period: Period,
    keys: &[String],
    q: &ReportQuery,
) -> Result<Vec<(String, i64)>, AppError> {
    if !q.region.trim().is_empty() || !q.category.trim().is_empty() || !q.family.trim().is_empty() || keys.is_empty() {
        return Ok(Vec::new());
    }
    let starts: Vec<String> = keys.iter().filter_map(|k| period.bounds(k)).map(|b| b.0.format("%Y-%m-%d").to_string()).collect();
    let mut sql = Sql::new(GOAL_SELECT);
    sql.push(" AND m.measure = 'won_revenue' AND m.active = 1 AND g.period = ").bind(period.code());
    sql.push(" AND g.period_start IN (").bind_list(&starts);
    sql.push(") AND m.id = (SELECT MIN(fm.id) FROM goal_metrics fm WHERE fm.measure = 'won_revenue' AND fm.active = 1)");
    let rows = load(db, sql).await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    // Only the goals the actor may see on the goals page count, whatever the filter names.
    let goals: Vec<GoalProgress> = progress(db, actor, rows, clock::today()).await?.into_iter().filter(|g| may_see(actor, g)).collect();
    let owner = super::listing::id_filter(&q.owner);
    let team = super::listing::id_filter(&q.team).or(if actor.role == Role::Admin || owner.is_some() { None } else { actor.team_id });
    let owner = owner.or(if actor.role != Role::Admin && team.is_none() { Some(actor.id) } else { None });
    let team_of = |g: &GoalProgress| -> Option<i64> { g.assignee_ref.strip_prefix("team:").and_then(|t| t.parse().ok()) };
    let user_of = |g: &GoalProgress| -> Option<i64> { g.assignee_ref.strip_prefix("user:").and_then(|t| t.parse().ok()) };
    // A user goal's team, for users without a team goal above them.
    let member_team: HashMap<i64, Option<i64>> = goals.iter().filter_map(|g| user_of(g).map(|u| (u, g.member_of))).collect();
    let mut out = Vec::new();
    for key in keys {
        let Some((start, _)) = period.bounds(key) else { continue };
        let start = start.format("%Y-%m-%d").to_string();
        let here: Vec<&GoalProgress> = goals.iter().filter(|g| g.start == start).collect();
        let team_target = |t: i64| -> Option<i64> {
            here.iter().find(|g| team_of(g) == Some(t)).map(|g| g.target).or_else(|| {
                let m: Vec<i64> =
                    here.iter().filter(|g| user_of(g).is_some_and(|u| member_team.get(&u) == Some(&Some(t)))).map(|g| g.target).collect();
                (!m.is_empty()).then(|| m.iter().sum())
            })
        };
        let target = if let Some(o) = owner {
            here.iter().find(|g| user_of(g) == Some(o)).map(|g| g.target)
        } else if let Some(t) = team {
            team_target(t)
        } else {
            let mut teams: Vec<i64> = here.iter().filter_map(|g| team_of(g)).collect();
            teams.extend(here.iter().filter_map(|g| user_of(g)).filter_map(|u| member_team.get(&u).copied().flatten()));
            teams.sort();
            teams.dedup();
            let loners: i64 =
                here.iter().filter(|g| user_of(g).is_some_and(|u| member_team.get(&u) == Some(&None))).map(|g| g.target).sum();
            let sum: i64 = teams.iter().filter_map(|t| team_target(*t)).sum::<i64>() + loners;
            (sum > 0).then_some(sum)
        };
        if let Some(t) = target {
            out.push((key.clone(), t));
        }
    }
    Ok(out)
}
