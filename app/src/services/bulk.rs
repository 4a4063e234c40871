//! Bulk actions on the accounts, contacts, leads and opportunities lists: assign an owner to, or delete,
//! the records of a [`Selection`] — ticked rows (each at the version the user saw) or all the records
//! the list's filters find (each at the version read in the transaction that changes it). On a
//! marketing list's page the selection is of its members (ticked, or all its members' filters find),
//! to take off the list or add to another.
//!
//! Every record is changed as a single edit would change it: only if the actor may see it (else it is
//! "not found"), at its version (else a conflict for that record, never an overwrite), with the same
//! audit entry, and for a delete through its service's own delete with its refusals. Each record runs in
//! a savepoint, so a refused record is reported and the others go on.
//!
//! Up to [`DIRECT_LIMIT`] ticked records run at once in the request, in one transaction; larger
//! selections and every "all matching" run as a job (`services::jobs`) in batches of records by
//! ascending id, the job's cursor being the last id done. "All matching" walks the list's own filter
//! builder (each list service's `filters`, the same SQL as its page) with `AND id > cursor ORDER BY id
//! LIMIT batch`, up to the highest id there was when the user chose it.
//!
//! Adding to (and removing from) a marketing list goes batch by batch through
//! `marketing::members::add_in` (`remove_in`), with its checks and its audit entry per member; the list
//! is loaded (and checked: static, unlocked, of the records' kind, one the actor may change) once per
//! batch, so a list locked while a job runs stops it. "All matching" members walk the members' own
//! statement (`members::source_in` and `members::filters`, as the list's page), by id.
//!
//! A new scope of selection (`domain::bulk::Scope`) needs an arm in [`targets`] and in [`count`].

use super::jobs::{self, Batch, JobKind};
use super::listing::TextSearch;
use super::{accounts, audit, contacts, leads, marketing, opportunities, visibility, Actor};
use crate::api::bulk::BulkOutcome;
use crate::api::jobs::{ItemProblem, JobStatus, JobView};
use crate::db::sql::Sql;
use crate::db::write::{self, Stamp};
use crate::db::{now, Backend, Db, Tx};
use crate::domain::bulk::{BulkAction, BulkList, Scope, Selection, DIRECT_LIMIT};
use crate::domain::marketing::{ListChoice, MarketingList, MembersQuery};
use crate::domain::validate::field;
use crate::domain::{lead_name, LeadStatus, ListQuery};
use crate::error::{AppError, Problem};
use serde::{Deserialize, Serialize};
use sqlx::Row;

/// A bulk job's payload.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Payload {
    pub selection: Selection,
    pub action: BulkAction,
    /// The highest id of the list's table when the job was started: "all matching" means the records
    /// there were then, not those created while it runs.
    pub upto: i64,
}

/// A list's table as the bulk actions use it.
struct Table {
    name: &'static str,
    alias: &'static str,
    /// The entity of its audit entries and trash items.
    entity: &'static str,
    filters: fn(&mut Sql, &TextSearch, &Actor, &ListQuery),
    /// The columns `company`, `first` and `last` making the record's name through `lead_name`.
    label: &'static str,
    /// A lead's status (closed leads change only by their own steps); NULL for the others.
    status: &'static str,
}

fn table(list: BulkList) -> Table {
    match list {
        BulkList::Accounts => Table {
            name: "accounts",
            alias: "a",
            entity: "account",
            filters: accounts::filters,
            label: "a.name AS company, CAST(NULL AS TEXT) AS first, CAST(NULL AS TEXT) AS last",
            status: "CAST(NULL AS TEXT)",
        },
        BulkList::Contacts => Table {
            name: "contacts",
            alias: "c",
            entity: "contact",
            filters: contacts::filters,
            label: "CAST(NULL AS TEXT) AS company, c.first_name AS first, c.last_name AS last",
            status: "CAST(NULL AS TEXT)",
        },
        BulkList::Leads => Table {
            name: "leads",
            alias: "l",
            entity: "lead",
            filters: leads::filters,
            label: "l.company AS company, l.first_name AS first, l.last_name AS last",
            status: "l.status",
        },
        BulkList::Opportunities => Table {
            name: "opportunities",
            alias: "o",
            entity: "opportunity",
            filters: opportunities::filters,
            label: "o.name AS company, CAST(NULL AS TEXT) AS first, CAST(NULL AS TEXT) AS last",
            status: "CAST(NULL AS TEXT)",
        },
    }
}

