//! Marketing lists (`/marketing/lists`): named sets of accounts, contacts or leads to reach. A list is an
//! owned record like any other — seen and changed by its owner, the owner's team and administrators,
//! versioned, audited — and its members are records the viewer may see: a list shared with a team never
//! shows a member outside what the viewer may open.
//!
//! Static lists keep their members ([`members`]); dynamic lists keep an advanced-find query whose results
//! are their members whenever the list is used ([`dynamic`]). A locked list refuses member changes.

pub mod dynamic;
pub mod file;
pub mod members;

use super::listing::{self, SortColumn};
use super::{audit, parse_id, visibility, Actor};
use crate::db::sql::{Sql, Val};
use crate::db::write::{self, Stamp};
use crate::db::{now, Backend, Db, Tx};
use crate::domain::marketing::{
    validate_list, ListType, ListValues, MarketingList, MarketingListInput, MarketingListRow, MarketingListView, MemberKind,
};
use crate::domain::money::{minor_to_input, Currency};
use crate::domain::text::{like_escape, search_key};
use crate::domain::validate::field;
use crate::domain::{check_version, AuditEntry, ListQuery, Page};
use crate::error::{AppError, Problem};

/// The audit trail's name for a list.
pub const ENTITY: &str = "marketing_list";

#[derive(sqlx::FromRow)]
struct ListDb {
    id: i64,
    name: String,
    member_kind: String,
    list_type: String,
    query: Option<String>,
    purpose: Option<String>,
    source: Option<String>,
    cost_minor: i64,
    currency: String,
    locked: i64,
    description: Option<String>,
    owner_id: i64,
    owner_name: String,
    team_id: Option<i64>,
    created_at: String,
    updated_at: String,
    version: i64,
}

/// One list by id; the caller appends visibility (and a lock).
const SELECT_ONE: &str = "SELECT ml.id, ml.name, ml.member_kind, ml.list_type, ml.query, ml.purpose, ml.source, ml.cost_minor, \
    ml.currency, ml.locked, ml.description, ml.owner_id, (SELECT u.name FROM users u WHERE u.id = ml.owner_id) AS owner_name, \
    ml.team_id, ml.created_at, ml.updated_at, ml.version FROM marketing_lists ml WHERE ml.id = ";

impl ListDb {
    fn into_list(self) -> (MarketingList, Option<i64>) {
        let list = MarketingList {
            id: self.id,
            name: self.name,
            member_kind: MemberKind::parse(&self.member_kind).unwrap_or_default(),
            list_type: ListType::parse(&self.list_type).unwrap_or_default(),
            query: self.query,
            purpose: self.purpose,
            source: self.source,
            cost_minor: self.cost_minor,
            currency: Currency::parse(&self.currency).unwrap_or(Currency::RSD),
            locked: self.locked != 0,
            description: self.description,
            owner_id: self.owner_id,
            owner_name: self.owner_name,
            created_at: self.created_at,
            updated_at: self.updated_at,
            version: self.version,
        };
        (list, self.team_id)
    }
}

/// A list `actor` may see, or NotFound.
pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<MarketingList, AppError> {
    let mut sql = Sql::new(SELECT_ONE);
    sql.bind(id);
    visibility::restrict(&mut sql, actor, "ml");
    sql.query_as::<ListDb>().fetch_optional(&db.pool).await?.map(|r| r.into_list().0).ok_or(AppError::NotFound)
}

/// [`get`] inside a transaction (a bulk job's batch reading the list whose members it goes through).
pub(crate) async fn get_in(tx: &mut Tx, actor: &Actor, id: i64) -> Result<MarketingList, AppError> {
    let mut sql = Sql::new(SELECT_ONE);
    sql.bind(id);
    visibility::restrict(&mut sql, actor, "ml");
    sql.query_as::<ListDb>().fetch_optional(&mut **tx).await?.map(|r| r.into_list().0).ok_or(AppError::NotFound)
}

/// A list `actor` may change, read inside a write transaction and held until it ends (on Postgres
/// `FOR UPDATE`; SQLite's write transactions already take turns), so that a lock or another change of
/// its members waits for this one.
pub(crate) async fn load_for_change(tx: &mut Tx, actor: &Actor, id: i64) -> Result<(MarketingList, Option<i64>), AppError> {
    let mut sql = Sql::new(SELECT_ONE);
    sql.bind(id);
    visibility::restrict(&mut sql, actor, "ml");
    if Backend::of(tx) == Backend::Postgres {
        sql.push(" FOR UPDATE");
    }
    let (list, team) = sql.query_as::<ListDb>().fetch_optional(&mut **tx).await?.map(ListDb::into_list).ok_or(AppError::NotFound)?;
    if !visibility::can_edit(actor, list.owner_id, team) {
        return Err(AppError::NotFound);
    }
    Ok((list, team))
}

