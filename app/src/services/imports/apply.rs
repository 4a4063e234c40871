//! The import job: writes the records, a batch per transaction. Each transaction also advances the
//! import's `rows_done`, so after a crash or kill the job continues from the first row not yet written,
//! and no row is written twice. Rows of duplicate groups follow their group's decision (update the
//! existing record field by field, skip, or create). A batch is planned row by row first and written
//! after: what it creates many rows to an INSERT, then its updates (of accounts and contacts, many to an
//! `UPDATE … FROM (VALUES …)`), so a big import costs a few statements per hundred rows.
//! Each record's history gets one entry naming the import; updated fields get their usual entries.

use super::analyze::{check_batch, Checked, Setup};
use super::forms::{account_input, activity_input, contact_input, lead_input, opportunity_input, product_input, write_values, DealRefs};
use super::{file, heartbeat, ImportDb, BATCH};
use crate::db::sql::Sql;
use crate::db::write::{Origin, Stamp};
use crate::db::{now, Backend, Db, Tx};
use crate::domain::imports::{Decision, FieldPolicy, ImportEntity};
use crate::domain::validate::field;
use crate::domain::{AccountInput, ContactInput, RegardingKind};
use crate::error::{AppError, Problem};
use crate::services::matching::lookup::{self};
use crate::services::{accounts, activities, audit, contacts, leads, opportunities, products, Actor};
use sqlx::Row;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// A stored duplicate row and its group's decision.
struct DupRow {
    group: i64,
    existing: Option<i64>,
    decision: Decision,
    policies: Vec<(String, FieldPolicy)>,
}

/// The record a duplicate row updates: one that exists (and whether it existed before the import), or
/// one this batch creates (its place among the batch's inserts).
#[derive(Clone, Copy)]
enum Target {
    Record(i64, bool),
    Planned(usize),
}

/// A duplicate row that updates a record: the row, the record, its group's field policies, and whether
/// the record's values before are kept for undo.
type RowUpdate<'a, T> = (&'a Checked, T, &'a [(String, FieldPolicy)], bool);

/// A record's fields after a row is merged into them.
type Merged = HashMap<&'static str, Option<String>>;

/// A clean row turned into the record's validated values.
enum Valid {
    Account(accounts::Valid),
    Contact(contacts::Valid),
    Lead(leads::Valid),
    Product(products::catalog::ValidProduct),
    Opportunity(opportunities::Valid),
    Activity(activities::Valid),
}

fn text(c: &Checked, f: &str) -> String {
    c.p.get(f).unwrap_or("").to_string()
}

/// The record form's own validation of a prepared row (the prepared checks already passed, so an error
/// here is rare; it rejects the row all the same).
fn validate(entity: ImportEntity, c: &Checked) -> Result<Valid, AppError> {
    match entity {
        ImportEntity::Account => {
            let types: Vec<String> = match c.p.get("types") {
                Some(t) => t.split(',').map(str::to_string).collect(),
                None => vec!["customer".into()],
            };
            let input = AccountInput { types, owner_id: c.owner.0.to_string(), ..account_input(&|f| text(c, f)) };
            accounts::validate(&input).map(Valid::Account)
        }
        ImportEntity::Contact => {
            let input = ContactInput {
                account_id: c.account_id.map(|a| a.to_string()).unwrap_or_default(),
                owner_id: c.owner.0.to_string(),
                ..contact_input(&|f| text(c, f))
            };
            contacts::validate(&input).map(Valid::Contact)
        }
        ImportEntity::Lead => leads::validate(&lead_input(&|f| c.p.get(f).map(str::to_string), c.source_id, c.owner.0)).map(Valid::Lead),
        ImportEntity::Product => {
            products::catalog::validate_product(&product_input(&|f| c.p.get(f).map(str::to_string))).map(Valid::Product)
        }
        ImportEntity::Opportunity => {
            let refs = DealRefs { account: c.account_id, stage: c.stage_id, contact: c.contact_id, owner: c.owner.0 };
            opportunities::validate(&opportunity_input(&|f| c.p.get(f).map(str::to_string), refs)).map(Valid::Opportunity)
        }
        ImportEntity::Activity => {
            let about = match (c.contact_id, c.account_id) {
                (Some(contact), _) => (RegardingKind::Contact, contact),
                (None, Some(account)) => (RegardingKind::Account, account),
                (None, None) => return Err(field("account", Problem::Required)),
            };
            let get = |f: &str| c.p.get(f).map(str::to_string);
            // Done as the file says; without a word, what has already happened counts as done.
            let done = match c.p.get("completed") {
                Some(d) => d == "true",
                None => c.p.get("starts_at").is_some_and(|s| s < crate::clock::to_local(&now()).as_str()),
            };
            activities::validate(&activity_input(&get, about, c.owner.0, done)).map(Valid::Activity)
        }
    }
}

/// Rows per multi-row INSERT or UPDATE (their placeholders are anonymous on SQLite: see `Sql::for_rows`).
/// 500 rows of a contact are about 9,000 parameters, well within both databases' limits (SQLite 32,766,
/// Postgres 65,535); fewer, larger statements mean fewer round trips to the database's thread.
const ROWS_PER_INSERT: usize = 500;