/// A record of a batch as read in its transaction, with the version the user saw when ticked.
#[derive(sqlx::FromRow)]
struct Target {
    id: i64,
    version: i64,
    owner_id: i64,
    team_id: Option<i64>,
    company: Option<String>,
    first: Option<String>,
    last: Option<String>,
    status: Option<String>,
}

impl Target {
    fn label(&self) -> String {
        lead_name(self.company.as_deref(), self.first.as_deref(), self.last.as_deref())
    }
}

/// The records of the batch after `after`: each with the version to write at; the ticked ids the actor
/// may not see (or that are gone); the last id reached and whether more may follow.
struct Targets {
    found: Vec<(Target, i64)>,
    missing: Vec<i64>,
    last_id: Option<i64>,
    more: bool,
}

async fn targets(tx: &mut Tx, actor: &Actor, p: &Payload, after: i64, limit: usize) -> Result<Targets, AppError> {
    let t = table(p.selection.list);
    let x = t.alias;
    let mut sql = Sql::new(&format!(
        "SELECT {x}.id, {x}.version, {x}.owner_id, {x}.team_id, {}, {} AS status FROM {} {x} WHERE 1=1",
        t.label, t.status, t.name
    ));
    match &p.selection.scope {
        Scope::Ids(_) => {
            let chunk = p.selection.ids_after(after, limit);
            if chunk.is_empty() {
                return Ok(Targets { found: vec![], missing: vec![], last_id: None, more: false });
            }
            let ids: Vec<i64> = chunk.iter().map(|(id, _)| *id).collect();
            sql.push(&format!(" AND {x}.id IN (")).bind_list(&ids).push(")");
            visibility::restrict(&mut sql, actor, x);
            let mut rows: Vec<Target> = sql.query_as().fetch_all(&mut **tx).await?;
            rows.sort_by_key(|r| r.id);
            let last = chunk.last().map(|(id, _)| *id);
            let more = last.is_some_and(|l| !p.selection.ids_after(l, 1).is_empty());
            let mut found = Vec::new();
            let mut missing = Vec::new();
            let mut rows = rows.into_iter().peekable();
            for (id, seen) in chunk {
                match rows.next_if(|r| r.id == *id) {
                    Some(r) => found.push((r, *seen)),
                    None => missing.push(*id),
                }
            }
            Ok(Targets { found, missing, last_id: last, more })
        }
        Scope::Matching(q) => {
            let text = TextSearch::simple(Backend::of(tx), &q.q);
            (t.filters)(&mut sql, &text, actor, q);
            sql.push(&format!(" AND {x}.id > ")).bind(after).push(&format!(" AND {x}.id <= ")).bind(p.upto);
            sql.push(&format!(" ORDER BY {x}.id LIMIT ")).bind(limit as i64);
            let rows: Vec<Target> = sql.query_as().fetch_all(&mut **tx).await?;
            let more = rows.len() == limit;
            let last_id = rows.last().map(|r| r.id);
            // Each at the version read here, in the transaction that changes it.
            let found = rows
                .into_iter()
                .map(|r| {
                    let v = r.version;
                    (r, v)
                })
                .collect();
            Ok(Targets { found, missing: vec![], last_id, more })
        }
        Scope::Members(list_id, q) => {
            let mut sql = Sql::new(&format!("SELECT {x}.id, {x}.version, {x}.owner_id, {x}.team_id, {}, {} AS status", t.label, t.status));
            members_of(tx, actor, p.selection.list, *list_id, q, &mut sql).await?;
            sql.push(&format!(" AND {x}.id > ")).bind(after).push(&format!(" AND {x}.id <= ")).bind(p.upto);
            sql.push(&format!(" ORDER BY {x}.id LIMIT ")).bind(limit as i64);
            let rows: Vec<Target> = sql.query_as().fetch_all(&mut **tx).await?;
            let more = rows.len() == limit;
            let last_id = rows.last().map(|r| r.id);
            // Each at the version read here, as for "all matching" records.
            let found = rows
                .into_iter()
                .map(|r| {
                    let v = r.version;
                    (r, v)
                })
                .collect();
            Ok(Targets { found, missing: vec![], last_id, more })
        }
    }
}

