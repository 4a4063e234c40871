//! Shared mechanics of list pages: text search, sort choice and keyset pagination. Keyset (seek)
//! pagination keeps page 10,000 as fast as page 1, because each page continues from the last row's
//! sort value and id through an index instead of skipping rows with OFFSET.

use crate::db::sql::{decode_cursor, encode_cursor, Sql};
use crate::db::{Backend, Db};
use crate::domain::text::{like_escape, search_key};
use crate::domain::Page;
use crate::error::AppError;
use sqlx::Row;

pub const PAGE_SIZE: i64 = 50;

/// The longest search text looked for; the rest is ignored (SQLite refuses LIKE patterns over 50,000
/// bytes, and no name is this long).
pub const MAX_SEARCH_CHARS: usize = 200;

/// A search box text as searched: at most [`MAX_SEARCH_CHARS`] characters.
pub fn search_text(q: &str) -> String {
    q.chars().take(MAX_SEARCH_CHARS).collect()
}

pub use crate::domain::{COUNT_CAP, TEXT_COUNT_CAP};

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

/// A search box text, prepared for one table: folded like its `search_text` column (case, diacritics,
/// Cyrillic) and, for lists, with the shape of query that suits how many rows match.
#[derive(Clone, Debug, Default)]
pub struct TextSearch {
    key: String,
    backend: Option<Backend>,
    /// How many rows match, when a list probed the text index (3+ characters).
    matches: Matches,
}

#[derive(Clone, Copy, Debug, Default, PartialEq)]
enum Matches {
    /// Not probed.
    #[default]
    Unknown,
    /// Fewer than [`MANY_MATCHES`]: the list takes them from the text index and sorts them.
    Few,
    /// So many that walking the list's sort index and checking each row beats fetching every match and
    /// sorting them.
    Many,
}

/// Above this many matches a list walks its sort index instead of sorting all matches: a common
/// surname at a million contacts sorts far slower than it walks (docs/performance.md, W3).
const MANY_MATCHES: i64 = 5_000;

impl TextSearch {
    /// For lists: probes the text index (SQLite's FTS5, Postgres' trigram GIN) to choose the query shape.
    pub async fn for_list(db: &Db, table: &str, q: &str) -> Result<TextSearch, AppError> {
        let mut t = TextSearch::simple(db.backend, q);
        if t.key.chars().count() < 3 {
            return Ok(t);
        }
        let mut probe = match t.fts_phrase() {
            Some(phrase) => {
                let mut p = Sql::new(&format!("SELECT COUNT(*) AS n FROM (SELECT 1 FROM {table}_fts WHERE {table}_fts MATCH "));
                p.bind(phrase);
                p
            }
            None => {
                let mut p = Sql::new(&format!("SELECT COUNT(*) AS n FROM (SELECT 1 FROM {table} WHERE search_text LIKE "));
                p.bind(t.pattern()).push(" ESCAPE '\\'");
                p
            }
        };
        probe.push(" LIMIT ").bind(MANY_MATCHES).push(") AS probe");
        let n: i64 = probe.query().fetch_one(&db.pool).await?.try_get("n")?;
        t.matches = if n >= MANY_MATCHES { Matches::Many } else { Matches::Few };
        Ok(t)
    }

    /// How far a list counts its matches: [`TEXT_COUNT_CAP`] when the probe found many, else [`COUNT_CAP`].
    pub fn count_cap(&self) -> i64 {
        if self.matches == Matches::Many {
            TEXT_COUNT_CAP
        } else {
            COUNT_CAP
        }
    }

    /// Without the probe (a query that takes its few matches in index order anyway).
    pub fn simple(backend: Backend, q: &str) -> TextSearch {
        TextSearch { key: search_key(&search_text(q)), backend: Some(backend), matches: Matches::Unknown }
    }

    /// The quoted FTS5 string when the SQLite trigram index applies (3+ characters): the tokenizer
    /// matches it as a substring; quotes are doubled.
    fn fts_phrase(&self) -> Option<String> {
        (self.backend == Some(Backend::Sqlite) && self.key.chars().count() >= 3).then(|| format!("\"{}\"", self.key.replace('"', "\"\"")))
    }

    fn pattern(&self) -> String {
        format!("%{}%", like_escape(&self.key))
    }

    /// Appends ` AND …` keeping the rows of `table` (aliased `alias`, with a `search_text` column) that
    /// contain the text: through the FTS5 trigram index on SQLite, LIKE through the pg_trgm index on
    /// Postgres (and on SQLite below three characters). Appends nothing when there is no text.
    pub fn filter(&self, sql: &mut Sql, table: &str, alias: &str) {
        if self.key.is_empty() {
            return;
        }
        if let Some(phrase) = self.fts_phrase() {
            // `+id` keeps SQLite from driving the query by the match set, so it walks the sort index.
            let id = if self.matches == Matches::Many { format!("+{alias}.id") } else { format!("{alias}.id") };
            sql.push(&format!(" AND {id} IN (SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH ")).bind(phrase).push(")");
        } else if self.matches == Matches::Few {
            // Postgres, few matches: the ids come from the trigram index first (`ARRAY(…)` is computed
            // once, on its own plan); left to itself the planner walks the sort index checking LIKE row by
            // row — through the whole table when nothing matches.
            sql.push(&format!(" AND {alias}.id = ANY(ARRAY(SELECT id FROM {table} WHERE search_text LIKE "))
                .bind(self.pattern())
                .push(" ESCAPE '\\'))");
        } else {
            sql.push(&format!(" AND {alias}.search_text LIKE ")).bind(self.pattern()).push(" ESCAPE '\\'");
        }
    }
}