/// Accounts and contacts: many rows per INSERT statement (the fast path of big imports); returns the ids
/// in row order.
async fn insert_many(
    tx: &mut Tx,
    backend: Backend,
    actor: &Actor,
    imp: &ImportDb,
    chunk: &[(Valid, (i64, Option<i64>))],
    ts: &str,
    sqlite_max_id: &mut Option<i64>,
) -> Result<Vec<i64>, AppError> {
    let mut sql = match imp.entity() {
        ImportEntity::Account => {
            let origin = Origin { at: ts, by: actor.id, demo: false, import_id: Some(imp.id) };
            let rows: Vec<(&accounts::Valid, (i64, Option<i64>))> = chunk
                .iter()
                .map(|(v, owner)| match v {
                    Valid::Account(a) => Ok((a, *owner)),
                    _ => Err(AppError::Internal),
                })
                .collect::<Result<_, _>>()?;
            accounts::TABLE.insert(backend, &rows, &origin)
        }
        ImportEntity::Contact => {
            let origin = Origin { at: ts, by: actor.id, demo: false, import_id: Some(imp.id) };
            let rows: Vec<(&contacts::Valid, (i64, Option<i64>))> = chunk
                .iter()
                .map(|(v, owner)| match v {
                    Valid::Contact(c) => Ok((c, *owner)),
                    _ => Err(AppError::Internal),
                })
                .collect::<Result<_, _>>()?;
            contacts::TABLE.insert(backend, &rows, &origin)
        }
        _ => return Err(AppError::Internal),
    };
    if backend == Backend::Sqlite {
        return insert_sqlite(tx, imp.entity().table(), &sql, chunk.len(), sqlite_max_id).await;
    }
    sql.push(" RETURNING id");
    // Ids are handed out in the order of the VALUES rows; sorting them keeps the pairing with the rows
    // independent of the order RETURNING lists them in.
    let mut got: Vec<i64> = sql.query_as::<(i64,)>().fetch_all(&mut **tx).await?.into_iter().map(|(id,)| id).collect();
    got.sort_unstable();
    Ok(got)
}

/// SQLite: runs a multi-row INSERT and returns the new ids in row order without RETURNING, whose rows
/// sqlx hands over one at a time from its worker thread (a thread switch per row). The transaction holds
/// the write lock, so every id above the table's largest before the statement is one of its rows; when
/// the statement's `n` rows end at the largest plus `n`, they are exactly the ids in between (SQLite gives
/// a new row the largest id plus one, in the order of the VALUES). Otherwise they are read back.
/// `max_id` carries the table's largest id from one statement of the transaction to the next (read
/// once, not before every statement).
async fn insert_sqlite(tx: &mut Tx, table: &str, sql: &Sql, n: usize, max_id: &mut Option<i64>) -> Result<Vec<i64>, AppError> {
    let base = match *max_id {
        Some(id) => id,
        None => sqlx::query_as::<_, (i64,)>(&format!("SELECT COALESCE(MAX(id), 0) FROM {table}")).fetch_one(&mut **tx).await?.0,
    };
    let done = sql.query().execute(&mut **tx).await?;
    let n = n as i64;
    if done.rows_affected() == n as u64 && done.last_insert_id() == Some(base + n) {
        *max_id = Some(base + n);
        return Ok((base + 1..=base + n).collect());
    }
    *max_id = None;
    let ids: Vec<(i64,)> =
        sqlx::query_as(&format!("SELECT id FROM {table} WHERE id > $1 ORDER BY id")).bind(base).fetch_all(&mut **tx).await?;
    Ok(ids.into_iter().map(|(id,)| id).collect())
}

