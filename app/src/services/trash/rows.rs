//! Rows kept as JSON text, the same way on both databases: the database writes the JSON itself
//! (Postgres `row_to_json`, SQLite `json_object` over the table's columns) and reads it back into the
//! same table, so a row comes back with its id and every value without passing through Rust types.
//! References other rows lost (or gained, in a merge) are kept beside them in `trash_links`.

use crate::db::{Backend, Tx};
use crate::error::AppError;
use sqlx::Row;

/// The tables whose rows the trash holds. A name read back from `trash_rows` or `trash_links` is used
/// in SQL only if it is one of these (or a column of one of them).
const TABLES: &[&str] = &[
    "accounts",
    "account_types",
    "contacts",
    "leads",
    "opportunities",
    "opportunity_lines",
    "opportunity_competitors",
    "opportunity_stage_changes",
    "activities",
    "activity_attendees",
    "notes",
    "documents",
    "competitor_profiles",
    "market_shares",
    "competitor_products",
    "competitor_product_counters",
    "field_observations",
    "marketing_list_members",
];

/// `name` if it is a table the trash holds (names come from our own code, checked again on the way back).
pub(super) fn table(name: &str) -> Result<&'static str, AppError> {
    TABLES.iter().copied().find(|t| *t == name).ok_or_else(|| {
        tracing::error!(table = name, "trash: unknown table");
        AppError::Internal
    })
}

/// The columns of `table` in their order.
pub(super) async fn columns(tx: &mut Tx, table: &str) -> Result<Vec<String>, AppError> {
    let table = self::table(table)?;
    let sql = match Backend::of(tx) {
        Backend::Sqlite => "SELECT name FROM pragma_table_info($1) ORDER BY cid",
        Backend::Postgres => {
            "SELECT CAST(column_name AS TEXT) AS name FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position"
        }
    };
    let rows = sqlx::query(sql).bind(table).fetch_all(&mut **tx).await?;
    rows.iter().map(|r| r.try_get::<String, _>("name").map_err(AppError::from)).collect()
}

/// A column name of `table` (checked against the table's columns).
async fn column(tx: &mut Tx, table: &str, col: &str) -> Result<String, AppError> {
    let cols = columns(tx, table).await?;
    cols.into_iter().find(|c| c == col).ok_or_else(|| {
        tracing::error!(table, col, "trash: unknown column");
        AppError::Internal
    })
}

/// Keeps the rows of `table` matching `filter` (SQL over the table's columns, `$1` is `root`) as
/// `role` rows of trash item `trash`, in id order where the table has ids (a follow-up after the
/// activity it continues). Returns how many.
pub(super) async fn keep(tx: &mut Tx, trash: i64, role: &str, table: &str, filter: &str, root: i64) -> Result<u64, AppError> {
    let table = self::table(table)?;
    let cols = columns(tx, table).await?;
    let json = match Backend::of(tx) {
        Backend::Postgres => "CAST(row_to_json(t) AS TEXT)".to_string(),
        Backend::Sqlite => {
            format!("json_object({})", cols.iter().map(|c| format!("'{c}', t.{c}")).collect::<Vec<_>>().join(", "))
        }
    };
    let order = if cols.iter().any(|c| c == "id") { " ORDER BY t.id" } else { "" };
    let sql =
        format!("INSERT INTO trash_rows (trash_id, role, tbl, data) SELECT $2, $3, $4, {json} FROM {table} t WHERE ({filter}){order}");
    let n = sqlx::query(&sql).bind(root).bind(trash).bind(role).bind(table).execute(&mut **tx).await?;
    Ok(n.rows_affected())
}

/// The expression reading column `col` of a kept row `r`.
fn field_of(backend: Backend, col: &str, numeric: bool) -> String {
    match (backend, numeric) {
        (Backend::Sqlite, _) => format!("json_extract(r.data, '$.{col}')"),
        (Backend::Postgres, true) => format!("CAST(CAST(r.data AS json)->>'{col}' AS BIGINT)"),
        (Backend::Postgres, false) => format!("CAST(r.data AS json)->>'{col}'"),
    }
}

