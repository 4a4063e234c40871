//! Activities: tasks, calls, meetings and visits, emails, letters and faxes, each about one lead,
//! account, contact or opportunity. Completing one can schedule its follow-up in the same transaction.
//! Also the lists built from them: "My day", the calendar and the manager's team view.

use super::{audit, parse_id, parse_opt_id, visibility, Actor};
use crate::clock::{self, parse_local, to_local};
use crate::db::sql::Sql;
use crate::db::{now, Db, Tx};
use crate::domain::money::Currency;
use crate::domain::validate::{field, optional, required};
use crate::domain::{
    Activity, ActivityInput, ActivityKind, ActivityRow, ActivityStatus, Attendee, CompleteInput, DealRow, Direction, MyDay, Priority,
    RegardingKind, Role, TeamActivityCell,
};
use crate::db::write::changed_one;
use crate::error::{AppError, Problem};
use chrono::{Duration, NaiveDate};
use sqlx::Row;

#[derive(Clone, Debug, PartialEq)]
pub struct Valid {
    pub kind: ActivityKind,
    pub subject: String,
    pub description: Option<String>,
    pub priority: Priority,
    /// UTC storage text.
    pub starts_at: String,
    pub ends_at: Option<String>,
    pub direction: Option<Direction>,
    pub outcome: Option<String>,
    pub location: Option<String>,
    pub regarding_kind: RegardingKind,
    pub regarding_id: i64,
    pub owner_id: Option<i64>,
    pub completed: bool,
    pub attendee_contacts: Vec<i64>,
    pub attendee_users: Vec<i64>,
}

fn id_list(name: &str, s: &[String]) -> Result<Vec<i64>, AppError> {
    let mut out = Vec::new();
    for part in s.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
        let id = part.parse::<i64>().map_err(|_| field(name, Problem::InvalidChoice))?;
        if !out.contains(&id) {
            out.push(id);
        }
    }
    Ok(out)
}

pub fn validate(i: &ActivityInput) -> Result<Valid, AppError> {
    let kind = ActivityKind::parse(i.kind.trim()).ok_or_else(|| field("kind", Problem::InvalidChoice))?;
    let subject = required("subject", &i.subject, 200)?;
    let priority = match i.priority.trim() {
        "" => Priority::Normal,
        p => Priority::parse(p).ok_or_else(|| field("priority", Problem::InvalidChoice))?,
    };
    let starts_at = parse_local("starts_at", &i.starts_at)?;
    let ends_at = match i.ends_at.trim() {
        "" => None,
        e => {
            let e = parse_local("ends_at", e)?;
            if e < starts_at {
                return Err(field("ends_at", Problem::InvalidDate));
            }
            Some(e)
        }
    };
    let direction = match i.direction.trim() {
        "" => None,
        d if kind == ActivityKind::Call => Some(Direction::parse(d).ok_or_else(|| field("direction", Problem::InvalidChoice))?),
        _ => None,
    };
    let regarding_kind = RegardingKind::parse(i.regarding_kind.trim()).ok_or_else(|| field("regarding_id", Problem::Required))?;
    if i.regarding_id.trim().is_empty() {
        return Err(field("regarding_id", Problem::Required));
    }
    Ok(Valid {
        kind,
        subject,
        description: optional("description", &i.description, 10_000)?,
        priority,
        starts_at,
        ends_at,
        direction,
        outcome: optional("outcome", &i.outcome, 500)?,
        location: optional("location", &i.location, 200)?,
        regarding_kind,
        regarding_id: parse_id("regarding_id", &i.regarding_id)?,
        owner_id: parse_opt_id("owner_id", &i.owner_id)?,
        completed: matches!(i.completed.as_str(), "on" | "true" | "1"),
        attendee_contacts: id_list("attendee_contacts", &i.attendee_contacts)?,
        attendee_users: id_list("attendee_users", &i.attendee_users)?,
    })
}

fn duration_min(starts: &str, ends: Option<&str>) -> Option<i64> {
    let (s, e) = (clock::parse_stamp(starts)?, clock::parse_stamp(ends?)?);
    Some((e - s).num_minutes())
}

fn audit_fields(v: &Valid, owner: i64) -> audit::Fields {
    vec![
        ("kind", Some(v.kind.code().to_string())),
        ("subject", Some(v.subject.clone())),
        ("description", v.description.clone()),
        ("priority", Some(v.priority.code().to_string())),
        ("starts_at", Some(v.starts_at.clone())),
        ("ends_at", v.ends_at.clone()),
        ("direction", v.direction.map(|d| d.code().to_string())),
        ("outcome", v.outcome.clone()),
        ("location", v.location.clone()),
        ("regarding", Some(format!("{}:{}", v.regarding_kind.code(), v.regarding_id))),
        ("owner_id", Some(owner.to_string())),
    ]
}

