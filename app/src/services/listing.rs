//! Shared mechanics of list pages: text search, sort choice and keyset pagination. Keyset (seek)
//! pagination keeps page 10,000 as fast as page 1, because each page continues from the last row's
//! sort value and id through an index instead of skipping rows with OFFSET.

use crate::db::sql::{decode_cursor, encode_cursor, Sql};
use crate::domain::text::{like_escape, search_key};

pub const PAGE_SIZE: i64 = 50;

/// A sortable column: the SQL expression (ours, never user input) and whether it is numeric.
#[derive(Clone, Copy)]
pub struct SortColumn {
    pub key: &'static str,
    pub expr: &'static str,
    pub numeric: bool,
}

/// Picks the requested sort among `allowed` (first is the default) and its direction.
pub fn choose(allowed: &[SortColumn], sort: &str, dir: &str) -> (SortColumn, bool) {
    let col = allowed.iter().find(|c| c.key == sort).copied().unwrap_or(allowed[0]);
    let desc = match dir {
        "desc" => true,
        "asc" => false,
        _ => col.key == "updated",
    };
    (col, desc)
}

/// The LIKE pattern for a search box text, or None when it is empty.
pub fn pattern(q: &str) -> Option<String> {
    let key = search_key(q);
    if key.is_empty() {
        None
    } else {
        Some(format!("%{}%", like_escape(&key)))
    }
}

/// Appends the keyset condition continuing after `cursor` (rows sorted by `col` then `id_expr`).
pub fn after_cursor(sql: &mut Sql, col: SortColumn, desc: bool, id_expr: &str, cursor: &str) {
    let Some((value, id)) = decode_cursor(cursor) else { return };
    let op = if desc { "<" } else { ">" };
    let bind_value = |sql: &mut Sql| {
        if col.numeric {
            sql.bind(value.parse::<i64>().unwrap_or(0));
        } else {
            sql.bind(value.clone());
        }
    };
    sql.push(&format!(" AND ({} {op} ", col.expr));
    bind_value(sql);
    sql.push(&format!(" OR ({} = ", col.expr));
    bind_value(sql);
    sql.push(&format!(" AND {id_expr} {op} ")).bind(id).push("))");
}

pub fn order_by(sql: &mut Sql, col: SortColumn, desc: bool, id_expr: &str) {
    let d = if desc { "DESC" } else { "ASC" };
    sql.push(&format!(" ORDER BY {} {d}, {id_expr} {d} LIMIT ", col.expr)).bind(PAGE_SIZE + 1);
}

/// Cuts the extra row fetched to know whether a next page exists and builds its cursor.
pub fn finish<T>(mut rows: Vec<(T, String, i64)>) -> (Vec<T>, Option<String>) {
    let more = rows.len() as i64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    let next = if more { rows.last().map(|(_, v, id)| encode_cursor(v, *id)) } else { None };
    (rows.into_iter().map(|(t, _, _)| t).collect(), next)
}

/// Parses a numeric filter value; anything else means "no filter".
pub fn id_filter(s: &str) -> Option<i64> {
    s.trim().parse().ok()
}