/// Two numeric columns of the kept `record` rows of `table` (the list and member of a membership a
/// merge deleted as a double).
pub(super) async fn kept_pairs(tx: &mut Tx, trash: i64, table: &str, a: &str, b: &str) -> Result<Vec<(i64, i64)>, AppError> {
    let table = self::table(table)?;
    let backend = Backend::of(tx);
    let (a, b) = (column(tx, table, a).await?, column(tx, table, b).await?);
    let sql = format!(
        "SELECT CAST({} AS BIGINT), CAST({} AS BIGINT) FROM trash_rows r WHERE r.trash_id = $1 AND r.role = 'record' AND r.tbl = $2 ORDER BY r.id",
        field_of(backend, &a, true),
        field_of(backend, &b, true)
    );
    Ok(sqlx::query_as(&sql).bind(trash).bind(table).fetch_all(&mut **tx).await?)
}

/// How many kept `record` rows of `table` have an id that a row of the table now has.
pub(super) async fn taken(tx: &mut Tx, trash: i64, table: &str) -> Result<i64, AppError> {
    let table = self::table(table)?;
    if !columns(tx, table).await?.iter().any(|c| c == "id") {
        return Ok(0);
    }
    let id = field_of(Backend::of(tx), "id", true);
    let sql = format!(
        "SELECT COUNT(*) AS n FROM trash_rows r JOIN {table} x ON x.id = {id} WHERE r.trash_id = $1 AND r.role = 'record' AND r.tbl = $2"
    );
    Ok(sqlx::query(&sql).bind(trash).bind(table).fetch_one(&mut **tx).await?.try_get("n")?)
}

/// Puts the kept `record` rows of `table` back, with their ids, in the order they were kept. Rows of
/// `activity_attendees` come back only to activities that exist (a contact's attendance of a meeting
/// deleted since is not brought back), rows of `marketing_list_members` only to lists that exist.
pub(super) async fn put_back(tx: &mut Tx, trash: i64, table: &str) -> Result<u64, AppError> {
    let table = self::table(table)?;
    let backend = Backend::of(tx);
    let cols = columns(tx, table).await?;
    let guard = match table {
        "activity_attendees" => format!(" AND EXISTS (SELECT 1 FROM activities a WHERE a.id = {})", field_of(backend, "activity_id", true)),
        "marketing_list_members" => {
            format!(" AND EXISTS (SELECT 1 FROM marketing_lists ml WHERE ml.id = {})", field_of(backend, "list_id", true))
        }
        _ => String::new(),
    };
    let list = cols.join(", ");
    let sql = match backend {
        Backend::Postgres => format!(
            "INSERT INTO {table} ({list}) SELECT {} FROM trash_rows r CROSS JOIN LATERAL json_populate_record(NULL::{table}, CAST(r.data AS json)) p \
             WHERE r.trash_id = $1 AND r.role = 'record' AND r.tbl = $2{guard} ORDER BY r.id",
            cols.iter().map(|c| format!("p.{c}")).collect::<Vec<_>>().join(", ")
        ),
        Backend::Sqlite => format!(
            "INSERT INTO {table} ({list}) SELECT {} FROM trash_rows r WHERE r.trash_id = $1 AND r.role = 'record' AND r.tbl = $2{guard} ORDER BY r.id",
            cols.iter().map(|c| field_of(backend, c, false)).collect::<Vec<_>>().join(", ")
        ),
    };
    let n = sqlx::query(&sql).bind(trash).bind(table).execute(&mut **tx).await.map_err(super::missing_parent)?;
    if backend == Backend::Sqlite && matches!(table, "accounts" | "contacts") {
        // An imported record's full-text row is written by the import, not by the insert trigger.
        sqlx::query(&format!(
            "INSERT INTO {table}_fts (rowid, search_text) SELECT x.id, x.search_text FROM {table} x \
             JOIN trash_rows r ON x.id = json_extract(r.data, '$.id') AND r.trash_id = $1 AND r.role = 'record' AND r.tbl = $2 \
             WHERE x.import_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM imports i WHERE i.id = x.import_id AND i.search_pending = 1)"
        ))
        .bind(trash)
        .bind(table)
        .execute(&mut **tx)
        .await?;
    }
    Ok(n.rows_affected())
}