/// Inserts records and their history entry naming the import; returns the ids in row order.
async fn insert(
    tx: &mut Tx,
    backend: Backend,
    actor: &Actor,
    imp: &ImportDb,
    rows: &[(Valid, (i64, Option<i64>))],
) -> Result<Vec<i64>, AppError> {
    let ts = now();
    let mut ids = Vec::with_capacity(rows.len());
    let mut sqlite_max_id = None;
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let got = match imp.entity() {
            ImportEntity::Account | ImportEntity::Contact => insert_many(tx, backend, actor, imp, chunk, &ts, &mut sqlite_max_id).await?,
            // Leads, products and deals are written by their own service (its checks and history), one at a time.
            ImportEntity::Lead | ImportEntity::Product | ImportEntity::Opportunity | ImportEntity::Activity => {
                let mut got = Vec::with_capacity(chunk.len());
                for (v, _) in chunk {
                    let id = match v {
                        Valid::Lead(l) => leads::insert(tx, actor, l, None, false).await?,
                        Valid::Product(p) => products::catalog::insert_product(tx, actor, p, false).await?,
                        Valid::Opportunity(o) => opportunities::insert(tx, actor, o, None, false).await?,
                        Valid::Activity(a) => activities::insert(tx, actor, a, None, false).await?,
                        _ => return Err(AppError::Internal),
                    };
                    got.push(id);
                }
                let mut mark = Sql::for_rows(backend, &format!("UPDATE {} SET import_id = ", imp.entity().table()));
                mark.bind(imp.id).push(" WHERE id IN (").bind_list(&got).push(")");
                mark.query().execute(&mut **tx).await?;
                if imp.entity() == ImportEntity::Activity {
                    // Imported history was done when it happened, not when it was imported (activity reports
                    // count it in its own week).
                    sqlx::query(
                        "UPDATE activities SET completed_at = COALESCE(ends_at, starts_at) WHERE import_id = $1 AND status = 'completed'",
                    )
                    .bind(imp.id)
                    .execute(&mut **tx)
                    .await?;
                }
                got
            }
        };
        // Account types, then one history entry per record.
        if let ImportEntity::Account = imp.entity() {
            let mut types = Sql::for_rows(backend, "INSERT INTO account_types (account_id, type) VALUES ");
            let mut first = true;
            for ((v, _), id) in chunk.iter().zip(&got) {
                if let Valid::Account(a) = v {
                    for t in &a.types {
                        types.push(if first { "(" } else { ", (" }).bind(*id).push(", ").bind(t.code()).push(")");
                        first = false;
                    }
                }
            }
            if !first {
                types.query().execute(&mut **tx).await?;
            }
        }
        let mut hist = Sql::for_rows(
            backend,
            "INSERT INTO audit_entries (entity, record_id, action, field, old_value, new_value, user_id, at) VALUES ",
        );
        let label = format!("#{} {}", imp.id, imp.file_name);
        for (i, id) in got.iter().enumerate() {
            hist.push(if i == 0 { "(" } else { ", (" }).bind(imp.entity().code()).push(", ").bind(*id).push(", 'create', 'import', NULL, ");
            hist.bind(label.clone()).push(", ").bind(actor.id).push(", ").bind(ts.clone()).push(")");
        }
        hist.query().execute(&mut **tx).await?;
        ids.extend(got);
    }
    Ok(ids)
}

/// A row's values merged into a record's, field by field as its group's policies say (fill empty fields
/// only, unless told otherwise), and the owner they name.
fn merge(
    entity: ImportEntity,
    before: &lookup::Values,
    c: &Checked,
    setup: &Setup,
    policies: &[(String, FieldPolicy)],
) -> (Merged, (i64, Option<i64>)) {
    let policy = |f: &str| policies.iter().find(|(p, _)| p == f).map(|(_, p)| *p).unwrap_or(FieldPolicy::FillEmpty);
    let mut merged: Merged = HashMap::new();
    for f in entity.compared_fields() {
        let mut value = policy(f).apply(before.get(f).cloned().flatten().as_deref(), c.p.get(f));
        // A flag not set is empty, as the record's own values say it (`ImportEntity::is_flag`).
        if ImportEntity::is_flag(f) && value.as_deref() == Some("0") {
            value = None;
        }
        merged.insert(f, value);
    }
    let owner_email = merged.get("owner").cloned().flatten();
    let owner = setup.owners.resolve(&setup.actor, owner_email.as_deref()).unwrap_or(c.owner);
    (merged, owner)
}

/// The record's fields before and after, as its history and the import's undo keep them.
fn before_after(entity: ImportEntity, before: &lookup::Values, merged: &Merged) -> (audit::Fields, audit::Fields) {
    let fields = entity.compared_fields();
    (
        fields.iter().map(|f| (*f, before.get(f).cloned().flatten())).collect(),
        fields.iter().map(|f| (*f, merged.get(f).cloned().flatten())).collect(),
    )
}

fn before_json(old: audit::Fields) -> String {
    let map: HashMap<&str, Option<String>> = old.into_iter().collect();
    serde_json::to_string(&map).unwrap_or_default()
}

/// Leads, products, deals and activities: updates an existing record with a row's values through its
/// service's own edit (its checks, version and history); returns its values before (as the import's
/// fields) and its version after.
async fn update(
    tx: &mut Tx,
    actor: &Actor,
    imp: &ImportDb,
    id: i64,
    c: &Checked,
    setup: &Setup,
    policies: &[(String, FieldPolicy)],
) -> Result<(String, i64), AppError> {
    let entity = imp.entity();
    let (before, version) = lookup::existing_values_in(tx, entity, id).await?.ok_or(AppError::NotFound)?;
    let (merged, (owner, _)) = merge(entity, &before, c, setup, policies);
    write_values(tx, actor, entity, (id, version), &|f| merged.get(f).cloned().flatten(), owner, &setup.names).await?;
    let (old, _) = before_after(entity, &before, &merged);
    Ok((before_json(old), version + 1))
}

/// An account's or contact's update in a batch: the record, the version it was read at, its values
/// after the row is merged, and its owner.
type Write = (i64, i64, Valid, (i64, Option<i64>));