/// Checks that the record an activity or note is about exists and is visible to `actor`, and returns
/// the account it belongs to (for the account's timeline) and its label.
pub async fn regarding(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    kind: RegardingKind,
    id: i64,
) -> Result<(Option<i64>, String), AppError> {
    let (select, alias) = match kind {
        RegardingKind::Account => ("SELECT a.id AS account_id, a.name AS label FROM accounts a WHERE a.id = ", "a"),
        RegardingKind::Contact => ("SELECT c.account_id, c.first_name || ' ' || c.last_name AS label FROM contacts c WHERE c.id = ", "c"),
        RegardingKind::Opportunity => ("SELECT o.account_id, o.name AS label FROM opportunities o WHERE o.id = ", "o"),
        RegardingKind::Lead => (
            "SELECT l.account_id, COALESCE(l.company, '') || ' ' || COALESCE(l.first_name, '') || ' ' || COALESCE(l.last_name, '') AS label \
             FROM leads l WHERE l.id = ",
            "l",
        ),
    };
    let mut sql = Sql::new(select);
    sql.bind(id);
    visibility::restrict(&mut sql, actor, alias);
    let row = sql.query().fetch_optional(&mut *conn).await?.ok_or_else(|| field("regarding_id", Problem::InvalidChoice))?;
    let label: String = row.try_get("label")?;
    Ok((row.try_get("account_id")?, label.split_whitespace().collect::<Vec<_>>().join(" ")))
}

async fn check_attendees(tx: &mut Tx, actor: &Actor, v: &Valid) -> Result<(), AppError> {
    for c in &v.attendee_contacts {
        let mut sql = Sql::new("SELECT COUNT(*) AS n FROM contacts c WHERE c.id = ");
        sql.bind(*c);
        visibility::restrict(&mut sql, actor, "c");
        let n: i64 = sql.query().fetch_one(&mut **tx).await?.try_get("n")?;
        if n == 0 {
            return Err(field("attendee_contacts", Problem::InvalidChoice));
        }
    }
    for u in &v.attendee_users {
        let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM users WHERE id = $1 AND active = 1")
            .bind(*u)
            .fetch_one(&mut **tx)
            .await?
            .try_get("n")?;
        if n == 0 {
            return Err(field("attendee_users", Problem::InvalidChoice));
        }
    }
    Ok(())
}

async fn write_attendees(tx: &mut Tx, id: i64, v: &Valid) -> Result<(), AppError> {
    sqlx::query("DELETE FROM activity_attendees WHERE activity_id = $1").bind(id).execute(&mut **tx).await?;
    for c in &v.attendee_contacts {
        sqlx::query("INSERT INTO activity_attendees (activity_id, contact_id) VALUES ($1, $2)")
            .bind(id)
            .bind(*c)
            .execute(&mut **tx)
            .await?;
    }
    for u in &v.attendee_users {
        sqlx::query("INSERT INTO activity_attendees (activity_id, user_id) VALUES ($1, $2)").bind(id).bind(*u).execute(&mut **tx).await?;
    }
    Ok(())
}

pub async fn create(db: &Db, actor: &Actor, input: &ActivityInput) -> Result<i64, AppError> {
    let v = validate(input)?;
    let mut tx = db.begin().await?;
    let id = insert(&mut tx, actor, &v, None, false).await?;
    tx.commit().await?;
    Ok(id)
}

/// How many activities, notes, documents, meeting invitations and leads refer to the record `kind`/`id`
/// (they are its history: a record that has them is not deleted).
pub async fn dependents(tx: &mut Tx, kind: RegardingKind, id: i64) -> Result<i64, AppError> {
    let regarding = "(SELECT COUNT(*) FROM activities WHERE regarding_kind = $2 AND regarding_id = $1) \
        + (SELECT COUNT(*) FROM notes WHERE regarding_kind = $2 AND regarding_id = $1) \
        + (SELECT COUNT(*) FROM documents WHERE regarding_kind = $2 AND regarding_id = $1)";
    let extra = match kind {
        RegardingKind::Account => {
            "+ (SELECT COUNT(*) FROM activities WHERE account_id = $1 AND regarding_kind <> $2) \
             + (SELECT COUNT(*) FROM notes WHERE account_id = $1 AND regarding_kind <> $2) \
             + (SELECT COUNT(*) FROM documents WHERE account_id = $1 AND regarding_kind <> $2) \
             + (SELECT COUNT(*) FROM leads WHERE account_id = $1)"
        }
        RegardingKind::Contact => {
            "+ (SELECT COUNT(*) FROM activity_attendees WHERE contact_id = $1) + (SELECT COUNT(*) FROM leads WHERE contact_id = $1)"
        }
        RegardingKind::Opportunity => "+ (SELECT COUNT(*) FROM leads WHERE opportunity_id = $1)",
        RegardingKind::Lead => "",
    };
    let sql = format!("SELECT CAST({regarding} {extra} AS BIGINT) AS n");
    Ok(sqlx::query(&sql).bind(id).bind(kind.code()).fetch_one(&mut **tx).await?.try_get("n")?)
}

