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
    let key = crate::domain::text::search_key(q);
    if key.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new("SELECT kind, id, title, detail, sort_key FROM (");
    for (i, kind) in [SearchKind::Account, SearchKind::Contact, SearchKind::Opportunity].into_iter().enumerate() {
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
