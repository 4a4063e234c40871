//! The two migration folders build one schema: after migrating a fresh SQLite file and a fresh
//! Postgres database, both have the same tables, the same columns (their types compared after
//! normalization: integers, text, reals) with the same nullability, and the same named indexes.
//! What each dialect does its own way is listed below, with why, and nowhere else.
//!
//! Run: `cargo test -p app --features ssr --test schema`

#![cfg(feature = "ssr")]

#[macro_use]
mod common;
use common::*;

use app::db::Db;
use sqlx::{Connection, Row};
use std::collections::{BTreeMap, BTreeSet};

/// The text search each dialect does its own way: SQLite keeps an FTS5 trigram table `<table>_fts` of a
/// table's `search_text`, Postgres a pg_trgm index `<table>_search` on the column. Both are compared as
/// "this table has a text index" (`Schema::text_search`); SQLite's own bookkeeping tables are skipped.
fn sqlite_text_index(name: &str) -> Option<&str> {
    name.strip_suffix("_fts").or_else(|| name.split_once("_fts_").map(|(t, _)| t))
}

/// A column: its normalized type and whether it may be NULL.
type Columns = BTreeMap<String, (String, bool)>;

#[derive(Debug, Default, PartialEq)]
struct Schema {
    tables: BTreeMap<String, Columns>,
    indexes: BTreeSet<(String, String)>,
    text_search: BTreeSet<String>,
}

fn normalize(declared: &str) -> String {
    let t = declared.to_ascii_lowercase();
    if t.contains("int") || t == "boolean" {
        "integer".into()
    } else if t.contains("char") || t.contains("text") || t.contains("clob") {
        "text".into()
    } else if t.contains("real") || t.contains("double") || t.contains("float") || t.contains("numeric") {
        "real".into()
    } else if t.contains("blob") || t == "bytea" {
        "blob".into()
    } else {
        t
    }
}

async fn sqlite_schema(db: &Db) -> Schema {
    let mut schema = Schema::default();
    let tables = sqlx::query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").fetch_all(&db.pool).await.unwrap();
    for t in tables {
        let table: String = t.try_get("name").unwrap();
        if let Some(indexed) = sqlite_text_index(&table) {
            schema.text_search.insert(indexed.to_string());
            continue;
        }
        if table.starts_with("sqlite_") {
            continue;
        }
        let mut columns = Columns::new();
        let info = sqlx::query(&format!("SELECT name, type, \"notnull\" AS nn, pk FROM pragma_table_info('{table}')"))
            .fetch_all(&db.pool)
            .await
            .unwrap();
        for c in info {
            let name: String = c.try_get("name").unwrap();
            let declared: String = c.try_get("type").unwrap();
            // SQLite lets a primary key column be NULL unless declared otherwise; it never is.
            let nullable = c.try_get::<i64, _>("nn").unwrap() == 0 && c.try_get::<i64, _>("pk").unwrap() == 0;
            columns.insert(name, (normalize(&declared), nullable));
        }
        let indexes = sqlx::query(&format!("SELECT name, origin FROM pragma_index_list('{table}')")).fetch_all(&db.pool).await.unwrap();
        for i in indexes {
            // Only indexes made by CREATE INDEX: UNIQUE and PRIMARY KEY constraints are compared as columns.
            if i.try_get::<String, _>("origin").unwrap() == "c" {
                schema.indexes.insert((table.clone(), i.try_get("name").unwrap()));
            }
        }
        schema.tables.insert(table, columns);
    }
    schema
}