/// Writes updates of different records through their service's `write_many`, 500 to a statement; a
/// record changed since it was read is a fault.
async fn write_updates(tx: &mut Tx, actor: &Actor, entity: ImportEntity, rows: &[Write], ts: &str) -> Result<(), AppError> {
    let backend = Backend::of(tx);
    let stamp = Stamp { at: ts, by: actor.id };
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let (sql, expected) = match entity {
            ImportEntity::Account => {
                let rows: Vec<_> = chunk
                    .iter()
                    .filter_map(|(id, version, v, owner)| match v {
                        Valid::Account(a) => Some((*id, *version, a, *owner)),
                        _ => None,
                    })
                    .collect();
                accounts::TABLE.write_many(backend, &rows, stamp)
            }
            _ => {
                let rows: Vec<_> = chunk
                    .iter()
                    .filter_map(|(id, version, v, owner)| match v {
                        Valid::Contact(c) => Some((*id, *version, c, *owner)),
                        _ => None,
                    })
                    .collect();
                contacts::TABLE.write_many(backend, &rows, stamp)
            }
        };
        // The records were read (on Postgres locked) in this transaction: a mismatch is a fault, and the
        // import is marked failed (a conflict would read as "another worker took the job").
        let n = sql.query().execute(&mut **tx).await?.rows_affected();
        if n != expected || expected != chunk.len() as u64 {
            tracing::error!(
                entity = entity.code(),
                expected = chunk.len(),
                updated = n,
                "import update found records changed since they were read"
            );
            return Err(AppError::Internal);
        }
    }
    Ok(())
}

/// Accounts and contacts: a batch's updates with one read of the records they change and one
/// `UPDATE … FROM (VALUES …)` per 100 of them. Rows are merged in file order; a record that several rows
/// of the batch update is written once per row, in rounds, and read again after each, so each row keeps
/// its own history entries and version and sees the values the one before stored. Returns each row's values before and version after.
async fn update_many(
    tx: &mut Tx,
    backend: Backend,
    actor: &Actor,
    imp: &ImportDb,
    setup: &Setup,
    rows: &[RowUpdate<'_, i64>],
) -> Result<Vec<(String, i64)>, AppError> {
    let entity = imp.entity();
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let mut ids: Vec<i64> = rows.iter().map(|r| r.1).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut current = lookup::existing_values_many_in(tx, backend, entity, &ids).await?;
    let ts = now();
    let mut history = audit::Batch::new(Some(actor), &ts);
    let mut out = Vec::with_capacity(rows.len());
    let mut round: Vec<Write> = Vec::new();
    let mut in_round: HashSet<i64> = HashSet::new();
    let mut types: Vec<(i64, String)> = Vec::new();
    for (c, id, policies, _) in rows {
        if in_round.contains(id) {
            write_updates(tx, actor, entity, &round, &ts).await?;
            let written: Vec<i64> = in_round.drain().collect();
            current.extend(lookup::existing_values_many_in(tx, backend, entity, &written).await?);
            round.clear();
        }
        let (before, version) = current.remove(id).ok_or(AppError::NotFound)?;
        let (merged, (owner, team)) = merge(entity, &before, c, setup, policies);
        let get = |f: &str| merged.get(f).cloned().flatten().unwrap_or_default();
        let valid = match entity {
            ImportEntity::Account => {
                // Types from the file are added to the account's own.
                if let Some(t) = c.p.get("types") {
                    types.extend(t.split(',').map(|code| (*id, code.to_string())));
                }
                Valid::Account(accounts::validate(&account_input(&get))?)
            }
            _ => {
                let mut v = contacts::validate(&contact_input(&get))?;
                // The row's account replaces the contact's only when its group says overwrite; it fills
                // an empty one unless told to keep it.
                let policy = policies.iter().find(|(p, _)| p == "account").map(|(_, p)| *p).unwrap_or(FieldPolicy::FillEmpty);
                let current = before.get("account_id").cloned().flatten().and_then(|a| a.parse().ok());
                v.account_id = match (policy, c.account_id) {
                    (FieldPolicy::Overwrite, Some(a)) => Some(a),
                    (FieldPolicy::Keep, _) => current,
                    (_, row) => current.or(row),
                };
                Valid::Contact(v)
            }
        };
        let (old, new) = before_after(entity, &before, &merged);
        history.updated(entity.code(), *id, &old, &new);
        out.push((before_json(old), version + 1));
        round.push((*id, version, valid, (owner, team)));
        in_round.insert(*id);
    }
    write_updates(tx, actor, entity, &round, &ts).await?;
    types.sort();
    types.dedup();
    for chunk in types.chunks(100) {
        let mut sql = Sql::for_rows(backend, "INSERT INTO account_types (account_id, type) SELECT v.column1, v.column2 FROM (VALUES ");
        for (i, (id, code)) in chunk.iter().enumerate() {
            sql.push(if i == 0 { "(" } else { ", (" }).bind(*id).push(", ").bind(code.clone()).push(")");
        }
        sql.push(") AS v WHERE NOT EXISTS (SELECT 1 FROM account_types t WHERE t.account_id = v.column1 AND t.type = v.column2)");
        sql.query().execute(&mut **tx).await?;
    }
    history.write(tx).await?;
    Ok(out)
}

/// The accounts and contacts a batch's rows name that no longer exist, read in the batch's transaction:
/// the rows were checked a batch earlier (while the one before was written), and a record deleted or
/// merged away since then rejects the rows that name it instead of failing the whole import.
struct Gone {
    accounts: HashSet<i64>,
    contacts: HashSet<i64>,
}

impl Gone {
    async fn find(tx: &mut Tx, backend: Backend, checked: &[Checked]) -> Result<Gone, AppError> {
        let accounts: HashSet<i64> = checked.iter().filter_map(|c| c.account_id).collect();
        let contacts: HashSet<i64> = checked.iter().filter_map(|c| c.contact_id).collect();
        Ok(Gone {
            accounts: missing(tx, backend, "accounts", accounts).await?,
            contacts: missing(tx, backend, "contacts", contacts).await?,
        })
    }

    /// The field of a row that names a record which is gone.
    fn field_of(&self, c: &Checked) -> Option<&'static str> {
        if c.account_id.is_some_and(|a| self.accounts.contains(&a)) {
            Some("account")
        } else if c.contact_id.is_some_and(|a| self.contacts.contains(&a)) {
            Some("contact")
        } else {
            None
        }
    }
}

