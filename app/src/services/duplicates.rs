//! Duplicates in daily work, for accounts and contacts:
//! - the warning when a record being created or edited matches others (same e-mail, PIB, MB, phone or a
//!   similar name) — the form shows them with links and saves only when the user confirms;
//! - a scan of the whole database for records sharing a key (SQL GROUP BY on indexed columns, paged);
//! - merge: one surviving record takes the chosen field values, every related record (contacts,
//!   opportunities, leads, activities, notes, documents, competition data, meeting attendance) and its
//!   static marketing lists move to it, the others are deleted, and the history of each says so — all
//!   in one transaction. What it
//!   changes is kept (services::trash::merge) so the survivor's history can undo it for a while.

use super::matching::{self, lookup, prepare::prepare};
use super::{audit, visibility, Actor};
use crate::db::sql::Sql;
use crate::db::write::Stamp;
use crate::db::{now, Db, Tx};
use crate::domain::dedup::*;
use crate::domain::identity::Identity;
use crate::domain::imports::{ImportEntity, ImportOptions};
use crate::domain::marketing::{flag_text, ContactPreferences};
use crate::domain::validate::field;
use crate::domain::{AccountInput, ContactInput};
use crate::error::{AppError, Problem};
use sqlx::Row;
use std::collections::HashMap;

/// The records the duplicate scan, rules and merge work on: accounts and contacts.
fn entity_of(s: &str) -> Result<ImportEntity, AppError> {
    ImportEntity::parse(s).filter(|e| matches!(e, ImportEntity::Account | ImportEntity::Contact)).ok_or(AppError::NotFound)
}

fn table(entity: ImportEntity) -> (&'static str, &'static str) {
    (entity.table(), entity.alias())
}

/// The fields a merge chooses between.
pub fn merge_fields(entity: ImportEntity) -> &'static [&'static str] {
    match entity {
        ImportEntity::Account => {
            &["name", "category", "industry", "region", "city", "address", "phone", "email", "website", "pib", "mb", "notes"]
        }
        ImportEntity::Contact => &["first_name", "last_name", "account", "job_title", "buying_role", "email", "phone", "mobile"],
        _ => &[],
    }
}

