//! The baseline: hand-written SQL on the database's own sqlx driver (not Veza's `Any` pool, its query
//! builder, services or types) — the cheapest way to get the same rows.

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};
use std::str::FromStr;

#[derive(Clone, Debug)]
pub enum A {
    I(i64),
    T(String),
}

impl From<i64> for A {
    fn from(v: i64) -> A {
        A::I(v)
    }
}
impl From<&str> for A {
    fn from(v: &str) -> A {
        A::T(v.into())
    }
}
impl From<String> for A {
    fn from(v: String) -> A {
        A::T(v)
    }
}

#[derive(Clone)]
pub enum Raw {
    Sqlite(SqlitePool),
    Pg(PgPool),
}

macro_rules! bind_all {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for a in $args {
            q = match a {
                A::I(i) => q.bind(*i),
                A::T(t) => q.bind(t.clone()),
            };
        }
        q
    }};
}

impl Raw {
    pub async fn connect(url: &str) -> Result<Raw, String> {
        if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)
                .map_err(|e| e.to_string())?
                .foreign_keys(true)
                .busy_timeout(std::time::Duration::from_secs(10))
                .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sqlx::sqlite::SqliteSynchronous::Normal);
            // The same connection settings as Veza's own pool, so both sides run on equal terms.
            let pool = SqlitePoolOptions::new()
                .max_connections(4)
                .test_before_acquire(false)
                .after_connect(|conn, _| {
                    Box::pin(async move {
                        sqlx::Executor::execute(conn, app::db::SQLITE_CONNECTION_PRAGMAS).await?;
                        Ok(())
                    })
                })
                .connect_with(opts)
                .await
                .map_err(|e| e.to_string())?;
            Ok(Raw::Sqlite(pool))
        } else {
            // The same acquire check as Veza's pool.
            let pool = PgPoolOptions::new()
                .max_connections(4)
                .test_before_acquire(false)
                .before_acquire(|conn, meta| {
                    Box::pin(async move {
                        if meta.idle_for > app::db::ALIVE_WITHOUT_PING {
                            sqlx::Connection::ping(conn).await?;
                        }
                        Ok(true)
                    })
                })
                .connect(url)
                .await
                .map_err(|e| e.to_string())?;
            Ok(Raw::Pg(pool))
        }
    }

    /// Runs a query and returns how many rows it produced.
    pub async fn rows(&self, sql: &str, args: &[A]) -> Result<usize, String> {
        match self {
            Raw::Sqlite(p) => Ok(bind_all!(sqlx::query(sql), args).fetch_all(p).await.map_err(|e| format!("{e}: {sql}"))?.len()),
            Raw::Pg(p) => Ok(bind_all!(sqlx::query(sql), args).fetch_all(p).await.map_err(|e| format!("{e}: {sql}"))?.len()),
        }
    }

    /// The first column (an integer) of every row.
    pub async fn ids(&self, sql: &str, args: &[A]) -> Result<Vec<i64>, String> {
        use sqlx::Row;
        match self {
            Raw::Sqlite(p) => Ok(bind_all!(sqlx::query(sql), args)
                .fetch_all(p)
                .await
                .map_err(|e| format!("{e}: {sql}"))?
                .iter()
                .map(|r| r.get::<i64, _>(0))
                .collect()),
            Raw::Pg(p) => Ok(bind_all!(sqlx::query(sql), args)
                .fetch_all(p)
                .await
                .map_err(|e| format!("{e}: {sql}"))?
                .iter()
                .map(|r| r.get::<i64, _>(0))
                .collect()),
        }
    }

    /// Runs statements in one write transaction (`BEGIN IMMEDIATE` on SQLite); the second statement's
    /// affected-row count must be 1 when `check_second` is set (a versioned update).
    pub async fn transaction(&self, stmts: &[(&str, Vec<A>)], check_second: bool) -> Result<(), String> {
        match self {
            Raw::Sqlite(p) => {
                let mut tx = p.begin_with("BEGIN IMMEDIATE").await.map_err(|e| e.to_string())?;
                for (i, (sql, args)) in stmts.iter().enumerate() {
                    let n = bind_all!(sqlx::query(sql), args).execute(&mut *tx).await.map_err(|e| format!("{e}: {sql}"))?.rows_affected();
                    if check_second && i == 1 && n != 1 {
                        return Err("baseline: stale version".into());
                    }
                }
                tx.commit().await.map_err(|e| e.to_string())
            }
            Raw::Pg(p) => {
                let mut tx = p.begin().await.map_err(|e| e.to_string())?;
                for (i, (sql, args)) in stmts.iter().enumerate() {
                    let n = bind_all!(sqlx::query(sql), args).execute(&mut *tx).await.map_err(|e| format!("{e}: {sql}"))?.rows_affected();
                    if check_second && i == 1 && n != 1 {
                        return Err("baseline: stale version".into());
                    }
                }
                tx.commit().await.map_err(|e| e.to_string())
            }
        }
    }
}