/// Which of `ids` are not in `table`.
async fn missing(tx: &mut Tx, backend: Backend, table: &str, mut ids: HashSet<i64>) -> Result<HashSet<i64>, AppError> {
    let wanted: Vec<i64> = ids.iter().copied().collect();
    for chunk in wanted.chunks(BATCH) {
        let mut sql = Sql::for_rows(backend, &format!("SELECT id FROM {table} WHERE id IN ("));
        sql.bind_list(chunk).push(")");
        for (id,) in sql.query_as::<(i64,)>().fetch_all(&mut **tx).await? {
            ids.remove(&id);
        }
    }
    Ok(ids)
}

/// Reads the next batch of rows of the file and checks the ones the analysis did not reject: how many
/// rows it read (0 at the end), the checked ones, and the seconds it took.
async fn next_checked(
    db: &Db,
    setup: &Arc<Setup>,
    rows: &mut file::Rows<'_>,
    row_no: &mut i64,
    rejected: &HashSet<i64>,
) -> Result<(i64, Vec<Checked>, f64), AppError> {
    let t0 = std::time::Instant::now();
    let batch = rows.next_batch(BATCH, row_no).await?;
    let n_rows = batch.len() as i64;
    let batch: Vec<(i64, Vec<String>)> = batch.into_iter().filter(|(r, _)| !rejected.contains(r)).collect();
    let checked = check_batch(db, setup, batch).await?;
    Ok((n_rows, checked, t0.elapsed().as_secs_f64()))
}