/// Writes the kept `before` row of `table` (the row whose id is `id`) over the current one: every
/// column but the id and the version.
pub(super) async fn write_before(tx: &mut Tx, trash: i64, table: &str, id: i64) -> Result<(), AppError> {
    let table = self::table(table)?;
    let backend = Backend::of(tx);
    let cols: Vec<String> = columns(tx, table).await?.into_iter().filter(|c| c != "id" && c != "version").collect();
    let values = match backend {
        Backend::Postgres => format!(
            "SELECT {} FROM trash_rows r CROSS JOIN LATERAL json_populate_record(NULL::{table}, CAST(r.data AS json)) p \
             WHERE r.trash_id = $1 AND r.role = 'before' AND r.tbl = $2",
            cols.iter().map(|c| format!("p.{c}")).collect::<Vec<_>>().join(", ")
        ),
        Backend::Sqlite => format!(
            "SELECT {} FROM trash_rows r WHERE r.trash_id = $1 AND r.role = 'before' AND r.tbl = $2",
            cols.iter().map(|c| field_of(backend, c, false)).collect::<Vec<_>>().join(", ")
        ),
    };
    let sql = format!("UPDATE {table} SET ({}) = ({values}) WHERE id = $3", cols.join(", "));
    let n = sqlx::query(&sql).bind(trash).bind(table).bind(id).execute(&mut **tx).await.map_err(super::missing_parent)?;
    crate::db::write::changed_one(n.rows_affected())
}

/// Puts back the kept `before` rows of a table without ids (the survivor's relationship types):
/// deletes the current rows matching `filter` (`$1` is `root`) and inserts the kept ones.
pub(super) async fn replace_with_before(tx: &mut Tx, trash: i64, table: &str, filter: &str, root: i64) -> Result<(), AppError> {
    let table = self::table(table)?;
    let backend = Backend::of(tx);
    let cols = columns(tx, table).await?;
    sqlx::query(&format!("DELETE FROM {table} WHERE ({filter})")).bind(root).execute(&mut **tx).await?;
    let sql = match backend {
        Backend::Postgres => format!(
            "INSERT INTO {table} ({list}) SELECT {} FROM trash_rows r CROSS JOIN LATERAL json_populate_record(NULL::{table}, CAST(r.data AS json)) p \
             WHERE r.trash_id = $1 AND r.role = 'before' AND r.tbl = $2",
            cols.iter().map(|c| format!("p.{c}")).collect::<Vec<_>>().join(", "),
            list = cols.join(", ")
        ),
        Backend::Sqlite => format!(
            "INSERT INTO {table} ({list}) SELECT {} FROM trash_rows r WHERE r.trash_id = $1 AND r.role = 'before' AND r.tbl = $2",
            cols.iter().map(|c| field_of(backend, c, false)).collect::<Vec<_>>().join(", "),
            list = cols.join(", ")
        ),
    };
    sqlx::query(&sql).bind(trash).bind(table).execute(&mut **tx).await?;
    Ok(())
}

/// A reference kept in `trash_links`: `table`.`col` of the row whose `key` column identifies it.
#[derive(Clone, Copy)]
pub(super) struct Link {
    pub table: &'static str,
    pub key: &'static str,
    pub col: &'static str,
}