/// A list's page with its total, counted up to the text's cap ([`TextSearch::count_cap`]): a first page
/// with no next page holds every match, so its rows are the count and no count query runs (an
/// account's contacts and opportunities on its page, a narrow filter); otherwise the rows of
/// `from_where` are counted.
pub async fn page<T>(
    db: &Db,
    from_where: Sql,
    text: &TextSearch,
    cursor: &str,
    rows: Vec<T>,
    next_cursor: Option<String>,
) -> Result<Page<T>, AppError> {
    let total_cap = text.count_cap();
    let total = if next_cursor.is_none() && decode_cursor(cursor).is_none() {
        rows.len() as i64
    } else {
        capped_count_at(db, from_where, total_cap).await?
    };
    Ok(Page { rows, next_cursor, total, total_cap })
}

/// Counts the rows of `from_where` (a `SELECT 1 FROM … WHERE …` with its filters) up to [`COUNT_CAP`] + 1.
pub async fn capped_count(db: &Db, from_where: Sql) -> Result<i64, AppError> {
    capped_count_at(db, from_where, COUNT_CAP).await
}

/// [`capped_count`] up to `cap` + 1.
pub async fn capped_count_at(db: &Db, from_where: Sql, cap: i64) -> Result<i64, AppError> {
    let mut sql = Sql::new(&format!("SELECT COUNT(*) AS n FROM ({}", from_where.text));
    sql.args = from_where.args;
    sql.push(" LIMIT ").bind(cap + 1).push(") AS matches");
    Ok(sql.query().fetch_one(&db.pool).await?.try_get("n")?)
}

/// Appends the keyset condition continuing after `cursor` (rows sorted by `col` then `id_expr`), as a
/// row-value comparison `(sort, id) > (…, …)`: both databases seek the (sort, id) index with it, where
/// the equivalent `a > x OR (a = x AND id > y)` made SQLite scan (docs/performance.md, W3b).
pub fn after_cursor(sql: &mut Sql, col: SortColumn, desc: bool, id_expr: &str, cursor: &str) {
    let Some((value, id)) = decode_cursor(cursor) else { return };
    let op = if desc { "<" } else { ">" };
    sql.push(&format!(" AND ({}, {id_expr}) {op} (", col.expr));
    if col.numeric {
        sql.bind(value.parse::<i64>().unwrap_or(0));
    } else {
        sql.bind(value);
    }
    sql.push(", ").bind(id).push(")");
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

/// What a filled field is, per record kind: (kind, field, the SQL condition on the list's alias).
/// The lists use the same conditions for "missing", so a percentage opens exactly its records.
pub const FIELDS: &[(&str, &str, &str)] = &[
    ("accounts", "pib", "a.pib IS NOT NULL AND a.pib <> ''"),
    ("accounts", "phone", "a.phone IS NOT NULL AND a.phone <> ''"),
    ("accounts", "email", "a.email IS NOT NULL AND a.email <> ''"),
    ("accounts", "region", "a.region IS NOT NULL AND a.region <> ''"),
    ("accounts", "industry", "a.industry IS NOT NULL AND a.industry <> ''"),
    ("contacts", "email", "c.email IS NOT NULL AND c.email <> ''"),
    ("contacts", "phone", "(c.phone IS NOT NULL AND c.phone <> '') OR (c.mobile IS NOT NULL AND c.mobile <> '')"),
    ("contacts", "job_title", "c.job_title IS NOT NULL AND c.job_title <> ''"),
    ("contacts", "account", "c.account_id IS NOT NULL"),
    ("opportunities", "amount", "o.amount_minor > 0"),
    ("opportunities", "contact", "o.contact_id IS NOT NULL"),
    ("opportunities", "source", "o.source IS NOT NULL AND o.source <> ''"),
    ("opportunities", "lines", "EXISTS (SELECT 1 FROM opportunity_lines ml WHERE ml.opportunity_id = o.id)"),
    ("leads", "email", "l.email IS NOT NULL AND l.email <> ''"),
    ("leads", "phone", "l.phone IS NOT NULL AND l.phone <> ''"),
    ("leads", "source", "l.source_id IS NOT NULL"),
];

/// Narrows a list to the records where `missing` (a field code of `entity`) is not filled.
pub fn missing_filter(sql: &mut Sql, entity: &str, missing: &str) {
    if let Some((_, _, cond)) = FIELDS.iter().find(|f| f.0 == entity && f.1 == missing.trim()) {
        sql.push(&format!(" AND NOT ({cond})"));
    }
}

/// Narrows a list to chosen records (`ListQuery::ids`, "3,8,15": a bulk selection's export): ` AND
/// alias.id IN (…)`; nothing without the narrowing, and no record when none of its ids is valid.
pub fn ids_filter(sql: &mut Sql, alias: &str, ids: &str) {
    match crate::domain::bulk::parse_id_list(ids) {
        None => {}
        Some(ids) if ids.is_empty() => {
            sql.push(" AND 1 = 0");
        }
        Some(ids) => {
            sql.push(&format!(" AND {alias}.id IN (")).bind_list(&ids).push(")");
        }
    }
}