pub(crate) async fn run(db: &Db, imp: &ImportDb, worker: &str) -> Result<(), AppError> {
    let setup = super::analyze::Setup::of(db, imp).await?;
    let (actor, entity) = (&setup.actor, setup.entity);
    // What the analysis decided; and the records made for groups before an interruption.
    let mut rejected: HashSet<i64> = HashSet::new();
    let mut dups: HashMap<i64, DupRow> = HashMap::new();
    let mut group_record: HashMap<i64, i64> = HashMap::new();
    // The record of a group is the one its first creating row made (usually its first row; a later one
    // when the first was rejected while writing).
    let mut first_created: HashMap<i64, (i64, i64)> = HashMap::new();
    // Groups the user joined to what a similar name suggested: an earlier group, or an existing record.
    let mut joined_group: HashMap<i64, i64> = HashMap::new();
    let mut joined_record: HashMap<i64, i64> = HashMap::new();
    for r in sqlx::query(
        "SELECT row_no, kind, dup_group, existing_id, decision, policies, outcome, record_id, suggested_group, suggested_id, joined \
         FROM import_rows WHERE import_id = $1",
    )
    .bind(imp.id)
    .fetch_all(&db.pool)
    .await?
    {
        let row_no: i64 = r.try_get("row_no")?;
        if r.try_get::<String, _>("kind")? == "rejected" {
            rejected.insert(row_no);
            continue;
        }
        let group: i64 = r.try_get::<Option<i64>, _>("dup_group")?.unwrap_or(row_no);
        if r.try_get::<i64, _>("joined")? != 0 {
            if let Some(g) = r.try_get::<Option<i64>, _>("suggested_group")? {
                joined_group.insert(group, g);
            } else if let Some(id) = r.try_get::<Option<i64>, _>("suggested_id")? {
                joined_record.insert(group, id);
            }
        }
        if let (Some(rec), Some(outcome)) = (r.try_get::<Option<i64>, _>("record_id")?, r.try_get::<Option<String>, _>("outcome")?) {
            if outcome == "created" {
                let first = first_created.entry(group).or_insert((row_no, rec));
                if row_no < first.0 {
                    *first = (row_no, rec);
                }
            }
        }
        dups.insert(
            row_no,
            DupRow {
                group,
                existing: r.try_get("existing_id")?,
                decision: r.try_get::<Option<String>, _>("decision")?.as_deref().and_then(Decision::parse).unwrap_or(Decision::Update),
                policies: r.try_get::<Option<String>, _>("policies")?.and_then(|p| serde_json::from_str(&p).ok()).unwrap_or_default(),
            },
        );
    }
    // A joined group's rows are rows of the group it joined (which may have joined another in turn:
    // suggestions point to earlier groups, so the chain ends).
    let joined_to = |mut g: i64| {
        for _ in 0..64 {
            match joined_group.get(&g) {
                Some(next) if *next != g => g = *next,
                _ => break,
            }
        }
        g
    };
    for d in dups.values_mut() {
        let to = joined_to(d.group);
        if to != d.group {
            if let Some(id) = joined_record.get(&d.group).copied() {
                joined_record.entry(to).or_insert(id);
            }
            d.group = to;
        }
    }
    let mut first_created_by_group: HashMap<i64, (i64, i64)> = HashMap::new();
    for (group, (row, rec)) in first_created {
        let g = joined_to(group);
        let first = first_created_by_group.entry(g).or_insert((row, rec));
        if row < first.0 {
            *first = (row, rec);
        }
    }
    group_record.extend(first_created_by_group.into_iter().map(|(group, (_, rec))| (group, rec)));
    // A group's existing record is the first one any of its rows matched, else the one the user joined it to.
    let mut group_existing: HashMap<i64, i64> = HashMap::new();
    let mut sorted: Vec<(&i64, &DupRow)> = dups.iter().collect();
    sorted.sort_by_key(|(r, _)| **r);
    for (_, d) in &sorted {
        if let Some(e) = d.existing {
            group_existing.entry(d.group).or_insert(e);
        }
    }
    for (group, id) in &joined_record {
        group_existing.entry(joined_to(*group)).or_insert(*id);
    }
    // Contacts' companies this import created, by `new_account_key` (earlier batches' are found again by
    // the checks, being in the database).
    let mut new_companies: HashMap<String, i64> = HashMap::new();
    let pause = std::env::var("VEZA_IMPORT_BATCH_PAUSE_MS").ok().and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);

    let mut rows = file::Rows::new(db, imp.id, imp.delimiter());
    let _ = rows.next_nonblank().await?;
    let mut row_no = 0i64;
    // Rows written before an interruption are read past, not written again.
    while row_no < imp.rows_done {
        if rows.next_nonblank().await?.is_none() {
            break;
        }
        row_no += 1;
    }
    // Where the time goes, for the log: reading and checking the rows, writing them, committing.
    let (mut t_check, mut t_write, mut t_commit) = (0f64, 0f64, 0f64);
    let mut next = next_checked(db, &setup, &mut rows, &mut row_no, &rejected).await?;
    loop {
        let (n_rows, checked, check_s) = next;
        t_check += check_s;
        if n_rows == 0 {
            break;
        }
        // The batch is written while the next one is read and checked (the checks read other tables
        // than the import writes, through another connection).
        let write = async {
            let mut checked = checked;
            let t0 = std::time::Instant::now();
            let mut tx = db.begin().await?;
            if entity == ImportEntity::Contact {
                create_companies(&mut tx, db.backend, actor, imp, &setup, &mut checked, &mut new_companies).await?;
            }
            let (mut created, mut updated, mut skipped, mut late_rejects) = (0i64, 0i64, 0i64, 0i64);
            // The batch is planned row by row first, then written: every record it creates in a few multi-row
            // INSERTs, then the updates (which may name a record created just before, by its place in `inserts`).
            let mut inserts: Vec<(Valid, (i64, Option<i64>))> = Vec::new();
            let mut created_rows: Vec<(i64, usize)> = Vec::new();
            let mut planned_group: HashMap<i64, usize> = HashMap::new();
            let mut planned_codes: HashSet<String> = HashSet::new();
            let mut updates: Vec<RowUpdate<'_, Target>> = Vec::new();
            #[allow(clippy::type_complexity)]
            let mut outcomes: Vec<(i64, &'static str, Option<i64>, Option<String>, Option<i64>)> = Vec::new();
            let gone = Gone::find(&mut tx, db.backend, &checked).await?;
            for c in &checked {
                // A row that became invalid since the analysis or its check (its account was deleted, say)
                // is rejected now.
                let mut valid = if c.p.ok() { validate(entity, c) } else { Err(field("row", Problem::InvalidChoice)) };
                if let (Ok(_), Some(f)) = (&valid, gone.field_of(c)) {
                    valid = Err(field(f, Problem::NotFoundByName));
                }
                let dup = dups.get(&c.row_no);
                // The record a duplicate row is written to: its group's existing record, or the one an earlier
                // row of the group created (in an earlier batch, or planned in this one).
                let target = dup.and_then(|d| match group_existing.get(&d.group) {
                    Some(id) => Some(Target::Record(*id, true)),
                    None => group_record
                        .get(&d.group)
                        .map(|id| Target::Record(*id, false))
                        .or_else(|| planned_group.get(&d.group).map(|i| Target::Planned(*i))),
                });
                let inserts_row = dup.is_none_or(|d| d.decision == Decision::Create || target.is_none());
                // A product code is unique: a row that would create a product whose code was taken since the
                // analysis (or by an earlier row of this import) is rejected.
                if let (Ok(Valid::Product(p)), true) = (&valid, inserts_row) {
                    if planned_codes.contains(&p.code.to_uppercase()) || products::catalog::code_taken(&mut tx, &p.code, 0).await? {
                        valid = Err(field("code", Problem::AlreadyExists));
                    }
                }
                let valid = match valid {
                    Ok(v) => v,
                    Err(e) => {
                        late_rejects += 1;
                        let reasons = if c.p.ok() {
                            match e {
                                AppError::Validation { field, problem } => vec![(field, problem)],
                                _ => vec![("row".to_string(), Problem::InvalidChoice)],
                            }
                        } else {
                            c.p.problems.clone()
                        };
                        sqlx::query(
                        "INSERT INTO import_rows (import_id, row_no, kind, reasons, cells, outcome) VALUES ($1, $2, 'rejected', $3, $4, 'rejected') \
                         ON CONFLICT (import_id, row_no) DO UPDATE SET kind = 'rejected', reasons = excluded.reasons, outcome = 'rejected'",
                    )
                    .bind(imp.id)
                    .bind(c.row_no)
                    .bind(serde_json::to_string(&reasons).unwrap_or_default())
                    .bind(serde_json::to_string(&c.p.cells).unwrap_or_default())
                    .execute(&mut *tx)
                    .await?;
                        continue;
                    }
                };
                if let (Valid::Product(p), true) = (&valid, inserts_row) {
                    planned_codes.insert(p.code.to_uppercase());
                }
                let Some(d) = dup else {
                    inserts.push((valid, c.owner));
                    continue;
                };
                match (d.decision, target) {
                    (Decision::Create, _) | (_, None) => {
                        if !group_record.contains_key(&d.group) {
                            planned_group.entry(d.group).or_insert(inserts.len());
                        }
                        created_rows.push((c.row_no, inserts.len()));
                        inserts.push((valid, c.owner));
                    }
                    (Decision::Skip, Some(t)) => {
                        skipped += 1;
                        // The record the row was left out for, when it is one that existed (the summary names it).
                        let existing = match t {
                            Target::Record(id, true) => Some(id),
                            _ => None,
                        };
                        outcomes.push((c.row_no, "skipped", existing, None, None));
                    }
                    (Decision::Update, Some(t)) => {
                        // Records this import created are deleted whole by undo; only others need their values back.
                        let keep_before = matches!(t, Target::Record(_, true));
                        updates.push((c, t, &d.policies, keep_before));
                    }
                }
            }
            let ids = insert(&mut tx, db.backend, actor, imp, &inserts).await?;
            created += ids.len() as i64;
            for (row_no, i) in created_rows {
                outcomes.push((row_no, "created", Some(ids[i]), None, Some(1)));
            }
            for (group, i) in planned_group {
                group_record.insert(group, ids[i]);
            }
            let updates: Vec<RowUpdate<'_, i64>> = updates
                .into_iter()
                .map(|(c, t, p, keep)| {
                    let id = match t {
                        Target::Record(id, _) => id,
                        Target::Planned(i) => ids[i],
                    };
                    (c, id, p, keep)
                })
                .collect();
            let written = match entity {
                ImportEntity::Account | ImportEntity::Contact => update_many(&mut tx, db.backend, actor, imp, &setup, &updates).await?,
                _ => {
                    let mut written = Vec::with_capacity(updates.len());
                    for (c, id, policies, _) in &updates {
                        written.push(update(&mut tx, actor, imp, *id, c, &setup, policies).await?);
                    }
                    written
                }
            };
            for ((c, id, _, keep_before), (before, version)) in updates.iter().zip(written) {
                updated += 1;
                outcomes.push((c.row_no, "updated", Some(*id), keep_before.then_some(before), Some(version)));
            }
            // What became of the batch's duplicate rows, 100 to a statement.
            for chunk in outcomes.chunks(100) {
                let mut sql = Sql::for_rows(db.backend, "UPDATE import_rows SET outcome = v.column2, record_id = v.column3, before_values = v.column4, after_version = v.column5 FROM (VALUES ");
                for (i, (row_no, outcome, record, before, after_version)) in chunk.iter().enumerate() {
                    sql.push(if i == 0 { "(" } else { ", (" }).bind(*row_no).push(", ").bind(*outcome).push(", ").bind(*record);
                    sql.push(", ").bind(before.clone()).push(", ").bind(*after_version).push(")");
                }
                sql.push(") AS v WHERE import_rows.import_id = ").bind(imp.id).push(" AND import_rows.row_no = v.column1");
                sql.query().execute(&mut *tx).await?;
            }
            heartbeat(&mut tx, imp.id, worker).await?;
            sqlx::query(
                "UPDATE imports SET rows_done = rows_done + $1, created_count = created_count + $2, updated_count = updated_count + $3, \
             skipped_count = skipped_count + $4, rejected_count = rejected_count + $5 WHERE id = $6",
            )
            .bind(n_rows)
            .bind(created)
            .bind(updated)
            .bind(skipped)
            .bind(late_rejects)
            .bind(imp.id)
            .execute(&mut *tx)
            .await?;
            let write_s = t0.elapsed().as_secs_f64();
            let t0 = std::time::Instant::now();
            tx.commit().await?;
            Ok::<_, AppError>((write_s, t0.elapsed().as_secs_f64()))
        };
        let (written, upcoming) = tokio::join!(write, next_checked(db, &setup, &mut rows, &mut row_no, &rejected));
        let (write_s, commit_s) = written?;
        (t_write, t_commit) = (t_write + write_s, t_commit + commit_s);
        next = upcoming?;
        if pause > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
        }
    }
    let t0 = std::time::Instant::now();
    let mut tx = db.begin().await?;
    let n = sqlx::query("UPDATE imports SET status = 'done', finished_at = $1, worker = NULL, heartbeat_at = NULL, version = version + 1 WHERE id = $2 AND worker = $3")
        .bind(now())
        .bind(imp.id)
        .bind(worker)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    crate::db::write::changed_one(n)?;
    index_for_search(&mut tx, db.backend, imp).await?;
    tx.commit().await?;
    let t_search = t0.elapsed().as_secs_f64();
    tracing::info!(
        import = imp.id,
        rows = row_no,
        check_s = t_check,
        write_s = t_write,
        commit_s = t_commit,
        search_s = t_search,
        "import finished"
    );
    Ok(())
}