/// Appends to `sql` the source and filters of marketing list `list_id`'s members that `q` finds (the
/// records of `list`, which must be the list's kind), as the list's page reads them.
async fn members_of(tx: &mut Tx, actor: &Actor, list: BulkList, list_id: i64, q: &MembersQuery, sql: &mut Sql) -> Result<(), AppError> {
    let ml = marketing::get_in(tx, actor, list_id).await?;
    if list.member_kind() != Some(ml.member_kind) {
        return Err(field("selection", Problem::InvalidChoice));
    }
    marketing::members::source_in(tx, actor, &ml, sql).await?;
    let text = TextSearch::simple(Backend::of(tx), &q.q);
    marketing::members::filters(sql, ml.member_kind, &text, q);
    Ok(())
}

/// How many records a selection holds (for the progress bar), up to id `upto`.
async fn count(tx: &mut Tx, actor: &Actor, sel: &Selection, upto: i64) -> Result<i64, AppError> {
    match &sel.scope {
        Scope::Ids(ids) => Ok(ids.len() as i64),
        Scope::Matching(q) => {
            let t = table(sel.list);
            let x = t.alias;
            let mut sql = Sql::new(&format!("SELECT COUNT(*) AS n FROM {} {x} WHERE 1=1", t.name));
            (t.filters)(&mut sql, &TextSearch::simple(Backend::of(tx), &q.q), actor, q);
            sql.push(&format!(" AND {x}.id <= ")).bind(upto);
            Ok(sql.query().fetch_one(&mut **tx).await?.try_get("n")?)
        }
        Scope::Members(list_id, q) => {
            let x = table(sel.list).alias;
            let mut sql = Sql::new("SELECT COUNT(*) AS n");
            members_of(tx, actor, sel.list, *list_id, q, &mut sql).await?;
            sql.push(&format!(" AND {x}.id <= ")).bind(upto);
            Ok(sql.query().fetch_one(&mut **tx).await?.try_get("n")?)
        }
    }
}

/// Does one record inside a savepoint: its changes stay only if it succeeds.
async fn one(tx: &mut Tx, actor: &Actor, p: &Payload, owner: Option<(i64, Option<i64>)>, t: &Target, version: i64) -> Result<(), AppError> {
    sqlx::query("SAVEPOINT bulk_record").execute(&mut **tx).await?;
    let result = apply(tx, actor, p, owner, t, version).await;
    if result.is_err() {
        sqlx::query("ROLLBACK TO SAVEPOINT bulk_record").execute(&mut **tx).await?;
    }
    sqlx::query("RELEASE SAVEPOINT bulk_record").execute(&mut **tx).await?;
    result
}