/// A list's page: the list and what its members add up to.
pub async fn view(db: &Db, actor: &Actor, id: i64) -> Result<MarketingListView, AppError> {
    let list = get(db, actor, id).await?;
    let summary = members::summary(db, actor, &list).await?;
    Ok(MarketingListView { list, summary })
}

/// The columns a form's write fills, in the order of [`row`]; the kind of member and the type are set
/// once, on creation.
const COLUMNS: [&str; 10] =
    ["name", "search_key", "query", "purpose", "source", "cost_minor", "currency", "description", "owner_id", "team_id"];

fn row(v: &ListValues, (owner, team): write::Owner) -> Vec<Val> {
    vec![
        Val::from(v.name.clone()),
        Val::from(search_key(&v.name)),
        Val::from(v.query.clone()),
        Val::from(v.purpose.clone()),
        Val::from(v.source.clone()),
        Val::from(v.cost_minor),
        Val::from(v.currency.code()),
        Val::from(v.description.clone()),
        Val::from(owner),
        Val::from(team),
    ]
}

fn audit_fields(v: &ListValues, owner: i64) -> audit::Fields {
    vec![
        ("name", Some(v.name.clone())),
        ("member_kind", Some(v.member_kind.code().to_string())),
        ("list_type", Some(v.list_type.code().to_string())),
        ("query", v.query.clone()),
        ("purpose", v.purpose.clone()),
        ("source", v.source.clone()),
        ("cost", (v.cost_minor != 0).then(|| minor_to_input(v.cost_minor))),
        ("currency", Some(v.currency.code().to_string())),
        ("description", v.description.clone()),
        ("owner_id", Some(owner.to_string())),
    ]
}

fn values_of(l: &MarketingList) -> ListValues {
    ListValues {
        name: l.name.clone(),
        member_kind: l.member_kind,
        list_type: l.list_type,
        query: l.query.clone(),
        purpose: l.purpose.clone(),
        source: l.source.clone(),
        cost_minor: l.cost_minor,
        currency: l.currency,
        description: l.description.clone(),
        owner_id: Some(l.owner_id),
    }
}

pub async fn create(db: &Db, actor: &Actor, input: &MarketingListInput) -> Result<i64, AppError> {
    let v = validate_list(input)?;
    if let Some(q) = &v.query {
        dynamic::check(q, v.member_kind)?;
    }
    let mut tx = db.begin().await?;
    let id = insert(&mut tx, actor, &v).await?;
    tx.commit().await?;
    Ok(id)
}

async fn insert(tx: &mut Tx, actor: &Actor, v: &ListValues) -> Result<i64, AppError> {
    let (owner, team) = visibility::resolve_owner(tx, actor, v.owner_id).await?;
    let ts = now();
    let mut columns: Vec<&str> = COLUMNS.to_vec();
    columns.extend(["member_kind", "list_type", "locked", "created_at", "created_by", "updated_at", "updated_by", "version"]);
    let mut values = row(v, (owner, team));
    values.extend([
        Val::from(v.member_kind.code()),
        Val::from(v.list_type.code()),
        Val::from(0),
        Val::from(ts.clone()),
        Val::from(actor.id),
        Val::from(ts),
        Val::from(actor.id),
        Val::from(1),
    ]);
    let mut sql = write::insert_rows(Backend::of(tx), "marketing_lists", &columns, [values]);
    let (id,): (i64,) = sql.push(" RETURNING id").query_as().fetch_one(&mut **tx).await?;
    audit::created(tx, ENTITY, id, Some(actor), &audit_fields(v, owner)).await?;
    Ok(id)
}