/// The companies a batch of contacts names that are not in Veza: each created once (however its rows
/// write it), a customer owned by the row's owner, with a history entry naming the import; the rows get
/// its id. They are marked with the import, so its undo removes the ones nothing else came to use.
async fn create_companies(
    tx: &mut Tx,
    backend: Backend,
    actor: &Actor,
    imp: &ImportDb,
    setup: &Setup,
    checked: &mut [Checked],
    created: &mut HashMap<String, i64>,
) -> Result<(), AppError> {
    let mut wanted: Vec<(String, accounts::Valid, (i64, Option<i64>))> = Vec::new();
    for c in checked.iter().filter(|c| c.p.ok()) {
        let Some(name) = &c.new_account else { continue };
        let key = super::analyze::new_account_key(name);
        if created.contains_key(&key) || wanted.iter().any(|(k, ..)| *k == key) {
            continue;
        }
        let name = if setup.options.proper_case { crate::domain::normalize::proper_case(name) } else { name.clone() };
        let valid = accounts::validate(&account_input(&|f| if f == "name" { name.clone() } else { String::new() }))?;
        wanted.push((key, valid, c.owner));
    }
    if !wanted.is_empty() {
        let ts = now();
        // Created as any account is (its full-text row by the trigger), then marked with the import.
        let origin = Origin { at: &ts, by: actor.id, demo: false, import_id: None };
        let rows: Vec<(&accounts::Valid, (i64, Option<i64>))> = wanted.iter().map(|(_, v, owner)| (v, *owner)).collect();
        let mut sql = accounts::TABLE.insert(backend, &rows, &origin);
        sql.push(" RETURNING id");
        let mut ids: Vec<i64> = sql.query_as::<(i64,)>().fetch_all(&mut **tx).await?.into_iter().map(|(id,)| id).collect();
        ids.sort_unstable();
        let mut mark = Sql::for_rows(backend, "UPDATE accounts SET import_id = ");
        mark.bind(imp.id).push(" WHERE id IN (").bind_list(&ids).push(")");
        mark.query().execute(&mut **tx).await?;
        let label = format!("#{} {}", imp.id, imp.file_name);
        let mut types = Sql::for_rows(backend, "INSERT INTO account_types (account_id, type) VALUES ");
        let mut hist = Sql::for_rows(backend, "INSERT INTO audit_entries (entity, record_id, action, field, old_value, new_value, user_id, at) VALUES ");
        for (i, id) in ids.iter().enumerate() {
            types.push(if i == 0 { "(" } else { ", (" }).bind(*id).push(", 'customer')");
            hist.push(if i == 0 { "(" } else { ", (" }).bind("account").push(", ").bind(*id).push(", 'create', 'import', NULL, ");
            hist.bind(label.clone()).push(", ").bind(actor.id).push(", ").bind(ts.clone()).push(")");
        }
        types.query().execute(&mut **tx).await?;
        hist.query().execute(&mut **tx).await?;
        for ((key, ..), id) in wanted.into_iter().zip(ids) {
            created.insert(key, id);
        }
    }
    for c in checked.iter_mut() {
        if let Some(name) = &c.new_account {
            c.account_id = created.get(&super::analyze::new_account_key(name)).copied();
        }
    }
    Ok(())
}