async fn apply(
    tx: &mut Tx,
    actor: &Actor,
    p: &Payload,
    owner: Option<(i64, Option<i64>)>,
    t: &Target,
    version: i64,
) -> Result<(), AppError> {
    let list = p.selection.list;
    match &p.action {
        BulkAction::AssignOwner(_) => {
            let (owner, team) = owner.ok_or(AppError::Internal)?;
            crate::domain::check_version(t.version, version)?;
            // As the lead form: a qualified or disqualified lead changes only by its own steps.
            if t.status.as_deref().and_then(LeadStatus::parse).is_some_and(|s| s.is_closed()) {
                return Err(field("status", Problem::InvalidChoice));
            }
            if (t.owner_id, t.team_id) == (owner, team) {
                return Ok(());
            }
            let tb = table(list);
            let ts = now();
            write::update_row(
                tx,
                tb.name,
                &["owner_id", "team_id"],
                vec![owner.into(), team.into()],
                (t.id, version),
                Stamp { at: &ts, by: actor.id },
            )
            .await?;
            audit::updated(
                tx,
                tb.entity,
                t.id,
                Some(actor),
                &vec![("owner_id", Some(t.owner_id.to_string()))],
                &vec![("owner_id", Some(owner.to_string()))],
            )
            .await?;
            Ok(())
        }
        BulkAction::Delete => match list {
            BulkList::Accounts => accounts::delete_in(tx, actor, t.id, version).await,
            BulkList::Contacts => contacts::delete_in(tx, actor, t.id, version).await,
            BulkList::Leads => leads::delete_in(tx, actor, t.id, version).await,
            BulkList::Opportunities => opportunities::delete_in(tx, actor, t.id, version).await,
        },
        // Added or removed a batch at a time in `batch`, never one by one.
        BulkAction::AddToList(_) | BulkAction::RemoveFromList(_) => Err(AppError::Internal),
    }
}

/// The marketing list `list_id` as a bulk add or remove needs it, in the caller's transaction: one
/// `actor` may change, static, unlocked, and holding records of `list`'s kind (else the field "list_id"
/// is refused).
async fn target_list(tx: &mut Tx, actor: &Actor, list: BulkList, list_id: i64) -> Result<MarketingList, AppError> {
    let kind = list.member_kind().ok_or_else(|| field("action", Problem::InvalidChoice))?;
    let (ml, _) = marketing::load_for_change(tx, actor, list_id).await.map_err(|e| match e {
        AppError::NotFound => field("list_id", Problem::InvalidChoice),
        e => e,
    })?;
    if ml.member_kind != kind {
        return Err(field("list_id", Problem::InvalidChoice));
    }
    ml.members_change()?;
    Ok(ml)
}

/// The lists a bulk add on `list` offers: the static, unlocked marketing lists of its records' kind
/// that `actor` may see (none for opportunities).
pub async fn list_choices(db: &Db, actor: &Actor, list: BulkList) -> Result<Vec<ListChoice>, AppError> {
    match list.member_kind() {
        Some(kind) => marketing::members::open_static(db, actor, kind).await,
        None => Ok(Vec::new()),
    }
}

/// One batch of a bulk action: the selection's records after id `after`, at most `limit`, in the
/// caller's transaction.
async fn batch(tx: &mut Tx, actor: &Actor, p: &Payload, after: i64, limit: usize) -> Result<Batch, AppError> {
    // The new owner once per batch: still active, and one the actor may assign to.
    let owner = match p.action {
        BulkAction::AssignOwner(o) => Some(visibility::resolve_owner(tx, actor, Some(o)).await?),
        BulkAction::Delete | BulkAction::AddToList(_) | BulkAction::RemoveFromList(_) => None,
    };
    let ml = match p.action {
        BulkAction::AddToList(l) | BulkAction::RemoveFromList(l) => Some(target_list(tx, actor, p.selection.list, l).await?),
        _ => None,
    };
    let found = targets(tx, actor, p, after, limit).await?;
    let mut out = Batch { last_id: found.last_id, more: found.more, ..Default::default() };
    for id in found.missing {
        out.failed += 1;
        out.problems.push(ItemProblem { id, label: String::new(), error: AppError::NotFound });
    }
    if let Some(ml) = ml {
        // The whole batch at once: one look-up of existing members and one write, not one per record.
        let ids: Vec<i64> = found.found.iter().map(|(t, _)| t.id).collect();
        if let BulkAction::RemoveFromList(_) = p.action {
            // A record that was no member needed nothing: done, as an add counts one already in.
            let change = marketing::members::remove_in(tx, actor, &ml, &ids).await?;
            out.done += change.removed + change.not_members;
            out.failed += change.skipped;
        } else {
            let change = marketing::members::add_in(tx, actor, &ml, &ids).await?;
            out.done += change.added + change.already;
            out.already += change.already;
            out.failed += change.skipped;
        }
        out.problems.sort_by_key(|p| p.id);
        return Ok(out);
    }
    for (t, version) in &found.found {
        match one(tx, actor, p, owner, t, *version).await {
            Ok(()) => out.done += 1,
            Err(e) => {
                if e == AppError::Internal {
                    tracing::error!(entity = table(p.selection.list).entity, id = t.id, "bulk action failed on a record");
                }
                out.failed += 1;
                out.problems.push(ItemProblem { id: t.id, label: t.label(), error: e });
            }
        }
    }
    out.problems.sort_by_key(|p| p.id);
    Ok(out)
}

