//! The statements that write a record, built from a column list its service owns: a service names
//! its columns once and every write of the table — a form, a merge, an import many rows at a time,
//! an undo — goes through these builders with that list, so a new column is added in one place.
//!
//! Each update checks the version the writer read: a record changed since is a conflict, never a
//! silent overwrite.

use super::sql::{Sql, Val};
use super::{Backend, Tx};
use crate::error::AppError;

/// `INSERT INTO table (columns) VALUES (…), (…)`: one row of values per record, in `columns`' order.
pub fn insert_rows(backend: Backend, table: &str, columns: &[&str], rows: impl IntoIterator<Item = Vec<Val>>) -> Sql {
    let mut sql = Sql::for_rows(backend, &format!("INSERT INTO {table} ({}) VALUES ", columns.join(", ")));
    for (i, row) in rows.into_iter().enumerate() {
        debug_assert_eq!(row.len(), columns.len(), "{table}: a row's values follow its columns");
        sql.push(if i == 0 { "(" } else { ", (" });
        for (j, v) in row.into_iter().enumerate() {
            sql.push(if j == 0 { "" } else { ", " }).bind(v);
        }
        sql.push(")");
    }
    sql
}

/// A record's owner and the owner's team.
pub type Owner = (i64, Option<i64>);

/// One record of a batch update: its id, the version it was read at, its values, its owner.
pub type Pending<'a, V> = (i64, i64, &'a V, Owner);

/// The columns every new record has besides its data, in the order of [`Origin::values`].
pub const NEW_COLUMNS: [&str; 7] = ["is_demo", "created_at", "created_by", "updated_at", "updated_by", "version", "import_id"];

/// Where new records come from: when, by whom, demo data or not, and the import that made them.
pub struct Origin<'a> {
    pub at: &'a str,
    pub by: i64,
    pub demo: bool,
    pub import_id: Option<i64>,
}

impl Origin<'_> {
    fn values(&self) -> [Val; 7] {
        let (at, by) = (Val::from(self.at), Val::from(self.by));
        [Val::from(self.demo as i64), at.clone(), by.clone(), at, by, Val::from(1), Val::from(self.import_id)]
    }
}

/// A table's writes as its service declares them, once: the table, the columns a record fills, and
/// how a validated record `V` with its owner becomes their values. Every write of the table — a form's,
/// a merge's, an import's many rows, an undo's — goes through [`Table::insert`], [`Table::write`] or
/// [`Table::write_many`].
pub struct Table<V> {
    pub name: &'static str,
    pub columns: &'static [&'static str],
    pub row: fn(&V, Owner) -> Vec<Val>,
}

impl<V> Table<V> {
    /// An INSERT of new records, one statement for all `rows` (each a validated record and its owner).
    pub fn insert(&self, backend: Backend, rows: &[(&V, Owner)], origin: &Origin) -> Sql {
        let columns: Vec<&str> = self.columns.iter().chain(&NEW_COLUMNS).copied().collect();
        insert_rows(backend, self.name, &columns, rows.iter().map(|(v, owner)| [(self.row)(v, *owner), origin.values().to_vec()].concat()))
    }

    /// Writes `v`, owned by `owner`, over record `id` as it was at `version` (a Conflict if it changed).
    pub async fn write(&self, tx: &mut Tx, id_version: (i64, i64), v: &V, owner: Owner, stamp: Stamp<'_>) -> Result<(), AppError> {
        update_row(tx, self.name, self.columns, (self.row)(v, owner), id_version, stamp).await
    }

    /// Many records' writes in one statement; returns it and the rows it must update.
    pub fn write_many(&self, backend: Backend, rows: &[Pending<'_, V>], stamp: Stamp<'_>) -> (Sql, u64) {
        let rows: Vec<(i64, i64, Vec<Val>)> = rows.iter().map(|(id, version, v, owner)| (*id, *version, (self.row)(v, *owner))).collect();
        update_rows(backend, self.name, self.columns, &rows, stamp)
    }
}

/// Who writes and when: every update sets `updated_at`, `updated_by` and the next version.
#[derive(Clone, Copy, Debug)]
pub struct Stamp<'a> {
    pub at: &'a str,
    pub by: i64,
}

/// The outcome of a write guarded by `AND version = …`: no row changed means the record changed or
/// went after it was read — on Postgres the second of two writers waits for the first, then finds no
/// row at the version it read — which is a Conflict, never a silent success.
pub fn changed_one(rows_affected: u64) -> Result<(), AppError> {
    if rows_affected == 0 {
        Err(AppError::Conflict)
    } else {
        Ok(())
    }
}

/// Writes `values` (in `columns`' order) over record `id` if it is still at `version`; a record
/// changed since, or gone, is a Conflict.
pub async fn update_row(
    tx: &mut Tx,
    table: &str,
    columns: &[&str],
    values: Vec<Val>,
    (id, version): (i64, i64),
    stamp: Stamp<'_>,
) -> Result<(), AppError> {
    debug_assert_eq!(values.len(), columns.len(), "{table}: the values follow the columns");
    let mut sql = Sql::new(&format!("UPDATE {table} SET "));
    for (c, v) in columns.iter().zip(values) {
        sql.push(c).push(" = ").bind(v).push(", ");
    }
    sql.push("updated_at = ").bind(stamp.at).push(", updated_by = ").bind(stamp.by);
    sql.push(", version = version + 1 WHERE id = ").bind(id).push(" AND version = ").bind(version);
    match sql.query().execute(&mut **tx).await?.rows_affected() {
        0 => Err(AppError::Conflict),
        _ => Ok(()),
    }
}

/// Many records' updates in one statement, `UPDATE … FROM (VALUES …)`: each row is the record's id,
/// the version it was read at, then its values in `columns`' order. Returns the statement and how many
/// rows it must update (fewer means a record changed since it was read).
pub fn update_rows(backend: Backend, table: &str, columns: &[&str], rows: &[(i64, i64, Vec<Val>)], stamp: Stamp<'_>) -> (Sql, u64) {
    let set: Vec<String> = columns.iter().enumerate().map(|(i, c)| format!("{c} = v.column{}", i + 3)).collect();
    let mut sql = Sql::for_rows(backend, &format!("UPDATE {table} SET {}, version = {table}.version + 1, updated_at = ", set.join(", ")));
    sql.bind(stamp.at).push(", updated_by = ").bind(stamp.by).push(" FROM (VALUES ");
    for (i, (id, version, values)) in rows.iter().enumerate() {
        debug_assert_eq!(values.len(), columns.len(), "{table}: a row's values follow its columns");
        sql.push(if i == 0 { "(" } else { ", (" }).bind(*id).push(", ").bind(*version);
        for v in values {
            sql.push(", ").bind(v.clone());
        }
        sql.push(")");
    }
    sql.push(&format!(") AS v WHERE {table}.id = v.column1 AND {table}.version = v.column2"));
    (sql, rows.len() as u64)
}