async fn postgres_schema(db: &Db) -> Schema {
    let mut schema = Schema::default();
    let columns = sqlx::query(
        "SELECT CAST(c.table_name AS TEXT) AS table_name, CAST(c.column_name AS TEXT) AS column_name, \
         CAST(c.data_type AS TEXT) AS data_type, CAST(c.is_nullable AS TEXT) AS is_nullable FROM information_schema.columns c \
         JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
         WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    for c in columns {
        let table: String = c.try_get("table_name").unwrap();
        let name: String = c.try_get("column_name").unwrap();
        let declared: String = c.try_get("data_type").unwrap();
        let nullable = c.try_get::<String, _>("is_nullable").unwrap() == "YES";
        schema.tables.entry(table).or_default().insert(name, (normalize(&declared), nullable));
    }
    // Indexes made by CREATE INDEX, not those behind a PRIMARY KEY or UNIQUE constraint.
    let indexes = sqlx::query(
        "SELECT CAST(i.tablename AS TEXT) AS tablename, CAST(i.indexname AS TEXT) AS indexname FROM pg_indexes i WHERE i.schemaname = 'public' \
         AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conname = i.indexname)",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    for i in indexes {
        let name: String = i.try_get("indexname").unwrap();
        let table: String = i.try_get("tablename").unwrap();
        if name == format!("{table}_search") {
            schema.text_search.insert(table);
        } else {
            schema.indexes.insert((table, name));
        }
    }
    schema
}

/// Lines saying where two schemas differ.
fn differences(sqlite: &Schema, postgres: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    let tables: BTreeSet<&String> = sqlite.tables.keys().chain(postgres.tables.keys()).collect();
    for t in tables {
        match (sqlite.tables.get(t), postgres.tables.get(t)) {
            (Some(s), Some(p)) => {
                let columns: BTreeSet<&String> = s.keys().chain(p.keys()).collect();
                for c in columns {
                    match (s.get(c), p.get(c)) {
                        (Some(a), Some(b)) if a == b => {}
                        (a, b) => out.push(format!("{t}.{c}: SQLite {a:?}, Postgres {b:?}")),
                    }
                }
            }
            (s, _) => out.push(format!("table {t} only on {}", if s.is_some() { "SQLite" } else { "Postgres" })),
        }
    }
    for i in sqlite.indexes.symmetric_difference(&postgres.indexes) {
        let side = if sqlite.indexes.contains(i) { "SQLite" } else { "Postgres" };
        out.push(format!("index {}.{} only on {side}", i.0, i.1));
    }
    if sqlite.text_search != postgres.text_search {
        out.push(format!("text search: SQLite on {:?}, Postgres on {:?}", sqlite.text_search, postgres.text_search));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_migration_folders_build_the_same_schema() {
    let path = std::env::temp_dir().join(format!("veza-schema-{}.db", unique()));
    let sqlite = Db::connect(&format!("sqlite://{}", path.display())).await.expect("migrate a fresh SQLite file");
    let sqlite_schema = sqlite_schema(&sqlite).await;
    sqlite.pool.close().await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    assert!(sqlite_schema.tables.len() > 30, "the SQLite schema was read: {:?}", sqlite_schema.tables.keys());

    let admin_url = postgres_admin_url();
    let mut admin = match sqlx::postgres::PgConnection::connect(&admin_url).await {
        Ok(c) => c,
        Err(e) => return postgres_unreachable(&admin_url, &e.to_string()),
    };
    let name = format!("veza_schema_{}", unique());
    sqlx::raw_sql(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.unwrap();
    let base = admin_url.rsplit_once('/').unwrap().0.to_string();
    let postgres = Db::connect(&format!("{base}/{name}")).await.expect("migrate a fresh Postgres database");
    let postgres_schema = postgres_schema(&postgres).await;
    postgres.pool.close().await;
    let _ = sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut admin).await;

    let diff = differences(&sqlite_schema, &postgres_schema);
    assert!(diff.is_empty(), "the migration folders disagree:\n{}", diff.join("\n"));
    assert!(sqlite_schema.text_search.contains("accounts"), "text indexes were found: {:?}", sqlite_schema.text_search);
}

#[test]
fn a_difference_is_named() {
    let mut a = Schema::default();
    a.tables.insert("accounts".into(), Columns::from([("name".into(), ("text".into(), false))]));
    let mut b = Schema::default();
    b.tables.insert("accounts".into(), Columns::from([("name".into(), ("text".into(), true))]));
    b.indexes.insert(("accounts".into(), "accounts_name".into()));
    assert_eq!(
        differences(&a, &b),
        vec![
            "accounts.name: SQLite Some((\"text\", false)), Postgres Some((\"text\", true))".to_string(),
            "index accounts.accounts_name only on Postgres".to_string(),
        ]
    );
    assert!(differences(&a, &a).is_empty());
}