/// An administrator changes a rule: on or off, and for names exact or similar from a threshold.
pub async fn save_rule(db: &Db, actor: &Actor, id: i64, fuzzy: bool, threshold: i64, active: bool) -> Result<(), AppError> {
    if actor.role != crate::domain::Role::Admin {
        return Err(AppError::Forbidden);
    }
    if !(70..=100).contains(&threshold) {
        return Err(field("threshold", Problem::OutOfRange(70, 100)));
    }
    let mut tx = db.begin().await?;
    let old = sqlx::query_as::<_, (String, String, i64, i64, i64)>(
        "SELECT entity, field, fuzzy, threshold, active FROM duplicate_rules WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    // Only names can be compared by similarity.
    let fuzzy = fuzzy && old.1 == "name";
    sqlx::query("UPDATE duplicate_rules SET fuzzy = $1, threshold = $2, active = $3 WHERE id = $4")
        .bind(fuzzy as i64)
        .bind(threshold)
        .bind(active as i64)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let describe = |f: i64, t: i64, a: i64| {
        format!(
            "{} {}{}",
            if a != 0 { "on" } else { "off" },
            if f != 0 { "similar ≥ " } else { "exact" },
            if f != 0 { t.to_string() } else { String::new() }
        )
    };
    audit::updated(
        &mut tx,
        "duplicate_rule",
        id,
        Some(actor),
        &vec![("rule", Some(describe(old.2, old.3, old.4)))],
        &vec![("rule", Some(describe(fuzzy as i64, threshold, active as i64)))],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn warn(hints: Vec<DuplicateHint>) -> Result<(), AppError> {
    if hints.is_empty() {
        Ok(())
    } else {
        Err(field("duplicate", Problem::PossibleDuplicate(hints)))
    }
}

/// Before an account form is saved: a new account, or an edit of its name, city, e-mail, phone, PIB or
/// MB, that matches existing accounts is refused with them, unless the user confirmed.
pub async fn check_account(db: &Db, actor: &Actor, input: &AccountInput) -> Result<(), AppError> {
    super::accounts::validate(input)?;
    if !input.allow_duplicate.trim().is_empty() {
        return Ok(());
    }
    let id = input.id.trim().parse::<i64>().ok();
    if let Some(id) = id {
        let old = super::accounts::get(db, actor, id).await?;
        let same = |a: &Option<String>, b: &str| a.as_deref().unwrap_or("").trim() == b.trim();
        if old.name.trim() == input.name.trim()
            && same(&old.city, &input.city)
            && same(&old.email, &input.email.to_lowercase())
            && same(&old.phone, &input.phone)
            && same(&old.pib, &input.pib)
            && same(&old.mb, &input.mb)
        {
            return Ok(());
        }
    }
    warn(similar_accounts(db, actor, input, id).await?)
}

/// The same for contacts (name at the same account, e-mail, phones).
pub async fn check_contact(db: &Db, actor: &Actor, input: &ContactInput) -> Result<(), AppError> {
    super::contacts::validate(input)?;
    if !input.allow_duplicate.trim().is_empty() {
        return Ok(());
    }
    let id = input.id.trim().parse::<i64>().ok();
    if let Some(id) = id {
        let old = super::contacts::get(db, actor, id).await?;
        let same = |a: &Option<String>, b: &str| a.as_deref().unwrap_or("").trim() == b.trim();
        if old.first_name.trim() == input.first_name.trim()
            && old.last_name.trim() == input.last_name.trim()
            && same(&old.email, &input.email.to_lowercase())
            && same(&old.phone, &input.phone)
            && same(&old.mobile, &input.mobile)
            && old.account_id.map(|a| a.to_string()).unwrap_or_default() == input.account_id.trim()
        {
            return Ok(());
        }
    }
    warn(similar_contacts(db, actor, input, id).await?)
}

/// Records `actor` can see that look like the one being saved (`exclude`: the record itself).
pub async fn similar_accounts(db: &Db, actor: &Actor, input: &AccountInput, exclude: Option<i64>) -> Result<Vec<DuplicateHint>, AppError> {
    let mapping: Vec<String> = ["name", "city", "email", "phone", "pib", "mb"].iter().map(|s| s.to_string()).collect();
    let raw = vec![input.name.clone(), input.city.clone(), input.email.clone(), input.phone.clone(), input.pib.clone(), input.mb.clone()];
    hints(db, actor, ImportEntity::Account, mapping, raw, None, exclude).await
}

pub async fn similar_contacts(db: &Db, actor: &Actor, input: &ContactInput, exclude: Option<i64>) -> Result<Vec<DuplicateHint>, AppError> {
    let mapping: Vec<String> = ["first_name", "last_name", "email", "phone", "mobile"].iter().map(|s| s.to_string()).collect();
    let raw = vec![input.first_name.clone(), input.last_name.clone(), input.email.clone(), input.phone.clone(), input.mobile.clone()];
    let account = input.account_id.trim().parse::<i64>().ok();
    hints(db, actor, ImportEntity::Contact, mapping, raw, account, exclude).await
}

async fn hints(
    db: &Db,
    actor: &Actor,
    entity: ImportEntity,
    mapping: Vec<String>,
    raw: Vec<String>,
    account: Option<i64>,
    exclude: Option<i64>,
) -> Result<Vec<DuplicateHint>, AppError> {
    // Names as typed are kept (no case change) so that only real matches are reported.
    let options = ImportOptions { proper_case: false, ..Default::default() };
    let mut p = prepare(entity, &mapping, &options, &raw);
    let rules = matching::rules(db).await?;
    matching::apply_rules(&rules, entity, &mut p);
    let mut out: Vec<DuplicateHint> = Vec::new();
    let (tbl, alias) = table(entity);
    let label = match entity {
        ImportEntity::Account => "a.name",
        ImportEntity::Contact => "c.first_name || ' ' || c.last_name",
        _ => return Err(AppError::NotFound),
    };
    // Exact keys: each one a query on its indexed column.
    for col in entity.exact_columns() {
        let Some(v) = p.exact.iter().find_map(|k| k.strip_prefix(&format!("{col}:"))) else { continue };
        let mut sql = Sql::new(&format!("SELECT {alias}.id, {label} AS label FROM {tbl} {alias} WHERE {alias}.{col} = "));
        sql.bind(v.to_string());
        visibility::restrict(&mut sql, actor, alias);
        sql.push(&format!(" ORDER BY {alias}.id LIMIT 5"));
        for (id, label) in sql.query_as::<(i64, String)>().fetch_all(&db.pool).await? {
            if Some(id) != exclude && !out.iter().any(|h| h.id == id) {
                out.push(DuplicateHint { id, label, matched_by: col.to_string() });
            }
        }
    }
    // Similar names (accounts: in the same city; contacts: at the same account).
    let refs = [&p];
    let found = lookup::match_existing(db, actor, entity, &refs, &[account], rules.name_threshold(entity.code())).await?;
    if let Some(Some(e)) = found.into_iter().next() {
        if Some(e.id) != exclude && !out.iter().any(|h| h.id == e.id) {
            let mut sql = Sql::new(&format!("SELECT {label} AS label FROM {tbl} {alias} WHERE {alias}.id = "));
            sql.bind(e.id);
            if let Some(r) = sql.query().fetch_optional(&db.pool).await? {
                out.push(DuplicateHint { id: e.id, label: r.try_get("label")?, matched_by: e.matched_by });
            }
        }
    }
    Ok(out)
}

/// The keys a scan can group by.
pub fn scan_keys(entity: ImportEntity) -> &'static [&'static str] {
    match entity {
        ImportEntity::Account => &["name", "similar", "pib", "mb", "email"],
        ImportEntity::Contact => &["email", "name"],
        _ => &[],
    }
}

const SCAN_PAGE: i64 = 25;

/// Sets of visible records sharing `key`, a page at a time (keyset on the key value).
pub async fn scan(db: &Db, actor: &Actor, entity: &str, key: &str, after: &str) -> Result<DuplicateScan, AppError> {
    let entity = entity_of(entity)?;
    let rules = matching::rules(db).await?;
    // "similar" (names alike in the same city) is offered while the name rule compares by similarity.
    let fuzzy_names = rules.active(entity.code(), "name") && rules.name_threshold(entity.code()) < 100;
    let keys: Vec<&'static str> =
        scan_keys(entity).iter().copied().filter(|k| if *k == "similar" { fuzzy_names } else { rules.active(entity.code(), k) }).collect();
    // No key in force: no sets (the page still shows the rules).
    let key = keys.iter().copied().find(|k| *k == key).or(keys.first().copied()).unwrap_or("");
    let (sets, next) = match key {
        "" => (Vec::new(), None),
        "similar" => similar_accounts_scan(db, actor, rules.name_threshold(entity.code()), after).await?,
        _ => shared_key_sets(db, actor, entity, key, after).await?,
    };
    Ok(DuplicateScan {
        entity: entity.code().into(),
        key: key.into(),
        keys: keys.iter().map(|k| k.to_string()).collect(),
        sets,
        next,
        rules,
        can_edit_rules: actor.role == crate::domain::Role::Admin,
    })
}

/// Sets of visible records sharing the value of `key`, a page after `after` (keyset on the value).
async fn shared_key_sets(
    db: &Db,
    actor: &Actor,
    entity: ImportEntity,
    key: &str,
    after: &str,
) -> Result<(Vec<DuplicateSet>, Option<String>), AppError> {
    let (tbl, alias) = table(entity);
    // The grouped expression: the folded name (contacts: with their account), or the column itself.
    let expr = match (entity, key) {
        (ImportEntity::Account, "name") => "a.search_key".to_string(),
        (ImportEntity::Contact, "name") => "c.search_key || '|' || COALESCE(CAST(c.account_id AS TEXT), '')".to_string(),
        (_, col) => format!("{alias}.{col}"),
    };
    let mut sql = Sql::new(&format!("SELECT {expr} AS k FROM {tbl} {alias} WHERE {expr} IS NOT NULL AND {expr} <> '' AND {expr} > "));
    sql.bind(after.to_string());
    visibility::restrict(&mut sql, actor, alias);
    sql.push(&format!(" GROUP BY {expr} HAVING COUNT(*) > 1 ORDER BY {expr} LIMIT ")).bind(SCAN_PAGE + 1);
    let mut found: Vec<String> =
        sql.query().fetch_all(&db.pool).await?.iter().map(|r| r.try_get::<String, _>("k")).collect::<Result<_, _>>()?;
    let next = if found.len() as i64 > SCAN_PAGE {
        found.truncate(SCAN_PAGE as usize);
        found.last().cloned()
    } else {
        None
    };
    let mut sets: Vec<DuplicateSet> = found.iter().map(|k| DuplicateSet { key: k.clone(), records: Vec::new() }).collect();
    let mut identities: HashMap<i64, Identity> = HashMap::new();
    if !found.is_empty() {
        let (label, detail) = match entity {
            ImportEntity::Account => ("a.name", "COALESCE(a.city, '') || ' ' || COALESCE(a.pib, '') || ' ' || COALESCE(a.email, '')"),
            ImportEntity::Contact => {
                ("c.first_name || ' ' || c.last_name", "COALESCE(c.email, '') || ' ' || COALESCE(c.mobile, c.phone, '')")
            }
            _ => return Err(AppError::NotFound),
        };
        let ids = match entity {
            ImportEntity::Account => "a.pib AS id_pib, a.mb AS id_mb",
            _ => "NULL AS id_pib, NULL AS id_mb",
        };
        let mut sql = Sql::new(&format!(
            "SELECT {alias}.id, {expr} AS k, {label} AS label, {detail} AS detail, u.name AS owner_name, {ids} FROM {tbl} {alias} \
             JOIN users u ON u.id = {alias}.owner_id WHERE {expr} IN ("
        ));
        for (i, k) in found.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.bind(k.clone());
        }
        sql.push(")");
        visibility::restrict(&mut sql, actor, alias);
        sql.push(&format!(" ORDER BY {alias}.id"));
        for r in sql.query().fetch_all(&db.pool).await? {
            let k: String = r.try_get("k")?;
            if let Some(set) = sets.iter_mut().find(|s| s.key == k) {
                set.records.push(DuplicateMember {
                    id: r.try_get("id")?,
                    label: r.try_get("label")?,
                    detail: r.try_get::<String, _>("detail")?.split_whitespace().collect::<Vec<_>>().join(" · "),
                    owner_name: r.try_get("owner_name")?,
                });
                identities.insert(
                    r.try_get("id")?,
                    Identity::company(r.try_get::<Option<String>, _>("id_pib")?.as_deref(), r.try_get::<Option<String>, _>("id_mb")?.as_deref(), None),
                );
            }
        }
    }
    Ok((split_apart(sets, &identities), next))
}

/// Sets split where their records' PIBs or MBs differ: those are different companies, whatever they
/// share (`domain::identity`). Each record joins the first part it does not contradict; parts of one
/// record are dropped.
fn split_apart(sets: Vec<DuplicateSet>, identities: &HashMap<i64, Identity>) -> Vec<DuplicateSet> {
    let mut out = Vec::new();
    for set in sets {
        let mut parts: Vec<(Identity, DuplicateSet)> = Vec::new();
        for m in set.records {
            let ident = identities.get(&m.id).cloned().unwrap_or_default();
            match parts.iter_mut().find(|(known, _)| !known.conflicts(&ident)) {
                Some((known, part)) => {
                    known.absorb(&ident);
                    part.records.push(m);
                }
                None => parts.push((ident, DuplicateSet { key: set.key.clone(), records: vec![m] })),
            }
        }
        out.extend(parts.into_iter().map(|(_, part)| part).filter(|part| part.records.len() > 1));
    }
    out
}

/// Accounts read per window of the similar-name scan, and windows per request: a request reads at most
/// `SIMILAR_WINDOW * SIMILAR_WINDOWS` accounts (by the name index), then offers to continue.
const SIMILAR_WINDOW: i64 = 2_000;
const SIMILAR_WINDOWS: usize = 5;

/// Sets of visible accounts whose names are alike (from `threshold` %, ignoring case, diacritics and
/// legal forms) in the same city. Accounts are read in the order of their folded name, a window at a
/// time, and compared within blocks that share the name's first three letters (a block is not split
/// between windows or requests unless it is longer than a window); `after` is the folded name the
/// previous request ended with.
async fn similar_accounts_scan(
    db: &Db,
    actor: &Actor,
    threshold: u8,
    after: &str,
) -> Result<(Vec<DuplicateSet>, Option<String>), AppError> {
    use crate::domain::normalize::company_key;
    type Row = (i64, String, String, Option<String>, Option<String>, Option<String>, String, Option<String>);
    let block_of = |k: &str| -> String { k.chars().take(3).collect() };
    let mut sets: Vec<DuplicateSet> = Vec::new();
    let mut cursor = after.to_string();
    for _ in 0..SIMILAR_WINDOWS {
        let mut sql = Sql::new(
            "SELECT a.id, a.name, a.search_key, a.city, a.pib, a.email, u.name, a.mb FROM accounts a JOIN users u ON u.id = a.owner_id \
             WHERE a.search_key > ",
        );
        sql.bind(cursor.clone());
        visibility::restrict(&mut sql, actor, "a");
        sql.push(" ORDER BY a.search_key, a.id LIMIT ").bind(SIMILAR_WINDOW);
        let mut rows: Vec<Row> = sql.query_as().fetch_all(&db.pool).await?;
        let full = rows.len() as i64 == SIMILAR_WINDOW;
        if full {
            // The last block may go on in the next window: leave it whole to the next one.
            let last = block_of(&rows.last().expect("a full window").2);
            let keep = rows.iter().rposition(|r| block_of(&r.2) != last).map(|i| i + 1).unwrap_or(rows.len());
            rows.truncate(keep);
        }
        let Some(end) = rows.last().map(|r| r.2.clone()) else { return Ok((sets, None)) };
        let mut i = 0;
        while i < rows.len() {
            let block = block_of(&rows[i].2);
            let j = rows[i..].iter().position(|r| block_of(&r.2) != block).map(|p| i + p).unwrap_or(rows.len());
            let members = &rows[i..j];
            let keys: Vec<(String, String)> =
                members.iter().map(|r| (company_key(&r.1), crate::domain::text::search_key(r.3.as_deref().unwrap_or("")))).collect();
            // Union of every pair alike enough (a set is a connected group).
            let mut group: Vec<usize> = (0..members.len()).collect();
            fn root(g: &mut [usize], mut x: usize) -> usize {
                while g[x] != x {
                    g[x] = g[g[x]];
                    x = g[x];
                }
                x
            }
            for a in 0..members.len() {
                for b in a + 1..members.len() {
                    if !keys[a].0.is_empty()
                        && keys[a].1 == keys[b].1
                        && crate::services::matching::prepare::fuzzy_match(&keys[a], &keys[b], threshold).is_some()
                    {
                        let (ra, rb) = (root(&mut group, a), root(&mut group, b));
                        group[ra.max(rb)] = ra.min(rb);
                    }
                }
            }
            let mut found: Vec<(usize, Vec<usize>)> = Vec::new();
            for m in 0..members.len() {
                let r = root(&mut group, m);
                match found.iter_mut().find(|f| f.0 == r) {
                    Some(f) => f.1.push(m),
                    None => found.push((r, vec![m])),
                }
            }
            let identities: HashMap<i64, Identity> =
                members.iter().map(|r| (r.0, Identity::company(r.4.as_deref(), r.7.as_deref(), None))).collect();
            let mut block_sets = Vec::new();
            for (_, ms) in found.into_iter().filter(|f| f.1.len() > 1) {
                block_sets.push(DuplicateSet {
                    key: members[ms[0]].2.clone(),
                    records: ms
                        .iter()
                        .map(|&m| {
                            let r = &members[m];
                            let detail = [r.3.as_deref(), r.4.as_deref(), r.5.as_deref()].into_iter().flatten().filter(|v| !v.is_empty());
                            DuplicateMember {
                                id: r.0,
                                label: r.1.clone(),
                                detail: detail.collect::<Vec<_>>().join(" · "),
                                owner_name: r.6.clone(),
                            }
                        })
                        .collect(),
                });
            }
            sets.extend(split_apart(block_sets, &identities));
            i = j;
            if sets.len() as i64 >= SCAN_PAGE {
                // Stop after a whole block; the next request starts after it.
                let stop = members.last().map(|r| r.2.clone()).unwrap_or_default();
                return Ok((sets, (j < rows.len() || full).then_some(stop)));
            }
        }
        if !full {
            return Ok((sets, None));
        }
        cursor = end;
    }
    Ok((sets, Some(cursor)))
}

/// How many records depend on each record (shown on the merge page: they all move to the survivor).
async fn related_counts(exec: &mut Tx, entity: ImportEntity, id: i64) -> Result<i64, AppError> {
    let sql = match entity {
        ImportEntity::Account => {
            "SELECT CAST((SELECT COUNT(*) FROM contacts WHERE account_id = $1) + (SELECT COUNT(*) FROM opportunities WHERE account_id = $1) \
             + (SELECT COUNT(*) FROM activities WHERE account_id = $1) + (SELECT COUNT(*) FROM notes WHERE account_id = $1) \
             + (SELECT COUNT(*) FROM leads WHERE account_id = $1) AS BIGINT) AS n"
        }
        ImportEntity::Contact => {
            "SELECT CAST((SELECT COUNT(*) FROM opportunities WHERE contact_id = $1) + (SELECT COUNT(*) FROM activities WHERE regarding_kind = 'contact' AND regarding_id = $1) \
             + (SELECT COUNT(*) FROM activity_attendees WHERE contact_id = $1) + (SELECT COUNT(*) FROM leads WHERE contact_id = $1) AS BIGINT) AS n"
        }
        _ => return Err(AppError::NotFound),
    };
    Ok(sqlx::query(sql).bind(id).fetch_one(&mut **exec).await?.try_get("n")?)
}

/// The records to merge, side by side (at least two, all visible and editable by `actor`).
pub async fn merge_view(db: &Db, actor: &Actor, entity: &str, ids: &[i64]) -> Result<MergeView, AppError> {
    let entity = entity_of(entity)?;
    let mut ids: Vec<i64> = ids.to_vec();
    ids.dedup();
    if ids.len() < 2 || ids.len() > 10 {
        return Err(field("ids", Problem::OutOfRange(2, 10)));
    }
    let mut tx = db.begin().await?;
    let owners = editable(&mut tx, actor, entity, &ids).await?;
    let values = lookup::existing_values(db, entity, &ids).await?;
    not_set_apart(entity, &values)?;
    let mut records = Vec::new();
    for id in &ids {
        let (label, vals) = values.get(id).ok_or(AppError::NotFound)?;
        let related = related_counts(&mut tx, entity, *id).await?;
        records.push(MergeRecord {
            id: *id,
            label: label.clone(),
            version: owners.get(id).map(|o| o.2).unwrap_or(0),
            values: merge_fields(entity).iter().map(|f| (f.to_string(), vals.get(f).cloned().flatten())).collect(),
            related,
        });
    }
    tx.rollback().await?;
    Ok(MergeView { entity: entity.code().into(), fields: merge_fields(entity).iter().map(|f| f.to_string()).collect(), records })
}

/// Accounts whose PIBs or MBs differ are different companies (`domain::identity`): never merged, however
/// alike their names. (Different e-mail domains do not stop a merge the user chose: a company may have
/// changed its address.)
fn not_set_apart(entity: ImportEntity, values: &HashMap<i64, (String, lookup::Values)>) -> Result<(), AppError> {
    if entity != ImportEntity::Account {
        return Ok(());
    }
    let ids: Vec<crate::domain::identity::Identity> = values
        .values()
        .map(|(_, v)| {
            let get = |f: &str| v.get(f).cloned().flatten();
            crate::domain::identity::Identity::company(get("pib").as_deref(), get("mb").as_deref(), None)
        })
        .collect();
    for (i, a) in ids.iter().enumerate() {
        if ids[i + 1..].iter().any(|b| a.conflicts(b)) {
            return Err(field("ids", Problem::DifferentCompanies));
        }
    }
    Ok(())
}

/// Owner, team and version of each record, if `actor` may edit every one of them (else NotFound).
async fn editable(
    tx: &mut Tx,
    actor: &Actor,
    entity: ImportEntity,
    ids: &[i64],
) -> Result<HashMap<i64, (i64, Option<i64>, i64)>, AppError> {
    let (tbl, alias) = table(entity);
    let mut sql = Sql::new(&format!(
        "SELECT {alias}.id, {alias}.owner_id, {alias}.team_id, {alias}.version FROM {tbl} {alias} WHERE {alias}.id IN ("
    ));
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.bind(*id);
    }
    sql.push(")");
    visibility::restrict(&mut sql, actor, alias);
    let rows = sql.query_as::<(i64, i64, Option<i64>, i64)>().fetch_all(&mut **tx).await?;
    if rows.len() != ids.len() || rows.iter().any(|(_, o, t, _)| !visibility::can_edit(actor, *o, *t)) {
        return Err(AppError::NotFound);
    }
    Ok(rows.into_iter().map(|(id, o, t, v)| (id, (o, t, v))).collect())
}