/// The batch of a bulk job (`services::jobs`' arm for [`JobKind::Bulk`]).
pub(crate) async fn job_batch(tx: &mut Tx, actor: &Actor, payload: &str, after: i64, limit: usize) -> Result<Batch, AppError> {
    let p: Payload = serde_json::from_str(payload).map_err(|e| {
        tracing::error!(error = %e, "bulk job payload unreadable");
        AppError::Internal
    })?;
    batch(tx, actor, &p, after, limit).await
}

/// Runs `action` on `selection` for `actor`: at once for a few ticked records (their summary), else as a
/// job (its id). A new owner the actor may not assign to, or a marketing list the records may not be
/// added to or removed from, is refused before anything changes; a list's members are only added to
/// another list or removed from one (their record lists assign owners and delete).
pub async fn run(db: &Db, actor: &Actor, selection: Selection, action: BulkAction) -> Result<BulkOutcome, AppError> {
    let mut tx = db.begin().await?;
    if matches!(selection.scope, Scope::Members(..)) && matches!(action, BulkAction::AssignOwner(_) | BulkAction::Delete) {
        return Err(field("action", Problem::InvalidChoice));
    }
    match action {
        BulkAction::AssignOwner(o) => {
            visibility::resolve_owner(&mut tx, actor, Some(o)).await?;
        }
        BulkAction::AddToList(l) | BulkAction::RemoveFromList(l) => {
            target_list(&mut tx, actor, selection.list, l).await?;
        }
        BulkAction::Delete => {}
    }
    if selection.runs_directly() {
        let p = Payload { selection, action, upto: i64::MAX };
        let b = batch(&mut tx, actor, &p, 0, DIRECT_LIMIT).await?;
        tx.commit().await?;
        let total = b.done + b.failed;
        let mut summary = jobs::Summary::default();
        summary.add(b.problems);
        return Ok(BulkOutcome::Done(JobView {
            id: 0,
            kind: JobKind::Bulk.code().into(),
            status: JobStatus::Done,
            total,
            done: b.done,
            failed: b.failed,
            problems: summary.problems,
            problems_left_out: summary.left_out,
            already: b.already,
            error: None,
        }));
    }
    let t = table(selection.list);
    let upto: i64 = sqlx::query(&format!("SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) AS n FROM {}", t.name))
        .fetch_one(&mut *tx)
        .await?
        .try_get("n")?;
    let total = count(&mut tx, actor, &selection, upto).await?;
    let payload = serde_json::to_string(&Payload { selection, action, upto }).map_err(|_| AppError::Internal)?;
    let id = jobs::enqueue(&mut tx, actor, JobKind::Bulk, &payload, total).await?;
    tx.commit().await?;
    Ok(BulkOutcome::Started(id))
}