/// Saves a list's details; returns its new version. Its kind of member and type stay as they were; a
/// dynamic list's query may change unless the list is locked.
pub async fn update(db: &Db, actor: &Actor, input: &MarketingListInput) -> Result<i64, AppError> {
    let id = parse_id("id", &input.id)?;
    let version = parse_id("version", &input.version)?;
    let mut tx = db.begin().await?;
    let (old, _) = load_for_change(&mut tx, actor, id).await?;
    check_version(old.version, version)?;
    let v = validate_list(&MarketingListInput {
        member_kind: old.member_kind.code().into(),
        list_type: old.list_type.code().into(),
        query: if old.list_type == ListType::Dynamic { input.query.clone() } else { String::new() },
        ..input.clone()
    })?;
    if v.query != old.query {
        if old.locked {
            return Err(field("locked", Problem::Locked));
        }
        if let Some(q) = &v.query {
            dynamic::check(q, v.member_kind)?;
        }
    }
    let (owner, team) = visibility::resolve_owner(&mut tx, actor, v.owner_id.or(Some(old.owner_id))).await?;
    let ts = now();
    write::update_row(&mut tx, "marketing_lists", &COLUMNS, row(&v, (owner, team)), (id, version), Stamp { at: &ts, by: actor.id }).await?;
    audit::updated(&mut tx, ENTITY, id, Some(actor), &audit_fields(&values_of(&old), old.owner_id), &audit_fields(&v, owner)).await?;
    tx.commit().await?;
    Ok(version + 1)
}

/// Locks or unlocks a list; returns its new version.
pub async fn set_locked(db: &Db, actor: &Actor, id: i64, version: i64, locked: bool) -> Result<i64, AppError> {
    let mut tx = db.begin().await?;
    let (old, _) = load_for_change(&mut tx, actor, id).await?;
    check_version(old.version, version)?;
    if old.locked != locked {
        let ts = now();
        write::update_row(
            &mut tx,
            "marketing_lists",
            &["locked"],
            vec![Val::from(locked as i64)],
            (id, version),
            Stamp { at: &ts, by: actor.id },
        )
        .await?;
        let flag = |b: bool| Some(if b { "1" } else { "0" }.to_string());
        audit::updated(&mut tx, ENTITY, id, Some(actor), &vec![("locked", flag(old.locked))], &vec![("locked", flag(locked))]).await?;
    }
    tx.commit().await?;
    Ok(if old.locked != locked { version + 1 } else { version })
}

/// Deletes a list (its members stay the records they are; only the list goes). A locked list is kept.
pub async fn delete(db: &Db, actor: &Actor, id: i64, version: i64) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    let (old, _) = load_for_change(&mut tx, actor, id).await?;
    check_version(old.version, version)?;
    if old.locked {
        return Err(field("locked", Problem::Locked));
    }
    sqlx::query("DELETE FROM marketing_list_members WHERE list_id = $1").bind(id).execute(&mut *tx).await?;
    let gone = sqlx::query("DELETE FROM marketing_lists WHERE id = $1 AND version = $2").bind(id).bind(version).execute(&mut *tx).await?;
    write::changed_one(gone.rows_affected())?;
    audit::deleted(&mut tx, ENTITY, id, Some(actor), &old.name).await?;
    tx.commit().await?;
    Ok(())
}

/// Copies a list into a new static one owned by `actor`: the members `actor` sees now (a dynamic
/// list's query evaluated once). Returns the new list's id.
pub async fn copy_to_static(db: &Db, actor: &Actor, id: i64, lang: crate::i18n::Lang) -> Result<i64, AppError> {
    let list = get(db, actor, id).await?;
    let suffix = format!(" ({})", lang.t(crate::i18n::M::MlCopySuffix));
    let base: String = list.name.chars().take(200 - suffix.chars().count()).collect();
    let v = ListValues { name: format!("{base}{suffix}"), list_type: ListType::Static, query: None, owner_id: None, ..values_of(&list) };
    let ts = now();
    let mut tx = db.begin().await?;
    let new_id = insert(&mut tx, actor, &v).await?;
    let x = list.member_kind.alias();
    let mut sql = Sql::new("INSERT INTO marketing_list_members (list_id, member_id, added_at, added_by) SELECT ");
    sql.bind(new_id).push(&format!(", {x}.id, ")).bind(ts.clone()).push(", ").bind(actor.id);
    members::source_in(&mut tx, actor, &list, &mut sql).await?;
    sql.query().execute(&mut *tx).await?;
    let mut audit_sql = Sql::new(&format!(
        "INSERT INTO audit_entries (entity, record_id, action, field, old_value, new_value, user_id, at) \
         SELECT '{ENTITY}', mm.list_id, 'update', 'member_added', NULL, CAST(mm.member_id AS TEXT), "
    ));
    audit_sql.bind(actor.id).push(", ").bind(ts).push(" FROM marketing_list_members mm WHERE mm.list_id = ").bind(new_id);
    audit_sql.query().execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(new_id)
}