/// Inserts a validated activity; `follow_up_of` links a follow-up to the activity it continues.
pub async fn insert(tx: &mut Tx, actor: &Actor, v: &Valid, follow_up_of: Option<i64>, demo: bool) -> Result<i64, AppError> {
    let (account_id, _) = regarding(tx, actor, v.regarding_kind, v.regarding_id).await?;
    check_attendees(tx, actor, v).await?;
    let (owner, team) = crate::services::visibility::resolve_owner(tx, actor, v.owner_id).await?;
    let ts = now();
    let (status, completed_at, completed_by) =
        if v.completed { (ActivityStatus::Completed, Some(ts.clone()), Some(actor.id)) } else { (ActivityStatus::Open, None, None) };
    let id: i64 = sqlx::query(
        "INSERT INTO activities (kind, subject, description, status, priority, starts_at, ends_at, duration_min, direction, outcome, location, \
         regarding_kind, regarding_id, account_id, follow_up_of, completed_at, completed_by, owner_id, team_id, is_demo, \
         created_at, created_by, updated_at, updated_by, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $21, $22, 1) RETURNING id",
    )
    .bind(v.kind.code())
    .bind(&v.subject)
    .bind(&v.description)
    .bind(status.code())
    .bind(v.priority.code())
    .bind(&v.starts_at)
    .bind(&v.ends_at)
    .bind(duration_min(&v.starts_at, v.ends_at.as_deref()))
    .bind(v.direction.map(|d| d.code()))
    .bind(&v.outcome)
    .bind(&v.location)
    .bind(v.regarding_kind.code())
    .bind(v.regarding_id)
    .bind(account_id)
    .bind(follow_up_of)
    .bind(&completed_at)
    .bind(completed_by)
    .bind(owner)
    .bind(team)
    .bind(demo as i64)
    .bind(&ts)
    .bind(actor.id)
    .fetch_one(&mut **tx)
    .await?
    .try_get("id")?;
    write_attendees(tx, id, v).await?;
    let mut fields = audit_fields(v, owner);
    fields.push(("status", Some(status.code().to_string())));
    audit::created(tx, "activity", id, Some(actor), &fields).await?;
    Ok(id)
}

#[derive(sqlx::FromRow)]
struct ActivityDb {
    id: i64,
    kind: String,
    subject: String,
    description: Option<String>,
    status: String,
    priority: String,
    starts_at: String,
    ends_at: Option<String>,
    duration_min: Option<i64>,
    direction: Option<String>,
    outcome: Option<String>,
    location: Option<String>,
    regarding_kind: String,
    regarding_id: i64,
    account_id: Option<i64>,
    follow_up_of: Option<i64>,
    completed_at: Option<String>,
    owner_id: i64,
    owner_name: String,
    team_id: Option<i64>,
    version: i64,
}

const DETAIL: &str = "SELECT x.id, x.kind, x.subject, x.description, x.status, x.priority, x.starts_at, x.ends_at, x.duration_min, x.direction, \
    x.outcome, x.location, x.regarding_kind, x.regarding_id, x.account_id, x.follow_up_of, x.completed_at, x.owner_id, u.name AS owner_name, \
    x.team_id, x.version FROM activities x JOIN users u ON u.id = x.owner_id WHERE x.id = ";

async fn load(conn: &mut sqlx::AnyConnection, actor: &Actor, id: i64) -> Result<ActivityDb, AppError> {
    let mut sql = Sql::new(DETAIL);
    sql.bind(id);
    visibility::restrict(&mut sql, actor, "x");
    sql.query_as::<ActivityDb>().fetch_optional(&mut *conn).await?.ok_or(AppError::NotFound)
}