/// Merges the records into the survivor. Any record changed since the user saw it is a conflict.
pub async fn merge(db: &Db, actor: &Actor, input: &MergeInput) -> Result<i64, AppError> {
    let entity = entity_of(&input.entity)?;
    let s = input.survivor;
    let mut ids = input.ids.clone();
    ids.sort_unstable();
    ids.dedup();
    if !ids.contains(&s) || ids.len() < 2 || ids.len() > 10 || input.versions.len() != input.ids.len() {
        return Err(field("ids", Problem::OutOfRange(2, 10)));
    }
    let others: Vec<i64> = ids.iter().copied().filter(|i| *i != s).collect();
    let mut tx = db.begin().await?;
    let current = editable(&mut tx, actor, entity, &ids).await?;
    for (id, seen) in input.ids.iter().zip(&input.versions) {
        crate::domain::check_version(current.get(id).map(|c| c.2).unwrap_or(-1), *seen)?;
    }
    let values = lookup::existing_values(db, entity, &ids).await?;
    not_set_apart(entity, &values)?;
    let chosen: HashMap<&str, i64> =
        input.choices.iter().filter_map(|c| c.split_once(':')).filter_map(|(f, id)| id.parse().ok().map(|id| (f, id))).collect();
    let val = |id: i64, f: &str| values.get(&id).and_then(|(_, v)| v.get(f).cloned().flatten());
    let mut merged: HashMap<&'static str, Option<String>> = HashMap::new();
    for f in merge_fields(entity) {
        let pick = chosen.get(f).filter(|id| ids.contains(id)).map(|id| val(*id, f));
        let others_vals: Vec<Option<String>> = others.iter().map(|o| val(*o, f)).collect();
        let refs: Vec<Option<&str>> = others_vals.iter().map(|v| v.as_deref()).collect();
        merged.insert(f, merged_value(pick.as_ref().map(|p| p.as_deref()), val(s, f).as_deref(), &refs));
    }
    // Flags are not chosen between: a person who asked any of the records not to be e-mailed, called or
    // sent mail still asks it of the survivor; an account stays as active or inactive as the survivor was.
    let flagged = |f: &str| {
        let set = |id: &i64| val(*id, f).as_deref() == Some("1");
        if f == "inactive" {
            set(&s)
        } else {
            ids.iter().any(set)
        }
    };
    let flags: &[&'static str] = match entity {
        ImportEntity::Account => &["inactive"],
        _ => &ContactPreferences::FIELDS,
    };
    for f in flags {
        merged.insert(f, Some(flag_text(flagged(f))));
    }
    let get = |f: &str| merged.get(f).cloned().flatten().unwrap_or_default();
    let in_list = |col: &str| format!("{col} IN ({})", others.iter().map(|o| o.to_string()).collect::<Vec<_>>().join(", "));
    let ts = now();
    // Everything the merge changes is kept in the trash so it can be undone from the survivor's history.
    let (s_owner, s_team, s_version) = current[&s];
    let s_label = values.get(&s).map(|v| v.0.clone()).unwrap_or_default();
    let trash = super::trash::merge::begin(&mut tx, actor, entity.code(), s, &s_label, (s_owner, s_team)).await?;
    let (tbl, _) = table(entity);
    super::trash::merge::keep_deleted(&mut tx, trash, tbl, &in_list("id"), s).await?;
    match entity {
        ImportEntity::Account => {
            let v = super::accounts::validate(&super::imports::forms::account_input(&get))?;
            let (owner, team, version) = current[&s];
            super::accounts::TABLE.write(&mut tx, (s, version), &v, (owner, team), Stamp { at: &ts, by: actor.id }).await?;
            super::trash::merge::keep_deleted(&mut tx, trash, "account_types", &in_list("account_id"), s).await?;
            // The survivor takes every relationship type of the others.
            sqlx::query(&format!(
                "INSERT INTO account_types (account_id, type) SELECT DISTINCT $1, t.type FROM account_types t WHERE t.{} \
                 AND NOT EXISTS (SELECT 1 FROM account_types x WHERE x.account_id = $1 AND x.type = t.type)",
                in_list("account_id")
            ))
            .bind(s)
            .execute(&mut *tx)
            .await?;
            // A deal that already names the survivor as competitor keeps one row.
            let doubles = format!(
                "{} AND opportunity_id IN (SELECT opportunity_id FROM opportunity_competitors WHERE competitor_id = $1)",
                in_list("competitor_id")
            );
            super::trash::merge::keep_deleted(&mut tx, trash, "opportunity_competitors", &doubles, s).await?;
            sqlx::query(&format!("DELETE FROM opportunity_competitors WHERE {doubles}")).bind(s).execute(&mut *tx).await?;
            // One competitor profile: the survivor's, or else the first other's.
            let doubles = format!(
                "{} AND (EXISTS (SELECT 1 FROM competitor_profiles p WHERE p.account_id = $1) \
                 OR account_id <> (SELECT MIN(account_id) FROM competitor_profiles WHERE {}))",
                in_list("account_id"),
                in_list("account_id")
            );
            super::trash::merge::keep_deleted(&mut tx, trash, "competitor_profiles", &doubles, s).await?;
            sqlx::query(&format!("DELETE FROM competitor_profiles WHERE {doubles}")).bind(s).execute(&mut *tx).await?;
            for (tbl, key, col) in [
                ("contacts", "id", "account_id"),
                ("opportunities", "id", "account_id"),
                ("opportunities", "id", "won_by_id"),
                ("leads", "id", "account_id"),
                ("activities", "id", "account_id"),
                ("notes", "id", "account_id"),
                ("documents", "id", "account_id"),
                ("field_observations", "id", "customer_id"),
                ("field_observations", "id", "competitor_id"),
                ("opportunity_competitors", "opportunity_id", "competitor_id"),
                ("competitor_profiles", "account_id", "account_id"),
                ("market_shares", "id", "competitor_id"),
                ("competitor_products", "id", "competitor_id"),
            ] {
                super::trash::merge::move_to_survivor(&mut tx, trash, (tbl, key, col), &in_list(col), s).await?;
            }
            move_regarding(&mut tx, trash, "account", s, &in_list("regarding_id")).await?;
        }
        ImportEntity::Contact => {
            let account_id = match chosen.get("account").filter(|id| ids.contains(id)) {
                Some(id) => account_of(&mut tx, *id).await?,
                None => match account_of(&mut tx, s).await? {
                    Some(a) => Some(a),
                    None => {
                        let mut found = None;
                        for o in &others {
                            if let Some(a) = account_of(&mut tx, *o).await? {
                                found = Some(a);
                                break;
                            }
                        }
                        found
                    }
                },
            };
            let mut v = super::contacts::validate(&super::imports::forms::contact_input(&get))?;
            v.account_id = account_id;
            let (owner, team, version) = current[&s];
            super::contacts::TABLE.write(&mut tx, (s, version), &v, (owner, team), Stamp { at: &ts, by: actor.id }).await?;
            // A meeting both attended keeps one attendance.
            let doubles = format!(
                "{} AND activity_id IN (SELECT activity_id FROM activity_attendees WHERE contact_id = $1)",
                in_list("contact_id")
            );
            super::trash::merge::keep_deleted(&mut tx, trash, "activity_attendees", &doubles, s).await?;
            sqlx::query(&format!("DELETE FROM activity_attendees WHERE {doubles}")).bind(s).execute(&mut *tx).await?;
            for (tbl, key, col) in
                [("opportunities", "id", "contact_id"), ("leads", "id", "contact_id"), ("activity_attendees", "activity_id", "contact_id")]
            {
                super::trash::merge::move_to_survivor(&mut tx, trash, (tbl, key, col), &in_list(col), s).await?;
            }
            move_regarding(&mut tx, trash, "contact", s, &in_list("regarding_id")).await?;
        }
        _ => return Err(AppError::NotFound),
    }
    let kind = crate::domain::marketing::MemberKind::parse(entity.code()).ok_or(AppError::Internal)?;
    super::marketing::members::merge_into(&mut tx, actor, trash, kind, s, &others).await?;
    // History: what the survivor's fields were and became, and where each merged record went.
    let fields: Vec<&'static str> = merge_fields(entity).iter().chain(flags).copied().collect();
    let old_flag = |f: &str| if flags.contains(&f) { Some(flag_text(val(s, f).as_deref() == Some("1"))) } else { val(s, f) };
    let old: audit::Fields = fields.iter().map(|f| (*f, old_flag(f))).collect();
    let new: audit::Fields = fields.iter().map(|f| (*f, merged.get(f).cloned().flatten())).collect();
    audit::updated(&mut tx, entity.code(), s, Some(actor), &old, &new).await?;
    let merged_labels: Vec<String> =
        others.iter().map(|o| format!("#{o} {}", values.get(o).map(|v| v.0.clone()).unwrap_or_default())).collect();
    let audit_id: i64 = sqlx::query(
        "INSERT INTO audit_entries (entity, record_id, action, field, old_value, new_value, user_id, at) VALUES ($1, $2, 'update', 'merge', NULL, $3, $4, $5) RETURNING id",
    )
    .bind(entity.code())
    .bind(s)
    .bind(merged_labels.join(", "))
    .bind(actor.id)
    .bind(&ts)
    .fetch_one(&mut *tx)
    .await?
    .try_get("id")?;
    super::trash::merge::finish(&mut tx, trash, s_version + 1, audit_id).await?;
    for o in &others {
        let label = values.get(o).map(|v| v.0.clone()).unwrap_or_default();
        audit::deleted(&mut tx, entity.code(), *o, Some(actor), &format!("{label} → #{s}")).await?;
    }
    if entity == ImportEntity::Account {
        sqlx::query(&format!("DELETE FROM account_types WHERE {}", in_list("account_id"))).execute(&mut *tx).await?;
    }
    sqlx::query(&format!("DELETE FROM {tbl} WHERE {}", in_list("id"))).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(s)
}

async fn account_of(tx: &mut Tx, contact: i64) -> Result<Option<i64>, AppError> {
    Ok(sqlx::query("SELECT account_id FROM contacts WHERE id = $1").bind(contact).fetch_one(&mut **tx).await?.try_get("account_id")?)
}

/// Activities, notes and documents about the merged records now are about the survivor (kept in merge
/// `trash` for the undo).
async fn move_regarding(tx: &mut Tx, trash: i64, kind: &str, survivor: i64, regarding_in: &str) -> Result<(), AppError> {
    let filter = format!("regarding_kind = '{kind}' AND {regarding_in}");
    for tbl in ["activities", "notes", "documents"] {
        super::trash::merge::move_to_survivor(tx, trash, (tbl, "id", "regarding_id"), &filter, survivor).await?;
    }
    Ok(())
}