const SORTS: &[SortColumn] = &[
    SortColumn { key: "name", expr: "ml.search_key", numeric: false },
    SortColumn { key: "updated", expr: "ml.updated_at", numeric: false },
];

/// The lists' filters: `q` (name), `kind` (member kind), `status` (static or dynamic), owner, team.
fn filters(sql: &mut Sql, actor: &Actor, q: &ListQuery) {
    visibility::restrict(sql, actor, "ml");
    let text = search_key(&listing::search_text(&q.q));
    if !text.is_empty() {
        sql.push(" AND ml.search_key LIKE ").bind(format!("%{}%", like_escape(&text))).push(" ESCAPE '\\'");
    }
    if let Some(kind) = MemberKind::parse(&q.kind) {
        sql.push(" AND ml.member_kind = ").bind(kind.code());
    }
    if let Some(t) = ListType::parse(&q.status) {
        sql.push(" AND ml.list_type = ").bind(t.code());
    }
    if let Some(owner) = listing::id_filter(&q.owner) {
        sql.push(" AND ml.owner_id = ").bind(owner);
    }
    if let Some(team) = listing::id_filter(&q.team) {
        sql.push(" AND ml.team_id = ").bind(team);
    }
}

/// The lists `actor` may see, a page at a time (keyset), by name or by last change.
pub async fn list(db: &Db, actor: &Actor, q: &ListQuery) -> Result<Page<MarketingListRow>, AppError> {
    let (col, desc) = listing::choose(SORTS, &q.sort, &q.dir);
    let mut sql = Sql::new(&format!(
        "SELECT ml.id, ml.name, ml.member_kind, ml.list_type, ml.purpose, ml.locked, u.name AS owner_name, ml.updated_at, {} AS sort_value \
         FROM marketing_lists ml JOIN users u ON u.id = ml.owner_id WHERE 1=1",
        col.expr
    ));
    filters(&mut sql, actor, q);
    listing::after_cursor(&mut sql, col, desc, "ml.id", &q.cursor);
    listing::order_by(&mut sql, col, desc, "ml.id");
    #[allow(clippy::type_complexity)]
    let rows = sql.query_as::<(i64, String, String, String, Option<String>, i64, String, String, String)>().fetch_all(&db.pool).await?;
    let rows = rows
        .into_iter()
        .map(|(id, name, kind, list_type, purpose, locked, owner_name, updated_at, sort)| {
            let row = MarketingListRow {
                id,
                name,
                member_kind: MemberKind::parse(&kind).unwrap_or_default(),
                list_type: ListType::parse(&list_type).unwrap_or_default(),
                purpose,
                locked: locked != 0,
                owner_name,
                updated_at,
            };
            (row, sort, id)
        })
        .collect();
    let (rows, next_cursor) = listing::finish(rows);
    let mut count = Sql::new("SELECT 1 FROM marketing_lists ml WHERE 1=1");
    filters(&mut count, actor, q);
    listing::page(db, count, &listing::TextSearch::default(), &q.cursor, rows, next_cursor).await
}

/// A list's history, newest first; members added and removed are named when the viewer may see them.
pub async fn history(db: &Db, actor: &Actor, id: i64) -> Result<Vec<AuditEntry>, AppError> {
    let list = get(db, actor, id).await?;
    let mut entries = audit::history(db, ENTITY, id, None, 200).await?;
    let ids: Vec<i64> = entries
        .iter()
        .filter(|e| matches!(e.field.as_deref(), Some("member_added" | "member_removed")))
        .flat_map(|e| [e.old_value.as_deref(), e.new_value.as_deref()])
        .flatten()
        .filter_map(|v| v.parse().ok())
        .collect();
    let names = members::names(db, actor, list.member_kind, &ids).await?;
    for e in entries.iter_mut().filter(|e| matches!(e.field.as_deref(), Some("member_added" | "member_removed"))) {
        for v in [&mut e.old_value, &mut e.new_value] {
            if let Some(id) = v.as_deref().and_then(|s| s.parse::<i64>().ok()) {
                *v = Some(names.get(&id).cloned().unwrap_or_else(|| format!("#{id}")));
            }
        }
    }
    Ok(entries)
}
