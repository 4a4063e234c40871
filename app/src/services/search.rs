//! Global search: the records whose name, e-mail, phone or ids contain the typed text, across accounts,
//! contacts and opportunities, in one indexed query (FTS5 trigram on SQLite, pg_trgm on Postgres),
//! restricted by the same visibility rule as every list.
//!
//! Ranking: of each kind the most recently created matches are taken (the index yields them without
//! sorting every match — a common surname matches tens of thousands of contacts), then names that start
//! with the text come first, the rest by name.

use super::{listing, visibility, Actor};
use crate::db::sql::Sql;
use crate::db::Db;
use crate::domain::{SearchHit, SearchKind};
use crate::error::AppError;

/// How many matches the search page shows (the best `LIMIT` of each kind, merged by name).
pub const LIMIT: i64 = 20;

/// One kind's part of the query: its newest `LIMIT` matches.
fn part(sql: &mut Sql, db: &Db, actor: &Actor, kind: SearchKind, q: &str) {
    let (select, table, alias) = match kind {
        SearchKind::Account => (
            "SELECT 'account' AS kind, a.id, a.name AS title, a.city AS detail, a.search_key AS sort_key FROM accounts a WHERE 1=1",
            "accounts",
            "a",
        ),
        SearchKind::Contact => (
            "SELECT 'contact' AS kind, c.id, c.first_name || ' ' || c.last_name AS title, \
             (SELECT x.name FROM accounts x WHERE x.id = c.account_id) AS detail, c.search_key AS sort_key FROM contacts c WHERE 1=1",
            "contacts",
            "c",
        ),
        SearchKind::Lead => (
            "SELECT 'lead' AS kind, l.id, \
             CASE WHEN l.last_name IS NULL THEN l.company ELSE TRIM(COALESCE(l.first_name, '') || ' ' || l.last_name) END AS title, \
             CASE WHEN l.last_name IS NULL THEN NULL ELSE l.company END AS detail, \
             l.search_key AS sort_key FROM leads l WHERE 1=1",
            "leads",
            "l",
        ),
        SearchKind::Opportunity => (
            "SELECT 'opportunity' AS kind, o.id, o.name AS title, (SELECT x.name FROM accounts x WHERE x.id = o.account_id) AS detail, \
             o.search_key AS sort_key FROM opportunities o WHERE 1=1",
            "opportunities",
            "o",
        ),
    };
    sql.push("SELECT * FROM (").push(select);
    listing::TextSearch::simple(db.backend, q).filter(sql, table, alias);
    visibility::restrict(sql, actor, alias);
    sql.push(&format!(" ORDER BY {alias}.id DESC LIMIT ")).bind(LIMIT).push(&format!(") AS {table}_hits"));
}

/// The best [`LIMIT`] records matching `q` that `actor` may see (see the module's ranking).
pub async fn global(db: &Db, actor: &Actor, q: &str) -> Result<Vec<SearchHit>, AppError> {
    let key = crate::domain::text::search_key(&super::listing::search_text(q));
    if key.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new("SELECT kind, id, title, detail, sort_key FROM (");
    for (i, kind) in [SearchKind::Account, SearchKind::Contact, SearchKind::Opportunity, SearchKind::Lead].into_iter().enumerate() {
        if i > 0 {
            sql.push(" UNION ALL ");
        }
        part(&mut sql, db, actor, kind, q);
    }
    sql.push(") AS hits ORDER BY CASE WHEN sort_key LIKE ")
        .bind(format!("{}%", crate::domain::text::like_escape(&key)))
        .push(" ESCAPE '\\' THEN 0 ELSE 1 END, sort_key, kind, id LIMIT ")
        .bind(LIMIT);
    let rows = sql.query_as::<(String, i64, String, Option<String>, String)>().fetch_all(&db.pool).await?;
    Ok(rows
        .into_iter()
        .filter_map(|(kind, id, title, detail, _)| Some(SearchHit { kind: SearchKind::parse(&kind)?, id, title, detail }))
        .collect())
}

/// Version of the `search_text` recipe; raising it recomputes every record's text at the next start.
const SEARCH_TEXT_VERSION: &str = "1";

/// Brings `search_text` up to the current recipe once (at start-up): the migration that added the
/// column could only fill it with SQL, which does not fold diacritics or Cyrillic the way
/// [`crate::domain::text::search_text`] does. Returns how many records were rewritten.
pub async fn reindex_if_needed(db: &Db) -> Result<u64, AppError> {
    use sqlx::Row;
    let done: Option<String> = sqlx::query("SELECT value FROM settings WHERE key = 'search_text_version'")
        .fetch_optional(&db.pool)
        .await?
        .map(|r| r.try_get("value").unwrap_or_default());
    if done.as_deref() == Some(SEARCH_TEXT_VERSION) {
        return Ok(0);
    }
    let mut rewritten = 0u64;
    type Rec = (i64, String, Option<String>, Option<String>, Option<String>, Option<String>, Option<String>);
    let accounts =
        |r: &Rec| super::accounts::search_text_of(&r.1, r.2.as_deref(), r.3.as_deref(), r.4.as_deref(), r.5.as_deref(), r.6.as_deref());
    let contacts =
        |r: &Rec| super::contacts::search_text_of(&r.1, r.2.as_deref().unwrap_or(""), r.3.as_deref(), r.4.as_deref(), r.5.as_deref());
    type Recipe<'a> = &'a (dyn Fn(&Rec) -> String + Sync);
    let tables: [(&str, &str, Recipe); 2] = [
        ("accounts", "SELECT id, name, email, phone, pib, mb, city FROM accounts WHERE id > $1 ORDER BY id LIMIT 500", &accounts),
        (
            "contacts",
            "SELECT id, first_name, last_name, email, phone, mobile, NULL FROM contacts WHERE id > $1 ORDER BY id LIMIT 500",
            &contacts,
        ),
    ];
    for (table, select, recipe) in tables {
        let mut last = 0i64;
        loop {
            let rows: Vec<Rec> = sqlx::query_as(select).bind(last).fetch_all(&db.pool).await?;
            let Some(end) = rows.last().map(|r| r.0) else { break };
            let mut tx = db.begin().await?;
            for r in &rows {
                let sql = format!("UPDATE {table} SET search_text = $1 WHERE id = $2 AND search_text <> $1");
                rewritten += sqlx::query(&sql).bind(recipe(r)).bind(r.0).execute(&mut *tx).await?.rows_affected();
            }
            tx.commit().await?;
            last = end;
        }
    }
    mark_indexed(db).await?;
    Ok(rewritten)
}

/// Records that every `search_text` follows the current recipe (the benchmark's generator computes it).
pub async fn mark_indexed(db: &Db) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM settings WHERE key = 'search_text_version'").execute(&mut *tx).await?;
    sqlx::query("INSERT INTO settings (key, value) VALUES ('search_text_version', $1)").bind(SEARCH_TEXT_VERSION).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}