/// Records the references `link` of the rows matching `filter` (`$1` is `root`) and sets them to `to`
/// (a delete detaches them: `None`; a merge moves them to the survivor). Returns how many.
pub(super) async fn relink(tx: &mut Tx, trash: i64, link: Link, filter: &str, root: i64, to: Option<i64>) -> Result<u64, AppError> {
    let Link { table, key, col } = link;
    let table = self::table(table)?;
    let (key, col) = (column(tx, table, key).await?, column(tx, table, col).await?);
    sqlx::query(&format!(
        "INSERT INTO trash_links (trash_id, tbl, key_col, key_value, col, old_value, new_value) \
         SELECT $2, $3, $4, {key}, $5, {col}, $6 FROM {table} WHERE ({filter}) AND {col} IS NOT NULL"
    ))
    .bind(root)
    .bind(trash)
    .bind(table)
    .bind(&key)
    .bind(&col)
    .bind(to)
    .execute(&mut **tx)
    .await?;
    let n = sqlx::query(&format!("UPDATE {table} SET {col} = $2 WHERE ({filter}) AND {col} IS NOT NULL"))
        .bind(root)
        .bind(to)
        .execute(&mut **tx)
        .await?;
    Ok(n.rows_affected())
}

/// The kinds of references an item keeps: (table, key column, column, value after).
async fn link_groups(tx: &mut Tx, trash: i64) -> Result<Vec<(&'static str, String, String, Option<i64>)>, AppError> {
    let rows = sqlx::query("SELECT DISTINCT tbl, key_col, col, new_value FROM trash_links WHERE trash_id = $1")
        .bind(trash)
        .fetch_all(&mut **tx)
        .await?;
    let mut groups = Vec::new();
    for r in rows {
        let table = self::table(&r.try_get::<String, _>("tbl")?)?;
        let key = column(tx, table, &r.try_get::<String, _>("key_col")?).await?;
        let col = column(tx, table, &r.try_get::<String, _>("col")?).await?;
        groups.push((table, key, col, r.try_get::<Option<i64>, _>("new_value")?));
    }
    Ok(groups)
}

/// How many rows of a merge's moved references (by id) now point somewhere else than the survivor.
pub(super) async fn moved_since(tx: &mut Tx, trash: i64) -> Result<i64, AppError> {
    let mut n = 0;
    for (table, key, col, to) in link_groups(tx, trash).await? {
        if key != "id" || to.is_none() {
            continue;
        }
        let moved: i64 = sqlx::query(&format!(
            "SELECT COUNT(*) AS n FROM trash_links l JOIN {table} x ON x.id = l.key_value \
             WHERE l.trash_id = $1 AND l.tbl = $2 AND l.col = $3 AND (x.{col} IS NULL OR x.{col} <> l.new_value)"
        ))
        .bind(trash)
        .bind(table)
        .bind(&col)
        .fetch_one(&mut **tx)
        .await?
        .try_get("n")?;
        n += moved;
    }
    Ok(n)
}

/// Sets the kept references back to their old values where they still hold the value the delete or
/// merge left (a reference changed since stays as it is).
pub(super) async fn links_back(tx: &mut Tx, trash: i64) -> Result<(), AppError> {
    for (table, key, col, to) in link_groups(tx, trash).await? {
        let now_is = if to.is_some() { format!("{col} = $4") } else { format!("{col} IS NULL AND $4 IS NULL") };
        let sql = if key == col {
            // The reference is the row's key (a competitor profile): one row, found by its value after.
            format!(
                "UPDATE {table} SET {col} = (SELECT MIN(l.old_value) FROM trash_links l WHERE l.trash_id = $1 AND l.tbl = $2 AND l.col = $3) \
                 WHERE {now_is}"
            )
        } else {
            format!(
                "UPDATE {table} SET {col} = (SELECT MIN(l.old_value) FROM trash_links l WHERE l.trash_id = $1 AND l.tbl = $2 AND l.col = $3 \
                 AND l.key_value = {table}.{key}) \
                 WHERE {key} IN (SELECT l.key_value FROM trash_links l WHERE l.trash_id = $1 AND l.tbl = $2 AND l.col = $3) AND {now_is}"
            )
        };
        sqlx::query(&sql).bind(trash).bind(table).bind(&col).bind(to).execute(&mut **tx).await.map_err(super::missing_parent)?;
    }
    Ok(())
}
