//! A list's members: read as one statement over the members' own table (a static list's member rows
//! joined in, a dynamic list's query appended), so the members page, its count, the summary, the export
//! and a copy all see the same records — those the viewer may see, and no record whose row outlived it.
//!
//! Changes (add, remove) take ids: pasted links, a file's matches, a record page's button and other
//! features' selections all end here, checked against the records the user may see.

use super::{load_for_change, ENTITY};
use crate::db::sql::{Sql, Val};
use crate::db::{now, Backend, Db, Tx};
use crate::domain::marketing::{
    parse_member_refs, ListChoice, ListType, MarketingList, MemberChange, MemberFlag, MemberKind, MemberRow, MemberSummary, MembersQuery,
    RecordLists,
};
use crate::domain::{lead_name, Page};
use crate::error::AppError;
use crate::services::listing::{self, SortColumn, TextSearch};
use crate::services::{audit, visibility, Actor};
use std::collections::{HashMap, HashSet};

/// Ids looked up or written per statement.
const CHUNK: usize = 500;

/// How one kind of member reads in SQL (over its table's alias, `MemberKind::alias`).
struct KindSql {
    /// id, version, three name parts, e-mail, phone, owner's name, the three "do not" flags, left out.
    columns: &'static str,
    sort: SortColumn,
    /// Inactive accounts, disqualified leads.
    left_out: &'static str,
    /// Do not e-mail, call, send mail.
    flags: [&'static str; 3],
}

fn kind_sql(kind: MemberKind) -> KindSql {
    match kind {
        MemberKind::Account => KindSql {
            columns: "a.id, a.version, a.name, a.city, CAST(NULL AS TEXT), a.email, a.phone, (SELECT u.name FROM users u WHERE u.id = a.owner_id), \
                CAST(0 AS BIGINT), CAST(0 AS BIGINT), CAST(0 AS BIGINT), a.inactive",
            sort: SortColumn { key: "name", expr: "a.search_key", numeric: false },
            left_out: "a.inactive = 1",
            // Accounts have no contact preferences of their own: their people do.
            flags: ["0 = 1", "0 = 1", "0 = 1"],
        },
        MemberKind::Contact => KindSql {
            columns: "c.id, c.version, c.first_name, c.last_name, (SELECT an.name FROM accounts an WHERE an.id = c.account_id), c.email, \
                COALESCE(c.phone, c.mobile), (SELECT u.name FROM users u WHERE u.id = c.owner_id), c.do_not_email, c.do_not_call, \
                c.do_not_mail, CAST(0 AS BIGINT)",
            sort: SortColumn { key: "name", expr: "c.search_key", numeric: false },
            left_out: "0 = 1",
            flags: ["c.do_not_email = 1", "c.do_not_call = 1", "c.do_not_mail = 1"],
        },
        MemberKind::Lead => KindSql {
            columns: "l.id, l.version, l.first_name, l.last_name, l.company, l.email, l.phone, (SELECT u.name FROM users u WHERE u.id = l.owner_id), \
                l.do_not_email, l.do_not_call, l.do_not_mail, CAST(CASE WHEN l.status = 'disqualified' THEN 1 ELSE 0 END AS BIGINT)",
            sort: SortColumn { key: "name", expr: "l.search_key", numeric: false },
            left_out: "l.status = 'disqualified'",
            flags: ["l.do_not_email = 1", "l.do_not_call = 1", "l.do_not_mail = 1"],
        },
    }
}

/// A member's name and detail from the three name parts of [`KindSql::columns`].
fn name_and_detail(kind: MemberKind, a: Option<String>, b: Option<String>, c: Option<String>) -> (String, Option<String>) {
    match kind {
        MemberKind::Account => (a.unwrap_or_default(), b),
        MemberKind::Contact => (format!("{} {}", a.unwrap_or_default(), b.unwrap_or_default()).trim().to_string(), c),
        MemberKind::Lead => {
            let person = lead_name(None, a.as_deref(), b.as_deref());
            if person.is_empty() {
                (c.unwrap_or_default(), None)
            } else {
                (person, c)
            }
        }
    }
}

/// Appends ` FROM … WHERE …`: the records of `list`'s members `actor` may see, as rows of the members'
/// table under its alias. A static list's member rows drive the statement (a list is small next to its
/// table: SQLite walks the list's rows, not the table — `CROSS JOIN` fixes that order there), and a
/// member row older than its record belonged to an earlier record with the same id.
pub(crate) async fn source(db: &Db, actor: &Actor, list: &MarketingList, sql: &mut Sql) -> Result<(), AppError> {
    if !static_source(actor, list, sql) {
        let q = super::dynamic::query_of(list)?;
        crate::services::find::restrict_to(db, actor, &q, list.member_kind.alias(), sql).await?;
    }
    Ok(())
}

/// [`source`] inside a transaction.
pub(crate) async fn source_in(tx: &mut Tx, actor: &Actor, list: &MarketingList, sql: &mut Sql) -> Result<(), AppError> {
    if !static_source(actor, list, sql) {
        let q = super::dynamic::query_of(list)?;
        crate::services::find::restrict_in(tx, actor, &q, list.member_kind.alias(), sql).await?;
    }
    Ok(())
}

/// Appends a static list's source and answers true; for a dynamic list only ` FROM … WHERE 1=1`, for
/// its query to follow, and false.
fn static_source(actor: &Actor, list: &MarketingList, sql: &mut Sql) -> bool {
    let (table, x) = (list.member_kind.table(), list.member_kind.alias());
    match list.list_type {
        ListType::Static => {
            sql.push(&format!(" FROM marketing_list_members mm CROSS JOIN {table} {x} WHERE mm.list_id = ")).bind(list.id);
            sql.push(&format!(" AND {x}.id = mm.member_id AND mm.added_at >= {x}.created_at"));
            visibility::restrict(sql, actor, x);
            true
        }
        ListType::Dynamic => {
            sql.push(&format!(" FROM {table} {x} WHERE 1=1"));
            false
        }
    }
}

/// The next ids of a list's members to reach — those `actor` may see, inactive accounts and
/// disqualified leads left out — above `after`, in id order, at most `limit`: for features that go
/// through every member in batches (a quick campaign). The "do not" preferences are the caller's to
/// honour for its channel ([`reach_flags`]).
pub async fn reach_ids_in(tx: &mut Tx, actor: &Actor, list: &MarketingList, after: i64, limit: i64) -> Result<Vec<i64>, AppError> {
    let (x, k) = (list.member_kind.alias(), kind_sql(list.member_kind));
    let mut sql = Sql::new(&format!("SELECT {x}.id"));
    source_in(tx, actor, list, &mut sql).await?;
    sql.push(&format!(" AND NOT ({}) AND {x}.id > ", k.left_out)).bind(after);
    sql.push(&format!(" ORDER BY {x}.id LIMIT ")).bind(limit);
    Ok(sql.query_as::<(i64,)>().fetch_all(&mut **tx).await?.into_iter().map(|(id,)| id).collect())
}

/// The SQL conditions, over the alias of `kind` ([`MemberKind::alias`]), of a member that asked not to
/// be e-mailed, called or sent mail (always false for accounts, which have no preferences of their own).
pub fn reach_flags(kind: MemberKind) -> [&'static str; 3] {
    kind_sql(kind).flags
}

/// The members page's filters: text, a contact preference, and whether inactive accounts and
/// disqualified leads are shown; an export of ticked members also names them. (A bulk action on
/// "all matching" members walks the same filters.)
pub(crate) fn filters(sql: &mut Sql, kind: MemberKind, text: &TextSearch, q: &MembersQuery) {
    let k = kind_sql(kind);
    text.filter(sql, kind.table(), kind.alias());
    listing::ids_filter(sql, kind.alias(), &q.ids);
    match MemberFlag::parse(&q.flag) {
        Some(MemberFlag::DoNotEmail) => sql.push(&format!(" AND {}", k.flags[0])),
        Some(MemberFlag::DoNotCall) => sql.push(&format!(" AND {}", k.flags[1])),
        Some(MemberFlag::DoNotMail) => sql.push(&format!(" AND {}", k.flags[2])),
        Some(MemberFlag::NoRestriction) => sql.push(&format!(" AND NOT ({} OR {} OR {})", k.flags[0], k.flags[1], k.flags[2])),
        None => sql,
    };
    if !q.show_left_out() {
        sql.push(&format!(" AND NOT ({})", k.left_out));
    }
}

type MemberTuple = (
    i64,
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
    i64,
    i64,
    i64,
    Option<String>,
    String,
);

/// A page of a list's members (by name, keyset), with their count.
pub async fn page(db: &Db, actor: &Actor, list: &MarketingList, q: &MembersQuery) -> Result<Page<MemberRow>, AppError> {
    let kind = list.member_kind;
    let k = kind_sql(kind);
    let text = TextSearch::for_list(db, kind.table(), &q.q).await?;
    let added = if list.list_type == ListType::Static { "mm.added_at" } else { "CAST(NULL AS TEXT)" };
    let mut sql = Sql::new(&format!("SELECT {}, {added}, {} AS sort_value", k.columns, k.sort.expr));
    source(db, actor, list, &mut sql).await?;
    filters(&mut sql, kind, &text, q);
    let id = format!("{}.id", kind.alias());
    listing::after_cursor(&mut sql, k.sort, false, &id, &q.cursor);
    listing::order_by(&mut sql, k.sort, false, &id);
    let rows = sql.query_as::<MemberTuple>().fetch_all(&db.pool).await?;
    let rows = rows
        .into_iter()
        .map(|(id, version, a, b, c, email, phone, owner, dne, dnc, dnm, left_out, added_at, sort)| {
            let (name, detail) = name_and_detail(kind, a, b, c);
            let row = MemberRow {
                id,
                version,
                name,
                detail,
                email,
                phone,
                owner_name: owner.unwrap_or_default(),
                do_not_email: dne != 0,
                do_not_call: dnc != 0,
                do_not_mail: dnm != 0,
                left_out: left_out != 0,
                added_at,
            };
            (row, sort, id)
        })
        .collect();
    let (rows, next_cursor) = listing::finish(rows);
    let mut count = Sql::new("SELECT 1");
    source(db, actor, list, &mut count).await?;
    filters(&mut count, kind, &text, q);
    listing::page(db, count, &text, &q.cursor, rows, next_cursor).await
}

/// What the members `actor` sees add up to: all, left out, and each contact preference.
pub async fn summary(db: &Db, actor: &Actor, list: &MarketingList) -> Result<MemberSummary, AppError> {
    let k = kind_sql(list.member_kind);
    let sum = |cond: &str, name: &str| format!("CAST(COALESCE(SUM(CASE WHEN {cond} THEN 1 ELSE 0 END), 0) AS BIGINT) AS {name}");
    let mut sql = Sql::new(&format!(
        "SELECT COUNT(*) AS total, {}, {}, {}, {}",
        sum(k.left_out, "left_out"),
        sum(k.flags[0], "dne"),
        sum(k.flags[1], "dnc"),
        sum(k.flags[2], "dnm")
    ));
    source(db, actor, list, &mut sql).await?;
    let (total, left_out, do_not_email, do_not_call, do_not_mail) = sql.query_as::<(i64, i64, i64, i64, i64)>().fetch_one(&db.pool).await?;
    Ok(MemberSummary { total, left_out, do_not_email, do_not_call, do_not_mail })
}

/// Every member as the export writes it (the page's filters, page after page), at most `max` rows.
pub async fn all(db: &Db, actor: &Actor, list: &MarketingList, q: &MembersQuery, max: usize) -> Result<Vec<MemberRow>, AppError> {
    let mut q = q.clone();
    q.cursor.clear();
    let mut out = Vec::new();
    loop {
        let p = page(db, actor, list, &q).await?;
        out.extend(p.rows);
        match p.next_cursor {
            Some(c) if out.len() < max => q.cursor = c,
            _ => break,
        }
    }
    out.truncate(max);
    Ok(out)
}

/// Names of records of `kind` among `ids` that `actor` may see.
pub(crate) async fn names(db: &Db, actor: &Actor, kind: MemberKind, ids: &[i64]) -> Result<HashMap<i64, String>, AppError> {
    let mut out = HashMap::new();
    let ids: Vec<i64> = ids.iter().copied().collect::<HashSet<_>>().into_iter().collect();
    let x = kind.alias();
    let parts = match kind {
        MemberKind::Account => "a.name, CAST(NULL AS TEXT), CAST(NULL AS TEXT)",
        MemberKind::Contact => "c.first_name, c.last_name, CAST(NULL AS TEXT)",
        MemberKind::Lead => "l.first_name, l.last_name, l.company",
    };
    for chunk in ids.chunks(CHUNK) {
        let mut sql = Sql::new(&format!("SELECT {x}.id, {parts} FROM {} {x} WHERE {x}.id IN (", kind.table()));
        sql.bind_list(chunk).push(")");
        visibility::restrict(&mut sql, actor, x);
        for (id, a, b, c) in sql.query_as::<(i64, Option<String>, Option<String>, Option<String>)>().fetch_all(&db.pool).await? {
            out.insert(id, name_and_detail(kind, a, b, c).0);
        }
    }
    Ok(out)
}

/// Of `ids`, the records of `kind` that `actor` may see, with when each was created.
async fn visible(tx: &mut Tx, actor: &Actor, kind: MemberKind, ids: &[i64]) -> Result<HashMap<i64, String>, AppError> {
    let x = kind.alias();
    let mut sql = Sql::new(&format!("SELECT {x}.id, {x}.created_at FROM {} {x} WHERE {x}.id IN (", kind.table()));
    sql.bind_list(ids).push(")");
    visibility::restrict(&mut sql, actor, x);
    Ok(sql.query_as::<(i64, String)>().fetch_all(&mut **tx).await?.into_iter().collect())
}

/// Of `ids`, the member rows of list `list` and when each was added.
async fn rows_of(tx: &mut Tx, list: i64, ids: &[i64]) -> Result<HashMap<i64, String>, AppError> {
    let mut sql = Sql::new("SELECT member_id, added_at FROM marketing_list_members WHERE list_id = ");
    sql.bind(list).push(" AND member_id IN (").bind_list(ids).push(")");
    Ok(sql.query_as::<(i64, String)>().fetch_all(&mut **tx).await?.into_iter().collect())
}

async fn delete_rows(tx: &mut Tx, list: i64, ids: &[i64]) -> Result<(), AppError> {
    let mut sql = Sql::new("DELETE FROM marketing_list_members WHERE list_id = ");
    sql.bind(list).push(" AND member_id IN (").bind_list(ids).push(")");
    sql.query().execute(&mut **tx).await?;
    Ok(())
}

fn distinct(ids: &[i64]) -> Vec<i64> {
    let mut seen = HashSet::new();
    ids.iter().copied().filter(|id| seen.insert(*id)).collect()
}

/// Adds the records `ids` to list `list_id`; records that are no record of the list's kind `actor` may
/// see are skipped and counted, members already in it are counted. Each added member is audited on
/// the list's history.
pub async fn add(db: &Db, actor: &Actor, list_id: i64, ids: &[i64]) -> Result<MemberChange, AppError> {
    let mut tx = db.begin().await?;
    let (list, _) = load_for_change(&mut tx, actor, list_id).await?;
    list.members_change()?;
    let change = add_in(&mut tx, actor, &list, ids).await?;
    tx.commit().await?;
    Ok(change)
}

/// [`add`] inside a transaction that holds the list ([`load_for_change`]) and checked it may change.
pub(crate) async fn add_in(tx: &mut Tx, actor: &Actor, list: &MarketingList, ids: &[i64]) -> Result<MemberChange, AppError> {
    let ts = now();
    let mut change = MemberChange::default();
    let mut trail = audit::Batch::new(Some(actor), &ts);
    for chunk in distinct(ids).chunks(CHUNK) {
        let found = visible(tx, actor, list.member_kind, chunk).await?;
        change.skipped += (chunk.len() - found.len()) as i64;
        if found.is_empty() {
            continue;
        }
        let ids: Vec<i64> = chunk.iter().copied().filter(|id| found.contains_key(id)).collect();
        let existing = rows_of(tx, list.id, &ids).await?;
        // A row older than its record was an earlier record's with the same id: replaced.
        let stale: Vec<i64> = existing.iter().filter(|(id, added)| added.as_str() < found[*id].as_str()).map(|(id, _)| *id).collect();
        if !stale.is_empty() {
            delete_rows(tx, list.id, &stale).await?;
        }
        let new: Vec<i64> = ids.into_iter().filter(|id| !existing.contains_key(id) || stale.contains(id)).collect();
        change.already += (existing.len() - stale.len()) as i64;
        if new.is_empty() {
            continue;
        }
        let rows = new.iter().map(|id| vec![Val::from(list.id), Val::from(*id), Val::from(ts.clone()), Val::from(actor.id)]);
        crate::db::write::insert_rows(Backend::of(tx), "marketing_list_members", &["list_id", "member_id", "added_at", "added_by"], rows)
            .query()
            .execute(&mut **tx)
            .await?;
        for id in &new {
            trail.push(ENTITY, list.id, "update", Some("member_added"), None, Some(&id.to_string()));
        }
        change.added += new.len() as i64;
    }
    trail.write(tx).await?;
    Ok(change)
}

/// Removes the records `ids` from list `list_id`: only members `actor` may see; the rest are counted
/// as skipped, and records that were not members as such.
pub async fn remove(db: &Db, actor: &Actor, list_id: i64, ids: &[i64]) -> Result<MemberChange, AppError> {
    let mut tx = db.begin().await?;
    let (list, _) = load_for_change(&mut tx, actor, list_id).await?;
    list.members_change()?;
    let change = remove_in(&mut tx, actor, &list, ids).await?;
    tx.commit().await?;
    Ok(change)
}

/// [`remove`] inside a transaction that holds the list and checked it may change.
pub(crate) async fn remove_in(tx: &mut Tx, actor: &Actor, list: &MarketingList, ids: &[i64]) -> Result<MemberChange, AppError> {
    let ts = now();
    let mut change = MemberChange::default();
    let mut trail = audit::Batch::new(Some(actor), &ts);
    for chunk in distinct(ids).chunks(CHUNK) {
        let found = visible(tx, actor, list.member_kind, chunk).await?;
        change.skipped += (chunk.len() - found.len()) as i64;
        if found.is_empty() {
            continue;
        }
        let ids: Vec<i64> = chunk.iter().copied().filter(|id| found.contains_key(id)).collect();
        let existing = rows_of(tx, list.id, &ids).await?;
        if !existing.is_empty() {
            let rows: Vec<i64> = existing.keys().copied().collect();
            delete_rows(tx, list.id, &rows).await?;
        }
        // Rows an earlier record with the same id left behind go too, but were not this record's.
        let members: Vec<i64> =
            ids.iter().copied().filter(|id| existing.get(id).is_some_and(|added| added.as_str() >= found[id].as_str())).collect();
        for id in &members {
            trail.push(ENTITY, list.id, "update", Some("member_removed"), Some(&id.to_string()), None);
        }
        change.removed += members.len() as i64;
        change.not_members += (ids.len() - members.len()) as i64;
    }
    trail.write(tx).await?;
    Ok(change)
}

/// How many unreadable tokens a change reports back.
const MAX_REPORTED_INVALID: usize = 20;

/// Adds (or with `remove`, removes) the records pasted as ids or record links.
pub async fn change_by_refs(db: &Db, actor: &Actor, list_id: i64, text: &str, remove: bool) -> Result<MemberChange, AppError> {
    let list = super::get(db, actor, list_id).await?;
    list.members_change()?;
    let refs = parse_member_refs(text, list.member_kind)?;
    let mut change = if remove { self::remove(db, actor, list_id, &refs.ids).await? } else { add(db, actor, list_id, &refs.ids).await? };
    change.skipped += refs.wrong_kind as i64;
    change.invalid = refs.invalid.into_iter().take(MAX_REPORTED_INVALID).collect();
    Ok(change)
}

/// A record's "Marketing lists" panel: the static lists of its kind it is in, and the unlocked static
/// lists it may join, among those `actor` may see (at most 200 each, by name). Dynamic lists are not
/// asked: each would run its query.
pub async fn of_record(db: &Db, actor: &Actor, kind: MemberKind, record_id: i64) -> Result<RecordLists, AppError> {
    let (table, x) = (kind.table(), kind.alias());
    let mut sql = Sql::new(&format!("SELECT {x}.created_at FROM {table} {x} WHERE {x}.id = "));
    sql.bind(record_id);
    visibility::restrict(&mut sql, actor, x);
    let (created_at,): (String,) = sql.query_as().fetch_optional(&db.pool).await?.ok_or(AppError::NotFound)?;
    let member = "EXISTS (SELECT 1 FROM marketing_list_members mm WHERE mm.list_id = ml.id AND mm.member_id = ";
    let lists = |joined: bool| {
        let mut sql = Sql::new("SELECT ml.id, ml.name, ml.locked FROM marketing_lists ml WHERE ml.member_kind = ");
        sql.bind(kind.code()).push(" AND ml.list_type = 'static' AND ");
        sql.push(if joined { "" } else { "ml.locked = 0 AND NOT " }).push(member).bind(record_id);
        sql.push(" AND mm.added_at >= ").bind(created_at.clone()).push(")");
        visibility::restrict(&mut sql, actor, "ml");
        sql.push(" ORDER BY ml.search_key, ml.id LIMIT 200");
        sql
    };
    let read =
        |rows: Vec<(i64, String, i64)>| rows.into_iter().map(|(id, name, locked)| ListChoice { id, name, locked: locked != 0 }).collect();
    let member_of = read(lists(true).query_as().fetch_all(&db.pool).await?);
    let can_join = read(lists(false).query_as().fetch_all(&db.pool).await?);
    Ok(RecordLists { member_of, can_join })
}

/// The static, unlocked lists of `kind` that `actor` may add members to (at most 200, by name): the
/// choice of a selection's "Add to marketing list".
pub async fn open_static(db: &Db, actor: &Actor, kind: MemberKind) -> Result<Vec<ListChoice>, AppError> {
    let mut sql = Sql::new("SELECT ml.id, ml.name, ml.owner_id, ml.team_id FROM marketing_lists ml WHERE ml.member_kind = ");
    sql.bind(kind.code()).push(" AND ml.list_type = 'static' AND ml.locked = 0");
    visibility::restrict(&mut sql, actor, "ml");
    sql.push(" ORDER BY ml.search_key, ml.id LIMIT 200");
    let rows: Vec<(i64, String, i64, Option<i64>)> = sql.query_as().fetch_all(&db.pool).await?;
    Ok(rows
        .into_iter()
        .filter(|(_, _, owner, team)| visibility::can_edit(actor, *owner, *team))
        .map(|(id, name, _, _)| ListChoice { id, name, locked: false })
        .collect())
}

/// `(list, member)` pairs as SQL over `marketing_list_members`' columns (ids read from the database).
fn pairs_sql(pairs: &[(i64, i64)]) -> String {
    let each: Vec<String> = pairs.iter().map(|(l, m)| format!("(list_id = {l} AND member_id = {m})")).collect();
    each.join(" OR ")
}

/// A merge (`services::duplicates`) of the records `others` of `kind` into `survivor`, in its
/// transaction: the static lists the others were members of become the survivor's. A list the
/// survivor (or an earlier of the others) is already in keeps one row, the other's kept in the merge's
/// `trash` item to come back on undo; the others' rows move to the survivor, remembered in `trash` so
/// that undo moves them back, and count from the survivor's creation at the earliest so that they are
/// its own (see [`static_source`]). Locked lists too: the record they reached is the survivor now.
/// Each list's history says who left and who joined.
pub(crate) async fn merge_into(
    tx: &mut Tx,
    actor: &Actor,
    trash: i64,
    kind: MemberKind,
    survivor: i64,
    others: &[i64],
) -> Result<(), AppError> {
    use crate::services::trash::merge::{keep_deleted, move_to_survivor};
    let (table, x) = (kind.table(), kind.alias());
    let ids: Vec<i64> = others.iter().copied().chain([survivor]).collect();
    // The records' rows in static lists of their kind, each with whether it is the record's own (not
    // an earlier record's with the same id).
    let mut sql = Sql::new(&format!(
        "SELECT mm.list_id, mm.member_id, CAST(CASE WHEN mm.added_at >= {x}.created_at THEN 1 ELSE 0 END AS BIGINT) \
         FROM marketing_list_members mm JOIN {table} {x} ON {x}.id = mm.member_id JOIN marketing_lists ml ON ml.id = mm.list_id \
         WHERE ml.list_type = 'static' AND ml.member_kind = "
    ));
    sql.bind(kind.code()).push(" AND mm.member_id IN (").bind_list(&ids).push(") ORDER BY mm.member_id, mm.list_id");
    let rows: Vec<(i64, i64, i64)> = sql.query_as().fetch_all(&mut **tx).await?;
    let mut taken: HashSet<i64> = rows.iter().filter(|(_, m, own)| *m == survivor && *own == 1).map(|(l, ..)| *l).collect();
    let (mut moved, mut doubles, mut stale) = (Vec::new(), Vec::new(), Vec::new());
    for (list, member, own) in rows {
        match (member == survivor, own == 1) {
            (true, false) => stale.push((list, member)),
            (false, true) if taken.insert(list) => moved.push((list, member)),
            (false, true) => doubles.push((list, member)),
            _ => {}
        }
    }
    // An earlier record's row of the survivor's id would stand in the way of a row moving to it.
    stale.retain(|(l, _)| moved.iter().any(|(m, _)| m == l));
    if !stale.is_empty() {
        sqlx::query(&format!("DELETE FROM marketing_list_members WHERE {}", pairs_sql(&stale))).execute(&mut **tx).await?;
    }
    if !doubles.is_empty() {
        let filter = pairs_sql(&doubles);
        keep_deleted(tx, trash, "marketing_list_members", &filter, survivor).await?;
        sqlx::query(&format!("DELETE FROM marketing_list_members WHERE {filter}")).execute(&mut **tx).await?;
    }
    if !moved.is_empty() {
        move_to_survivor(tx, trash, ("marketing_list_members", "list_id", "member_id"), &pairs_sql(&moved), survivor).await?;
        let lists: Vec<i64> = moved.iter().map(|(l, _)| *l).collect();
        let mut sql = Sql::new(&format!("UPDATE marketing_list_members SET added_at = (SELECT x.created_at FROM {table} x WHERE x.id = "));
        sql.bind(survivor).push(") WHERE member_id = ").bind(survivor).push(" AND list_id IN (").bind_list(&lists).push(")");
        sql.push(&format!(" AND added_at < (SELECT x.created_at FROM {table} x WHERE x.id = ")).bind(survivor).push(")");
        sql.query().execute(&mut **tx).await?;
    }
    let ts = now();
    let mut trail = audit::Batch::new(Some(actor), &ts);
    for (list, member) in moved.iter().chain(&doubles) {
        trail.push(ENTITY, *list, "update", Some("member_removed"), Some(&member.to_string()), None);
    }
    for (list, _) in &moved {
        trail.push(ENTITY, *list, "update", Some("member_added"), None, Some(&survivor.to_string()));
    }
    trail.write(tx).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_are_named_by_their_kind() {
        let s = |v: &str| Some(v.to_string());
        assert_eq!(name_and_detail(MemberKind::Account, s("Delta"), s("Niš"), None), ("Delta".into(), s("Niš")));
        assert_eq!(name_and_detail(MemberKind::Contact, s("Ana"), s("Ilić"), s("Delta")), ("Ana Ilić".into(), s("Delta")));
        assert_eq!(name_and_detail(MemberKind::Lead, None, None, s("Mlekara")), ("Mlekara".into(), None));
        assert_eq!(name_and_detail(MemberKind::Lead, s("Iva"), s("Ivić"), s("Mlekara")), ("Iva Ivić".into(), s("Mlekara")));
    }
}