/// Whether the full-text rows of the records an import creates wait for its end: SQLite's accounts
/// and contacts (their FTS5 tables; Postgres indexes each row as it is written).
pub(crate) fn search_waits_for_end(backend: Backend, entity: ImportEntity) -> bool {
    backend == Backend::Sqlite && matches!(entity, ImportEntity::Account | ImportEntity::Contact)
}

/// SQLite: writes the full-text rows of the accounts or contacts an import created, all in one statement,
/// as the import ends (done, or failed while writing), and clears its `search_pending`. Until then the
/// insert trigger skips them and the update and delete triggers leave them alone (migrations 0010 and
/// 0011): one statement gives FTS5 one index segment to build instead of one per batch and the merges
/// between them. The rows are read from the table as they are now, edits made meanwhile included.
/// Postgres indexes each row as it is written: nothing to do there.
pub(crate) async fn index_for_search(tx: &mut Tx, backend: Backend, imp: &ImportDb) -> Result<(), AppError> {
    if !search_waits_for_end(backend, imp.entity()) {
        return Ok(());
    }
    let table = imp.entity().table();
    sqlx::query(&format!(
        "INSERT INTO {table}_fts (rowid, search_text) SELECT id, search_text FROM {table} \
         WHERE import_id = $1 AND EXISTS (SELECT 1 FROM imports WHERE id = $1 AND search_pending = 1)"
    ))
    .bind(imp.id)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE imports SET search_pending = 0 WHERE id = $1").bind(imp.id).execute(&mut **tx).await?;
    Ok(())
}