async fn load_for_update(tx: &mut Tx, actor: &Actor, id: i64, version: i64) -> Result<ActivityDb, AppError> {
    let row = load(tx, actor, id).await?;
    if !visibility::can_edit(actor, row.owner_id, row.team_id) {
        return Err(AppError::NotFound);
    }
    crate::domain::check_version(row.version, version)?;
    Ok(row)
}

fn kind_of(s: &str) -> ActivityKind {
    ActivityKind::parse(s).unwrap_or(ActivityKind::Task)
}
fn status_of(s: &str) -> ActivityStatus {
    ActivityStatus::parse(s).unwrap_or(ActivityStatus::Open)
}
fn regarding_of(s: &str) -> RegardingKind {
    RegardingKind::parse(s).unwrap_or(RegardingKind::Account)
}

pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<Activity, AppError> {
    let mut conn = db.pool.acquire().await?;
    let r = load(&mut conn, actor, id).await?;
    let rk = regarding_of(&r.regarding_kind);
    let label = regarding(&mut conn, actor, rk, r.regarding_id).await.map(|(_, l)| l).unwrap_or_default();
    let attendees = sqlx::query_as::<_, (Option<i64>, Option<i64>, Option<String>)>(
        "SELECT t.user_id, t.contact_id, COALESCE(u.name, c.first_name || ' ' || c.last_name) FROM activity_attendees t \
         LEFT JOIN users u ON u.id = t.user_id LEFT JOIN contacts c ON c.id = t.contact_id WHERE t.activity_id = $1 ORDER BY t.user_id, t.contact_id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|(user_id, contact_id, name)| Attendee { user_id, contact_id, name: name.unwrap_or_default() })
    .collect();
    Ok(Activity {
        id: r.id,
        kind: kind_of(&r.kind),
        subject: r.subject,
        description: r.description,
        status: status_of(&r.status),
        priority: Priority::parse(&r.priority).unwrap_or(Priority::Normal),
        starts_at: to_local(&r.starts_at),
        ends_at: r.ends_at.as_deref().map(to_local),
        duration_min: r.duration_min,
        direction: r.direction.as_deref().and_then(Direction::parse),
        outcome: r.outcome,
        location: r.location,
        regarding_kind: rk,
        regarding_id: r.regarding_id,
        regarding_label: label,
        account_id: r.account_id,
        attendees,
        follow_up_of: r.follow_up_of,
        completed_at: r.completed_at.as_deref().map(to_local),
        owner_id: r.owner_id,
        owner_name: r.owner_name,
        version: r.version,
    })
}

fn valid_of(r: &ActivityDb) -> Valid {
    Valid {
        kind: kind_of(&r.kind),
        subject: r.subject.clone(),
        description: r.description.clone(),
        priority: Priority::parse(&r.priority).unwrap_or(Priority::Normal),
        starts_at: r.starts_at.clone(),
        ends_at: r.ends_at.clone(),
        direction: r.direction.as_deref().and_then(Direction::parse),
        outcome: r.outcome.clone(),
        location: r.location.clone(),
        regarding_kind: regarding_of(&r.regarding_kind),
        regarding_id: r.regarding_id,
        owner_id: Some(r.owner_id),
        completed: r.status == "completed",
        attendee_contacts: Vec::new(),
        attendee_users: Vec::new(),
    }
}

/// Saves an edit made on version `input.version`.
pub async fn update(db: &Db, actor: &Actor, input: &ActivityInput) -> Result<i64, AppError> {
    let id = parse_id("id", &input.id)?;
    let version = parse_id("version", &input.version)?;
    let v = validate(input)?;
    let mut tx = db.begin().await?;
    let new_version = update_in(&mut tx, actor, (id, version), &v).await?;
    tx.commit().await?;
    Ok(new_version)
}

/// Saves an edit inside the caller's transaction (the form, or an import updating an activity);
/// returns the new version.
pub(crate) async fn update_in(tx: &mut Tx, actor: &Actor, (id, version): (i64, i64), v: &Valid) -> Result<i64, AppError> {
    let old = load_for_update(tx, actor, id, version).await?;
    let (account_id, _) = regarding(tx, actor, v.regarding_kind, v.regarding_id).await?;
    check_attendees(tx, actor, v).await?;
    let (owner, team) = crate::services::visibility::resolve_owner(tx, actor, v.owner_id.or(Some(old.owner_id))).await?;
    let n = sqlx::query(
        "UPDATE activities SET kind = $1, subject = $2, description = $3, priority = $4, starts_at = $5, ends_at = $6, duration_min = $7, \
         direction = $8, outcome = $9, location = $10, regarding_kind = $11, regarding_id = $12, account_id = $13, owner_id = $14, team_id = $15, \
         updated_at = $16, updated_by = $17, version = version + 1 WHERE id = $18 AND version = $19",
    )
    .bind(v.kind.code())
    .bind(&v.subject)
    .bind(&v.description)
    .bind(v.priority.code())
    .bind(&v.starts_at)
    .bind(&v.ends_at)
    .bind(duration_min(&v.starts_at, v.ends_at.as_deref()))
    .bind(v.direction.map(|d| d.code()))
    .bind(&v.outcome)
    .bind(&v.location)
    .bind(v.regarding_kind.code())
    .bind(v.regarding_id)
    .bind(account_id)
    .bind(owner)
    .bind(team)
    .bind(now())
    .bind(actor.id)
    .bind(id)
    .bind(version)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    changed_one(n)?;
    write_attendees(tx, id, v).await?;
    audit::updated(tx, "activity", id, Some(actor), &audit_fields(&valid_of(&old), old.owner_id), &audit_fields(v, owner)).await?;
    Ok(version + 1)
}

/// Marks an open activity completed with its outcome and, when asked, schedules the follow-up about
/// the same record in the same transaction. Returns the follow-up's id.
pub async fn complete(db: &Db, actor: &Actor, input: &CompleteInput) -> Result<Option<i64>, AppError> {
    let id = parse_id("id", &input.id)?;
    let version = parse_id("version", &input.version)?;
    let outcome = optional("outcome", &input.outcome, 500)?;
    let follow = matches!(input.follow_up.as_str(), "on" | "true" | "1");
    let follow_valid = if follow {
        let kind = ActivityKind::parse(input.follow_kind.trim()).ok_or_else(|| field("follow_kind", Problem::InvalidChoice))?;
        Some((kind, required("follow_subject", &input.follow_subject, 200)?, parse_local("follow_starts_at", &input.follow_starts_at)?))
    } else {
        None
    };
    let mut tx = db.begin().await?;
    let old = load_for_update(&mut tx, actor, id, version).await?;
    if old.status != "open" {
        return Err(field("status", Problem::InvalidChoice));
    }
    let ts = now();
    let n = sqlx::query(
        "UPDATE activities SET status = 'completed', outcome = COALESCE($1, outcome), completed_at = $2, completed_by = $3, updated_at = $2, \
         updated_by = $3, version = version + 1 WHERE id = $4 AND version = $5",
    )
    .bind(&outcome)
    .bind(&ts)
    .bind(actor.id)
    .bind(id)
    .bind(version)
    .execute(&mut *tx)
    .await?;
    changed_one(n.rows_affected())?;
    audit::updated(
        &mut tx,
        "activity",
        id,
        Some(actor),
        &vec![("status", Some(old.status.clone())), ("outcome", old.outcome.clone())],
        &vec![("status", Some("completed".into())), ("outcome", outcome.clone().or(old.outcome.clone()))],
    )
    .await?;
    let follow_id = match follow_valid {
        Some((kind, subject, starts_at)) => {
            let mut v = valid_of(&old);
            v.kind = kind;
            v.subject = subject;
            v.description = None;
            v.starts_at = starts_at;
            v.ends_at = None;
            v.direction = None;
            v.outcome = None;
            v.completed = false;
            v.owner_id = Some(old.owner_id);
            Some(insert(&mut tx, actor, &v, Some(id), false).await?)
        }
        None => None,
    };
    tx.commit().await?;
    Ok(follow_id)
}

/// Cancels an open activity.
pub async fn cancel(db: &Db, actor: &Actor, id: i64, version: i64) -> Result<i64, AppError> {
    let mut tx = db.begin().await?;
    let old = load_for_update(&mut tx, actor, id, version).await?;
    if old.status != "open" {
        return Err(field("status", Problem::InvalidChoice));
    }
    let n = sqlx::query("UPDATE activities SET status = 'cancelled', updated_at = $1, updated_by = $2, version = version + 1 WHERE id = $3 AND version = $4")
        .bind(now())
        .bind(actor.id)
        .bind(id)
        .bind(version)
        .execute(&mut *tx)
        .await?;
    changed_one(n.rows_affected())?;
    audit::updated(&mut tx, "activity", id, Some(actor), &vec![("status", Some(old.status))], &vec![("status", Some("cancelled".into()))])
        .await?;
    tx.commit().await?;
    Ok(version + 1)
}

/// Moves an activity to another local start time, keeping its length (the calendar's drag and its
/// keyboard alternative).
pub async fn reschedule(db: &Db, actor: &Actor, id: i64, version: i64, starts_local: &str) -> Result<i64, AppError> {
    let starts_at = parse_local("starts_at", starts_local)?;
    let mut tx = db.begin().await?;
    let old = load_for_update(&mut tx, actor, id, version).await?;
    let ends_at = match (old.duration_min, clock::parse_stamp(&starts_at)) {
        (Some(d), Some(s)) if old.ends_at.is_some() => Some(clock::stamp(s + Duration::minutes(d))),
        _ => None,
    };
    let n = sqlx::query("UPDATE activities SET starts_at = $1, ends_at = $2, updated_at = $3, updated_by = $4, version = version + 1 WHERE id = $5 AND version = $6")
        .bind(&starts_at)
        .bind(&ends_at)
        .bind(now())
        .bind(actor.id)
        .bind(id)
        .bind(version)
        .execute(&mut *tx)
        .await?;
    changed_one(n.rows_affected())?;
    audit::updated(
        &mut tx,
        "activity",
        id,
        Some(actor),
        &vec![("starts_at", Some(old.starts_at)), ("ends_at", old.ends_at)],
        &vec![("starts_at", Some(starts_at)), ("ends_at", ends_at)],
    )
    .await?;
    tx.commit().await?;
    Ok(version + 1)
}

// ------------------------------------------------------------------------------------------------
// Lists: My day, calendar, team view
// ------------------------------------------------------------------------------------------------

/// The label of the record an activity or note (aliased `alias`) is about, by kind: primary-key
/// lookups, one per row shown.
pub fn regarding_label(alias: &str) -> String {
    format!(
        "CASE {alias}.regarding_kind \
         WHEN 'account' THEN (SELECT r.name FROM accounts r WHERE r.id = {alias}.regarding_id) \
         WHEN 'contact' THEN (SELECT r.first_name || ' ' || r.last_name FROM contacts r WHERE r.id = {alias}.regarding_id) \
         WHEN 'opportunity' THEN (SELECT r.name FROM opportunities r WHERE r.id = {alias}.regarding_id) \
         ELSE (SELECT TRIM(COALESCE(r.company, '') || ' ' || COALESCE(r.last_name, '')) FROM leads r WHERE r.id = {alias}.regarding_id) END"
    )
}

const ROW: &str = "SELECT x.id, x.kind, x.subject, x.status, x.priority, x.starts_at, x.ends_at, x.regarding_kind, x.regarding_id, u.name AS owner_name, x.version";

type RowDb = (i64, String, String, String, String, String, Option<String>, String, i64, String, i64, Option<String>);

fn row_select() -> String {
    format!("{ROW}, {} AS label FROM activities x JOIN users u ON u.id = x.owner_id WHERE 1=1", regarding_label("x"))
}

fn to_row(r: RowDb) -> ActivityRow {
    ActivityRow {
        id: r.0,
        kind: kind_of(&r.1),
        subject: r.2,
        status: status_of(&r.3),
        priority: Priority::parse(&r.4).unwrap_or(Priority::Normal),
        starts_at: to_local(&r.5),
        ends_at: r.6.as_deref().map(to_local),
        regarding_kind: regarding_of(&r.7),
        regarding_id: r.8,
        owner_name: r.9,
        version: r.10,
        regarding_label: r.11.unwrap_or_default(),
    }
}

/// Settings key of "stale after N days without activity" (admin-configurable).
pub const STALE_DAYS_KEY: &str = "stale_days";
pub const STALE_DAYS_DEFAULT: i64 = 14;

pub async fn stale_days(db: &Db) -> Result<i64, AppError> {
    let v: Option<String> = sqlx::query("SELECT value FROM settings WHERE key = $1")
        .bind(STALE_DAYS_KEY)
        .fetch_optional(&db.pool)
        .await?
        .map(|r| r.get("value"));
    Ok(v.and_then(|v| v.parse().ok()).filter(|d| (1..=365).contains(d)).unwrap_or(STALE_DAYS_DEFAULT))
}

pub async fn set_stale_days(db: &Db, actor: &Actor, days: &str) -> Result<(), AppError> {
    if actor.role != Role::Admin {
        return Err(AppError::Forbidden);
    }
    let d: i64 = days.trim().parse().map_err(|_| field("stale_days", Problem::InvalidNumber))?;
    if !(1..=365).contains(&d) {
        return Err(field("stale_days", Problem::OutOfRange(1, 365)));
    }
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM settings WHERE key = $1").bind(STALE_DAYS_KEY).execute(&mut *tx).await?;
    sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2)").bind(STALE_DAYS_KEY).bind(d.to_string()).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}

const MY_DAY_LIMIT: i64 = 50;

/// The salesperson's day: overdue and today's open activities, this week's meetings, own open
/// opportunities closing this month, and own open opportunities without activity for N days.
pub async fn my_day(db: &Db, actor: &Actor) -> Result<MyDay, AppError> {
    let today = clock::today();
    let (day0, day1) = (clock::day_start(today), clock::day_start(today + Duration::days(1)));
    let week0 = clock::week_start(today);
    let week_end = clock::day_start(week0 + Duration::days(7));

    let mine = |extra: &str| {
        let mut sql = Sql::new(&row_select());
        sql.push(" AND x.owner_id = ").bind(actor.id).push(extra);
        sql
    };
    let mut overdue = mine(" AND x.status = 'open' AND x.starts_at < ");
    overdue.bind(day0.clone()).push(" ORDER BY x.starts_at, x.id LIMIT ").bind(MY_DAY_LIMIT);
    let mut due_today = mine(" AND x.status = 'open' AND x.starts_at >= ");
    due_today.bind(day0).push(" AND x.starts_at < ").bind(day1.clone()).push(" ORDER BY x.starts_at, x.id LIMIT ").bind(MY_DAY_LIMIT);
    let mut meetings = mine(" AND x.status = 'open' AND x.kind = 'meeting' AND x.starts_at >= ");
    meetings.bind(day1).push(" AND x.starts_at < ").bind(week_end).push(" ORDER BY x.starts_at, x.id LIMIT ").bind(MY_DAY_LIMIT);

    let stale_days = stale_days(db).await?;
    let month0 = clock::month_start(today).format("%Y-%m-%d").to_string();
    let month1 = clock::next_month_start(today).format("%Y-%m-%d").to_string();
    let deal_select = "SELECT o.id, o.name, a.name AS account_name, s.name AS stage_name, o.amount_minor, o.currency, o.close_date, \
        (SELECT MAX(x.starts_at) FROM activities x WHERE x.regarding_kind = 'opportunity' AND x.regarding_id = o.id) AS last_activity \
        FROM opportunities o JOIN stages s ON s.id = o.stage_id JOIN accounts a ON a.id = o.account_id WHERE s.kind = 'open' AND o.owner_id = ";
    let mut closing = Sql::new(deal_select);
    closing.bind(actor.id).push(" AND o.close_date >= ").bind(month0).push(" AND o.close_date < ").bind(month1);
    closing.push(" ORDER BY o.close_date, o.id LIMIT ").bind(MY_DAY_LIMIT);
    // Stale: open, created before the cut-off, and no activity about it since the cut-off.
    let cutoff = clock::stamp(chrono::Utc::now() - Duration::days(stale_days));
    let mut stale = Sql::new(deal_select);
    stale.bind(actor.id).push(" AND o.created_at < ").bind(cutoff.clone());
    stale.push(
        " AND NOT EXISTS (SELECT 1 FROM activities x WHERE x.regarding_kind = 'opportunity' AND x.regarding_id = o.id AND x.starts_at >= ",
    );
    stale.bind(cutoff).push(") ORDER BY o.close_date, o.id LIMIT ").bind(MY_DAY_LIMIT);

    type DealDb = (i64, String, String, String, i64, String, String, Option<String>);
    let deal = |r: DealDb| DealRow {
        id: r.0,
        name: r.1,
        account_name: r.2,
        stage_name: r.3,
        amount_minor: r.4,
        currency: Currency::parse(&r.5).unwrap_or(Currency::RSD),
        close_date: r.6,
        last_activity: r.7.as_deref().map(|t| to_local(t).chars().take(10).collect()),
    };
    let (overdue, due_today, meetings, closing, stale) = tokio::try_join!(
        overdue.query_as::<RowDb>().fetch_all(&db.pool),
        due_today.query_as::<RowDb>().fetch_all(&db.pool),
        meetings.query_as::<RowDb>().fetch_all(&db.pool),
        closing.query_as::<DealDb>().fetch_all(&db.pool),
        stale.query_as::<DealDb>().fetch_all(&db.pool),
    )?;
    Ok(MyDay {
        today: today.format("%Y-%m-%d").to_string(),
        overdue: overdue.into_iter().map(to_row).collect(),
        due_today: due_today.into_iter().map(to_row).collect(),
        meetings_this_week: meetings.into_iter().map(to_row).collect(),
        closing_this_month: closing.into_iter().map(deal).collect(),
        stale: stale.into_iter().map(deal).collect(),
        stale_days,
    })
}

/// Most activities one calendar range shows.
pub const CALENDAR_LIMIT: i64 = 500;

/// Activities with a time between two local dates (`to` exclusive), of one user or (for a manager or
/// admin) a team, restricted by visibility. Cancelled ones are left out.
pub async fn calendar(db: &Db, actor: &Actor, from: NaiveDate, to: NaiveDate, team: Option<i64>) -> Result<Vec<ActivityRow>, AppError> {
    let mut sql = Sql::new(&row_select());
    sql.push(" AND x.starts_at >= ").bind(clock::day_start(from)).push(" AND x.starts_at < ").bind(clock::day_start(to));
    sql.push(" AND x.status <> 'cancelled'");
    match team {
        Some(t) => {
            sql.push(" AND x.team_id = ").bind(t);
        }
        None => {
            sql.push(" AND x.owner_id = ").bind(actor.id);
        }
    }
    visibility::restrict(&mut sql, actor, "x");
    sql.push(" ORDER BY x.starts_at, x.id LIMIT ").bind(CALENDAR_LIMIT);
    Ok(sql.query_as::<RowDb>().fetch_all(&db.pool).await?.into_iter().map(to_row).collect())
}

/// Activities per person, kind and week over `weeks` weeks up to this one, for the people the actor
/// sees (a manager their team, an admin everyone). Grouped in SQL by the week's start.
pub async fn team_weeks(db: &Db, actor: &Actor, weeks: i64, team: Option<i64>) -> Result<Vec<TeamActivityCell>, AppError> {
    if !matches!(actor.role, Role::Manager | Role::Admin) {
        return Err(AppError::Forbidden);
    }
    let this_week = clock::week_start(clock::today());
    let first = this_week - Duration::days(7 * (weeks.clamp(1, 26) - 1));
    let mut bounds = Vec::new();
    let mut w = first;
    while w <= this_week {
        bounds.push(w);
        w += Duration::days(7);
    }
    // The week of each activity: the last week start not after it (a CASE over the few weeks asked).
    let mut sql = Sql::new("SELECT x.owner_id, u.name, CASE");
    for b in bounds.iter().rev() {
        sql.push(" WHEN x.starts_at >= ").bind(clock::day_start(*b)).push(" THEN ").bind(b.format("%Y-%m-%d").to_string());
    }
    sql.push(
        " END AS week, x.kind, COUNT(*) AS total, SUM(CASE WHEN x.status = 'completed' THEN 1 ELSE 0 END) AS done \
              FROM activities x JOIN users u ON u.id = x.owner_id WHERE x.starts_at >= ",
    );
    sql.bind(clock::day_start(first)).push(" AND x.starts_at < ").bind(clock::day_start(this_week + Duration::days(7)));
    sql.push(" AND x.status <> 'cancelled'");
    if let Some(t) = team {
        sql.push(" AND x.team_id = ").bind(t);
    }
    visibility::restrict(&mut sql, actor, "x");
    sql.push(" GROUP BY x.owner_id, u.name, week, x.kind ORDER BY u.name, week, x.kind");
    let rows = sql.query_as::<(i64, String, String, String, i64, i64)>().fetch_all(&db.pool).await?;
    Ok(rows
        .into_iter()
        .map(|(user_id, user_name, week, kind, total, completed)| TeamActivityCell {
            user_id,
            user_name,
            week,
            kind: kind_of(&kind),
            total,
            completed,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> ActivityInput {
        ActivityInput {
            kind: "call".into(),
            subject: "Poziv".into(),
            starts_at: "2026-11-27T10:00".into(),
            regarding_kind: "account".into(),
            regarding_id: "1".into(),
            ..Default::default()
        }
    }

    #[test]
    fn activities_are_validated_field_by_field() {
        assert!(validate(&input()).is_ok());
        let mut i = input();
        i.kind = "visit".into();
        assert_eq!(validate(&i), Err(field("kind", Problem::InvalidChoice)));
        let mut i = input();
        i.ends_at = "2026-11-27T09:00".into();
        assert_eq!(validate(&i), Err(field("ends_at", Problem::InvalidDate)));
        let mut i = input();
        i.regarding_id.clear();
        assert_eq!(validate(&i), Err(field("regarding_id", Problem::Required)));
        let mut i = input();
        i.attendee_contacts = vec!["3".into(), "x".into()];
        assert_eq!(validate(&i), Err(field("attendee_contacts", Problem::InvalidChoice)));
        let mut i = input();
        i.direction = "out".into();
        i.ends_at = "2026-11-27T10:25".into();
        let v = validate(&i).unwrap();
        assert_eq!(v.direction, Some(Direction::Out));
        assert_eq!(duration_min(&v.starts_at, v.ends_at.as_deref()), Some(25));
    }
}
