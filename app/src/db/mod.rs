//! The database: one pool over SQLite or Postgres (through sqlx's `Any` driver, with portable SQL and
//! `$n` placeholders that both understand), schema migrations, and write transactions.

pub mod backup;
pub mod choice_cache;
pub mod migrate;
pub mod sql;
pub mod write;

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Executor, Transaction};
use std::time::Duration;

pub type Tx = Transaction<'static, sqlx::Any>;
pub use sqlx::Row;
pub type DbRow = AnyRow;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }

    /// The database a connection (or a transaction, through its `Deref`) talks to.
    pub fn of(conn: &sqlx::AnyConnection) -> Backend {
        if conn.backend_name().eq_ignore_ascii_case("sqlite") {
            Backend::Sqlite
        } else {
            Backend::Postgres
        }
    }
}

/// How long an idle Postgres connection is trusted without a ping before it is used again.
pub const ALIVE_WITHOUT_PING: Duration = Duration::from_secs(1);

#[derive(Clone, Debug)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
    /// The URL it was opened with (a worker process of the same database opens it again).
    pub url: String,
    /// This server's copy of the choice lists, checked against the database before use
    /// (`services::choices`).
    pub choices: choice_cache::Cache,
}

/// Set on every SQLite connection: foreign keys on; a writer waits up to 10 s for the lock instead of
/// failing; WAL commits without an fsync each (durable at checkpoints — a power cut may lose the last
/// commits, never corrupt the file); and a page cache of up to 64 MiB per connection (SQLite's default is
/// 2 MiB) so a big write transaction — an import's batch touching every index of a large table — keeps
/// its pages in memory instead of spilling them to the log before it commits. Memory is taken only as
/// pages are read. The log is copied back into the database once it holds 10,000 pages (about 40 MiB)
/// rather than SQLite's 1,000: a big transaction writes more than 1,000 pages, so with the default every
/// import batch paid a checkpoint and its fsyncs, copying again the index pages the batch before had
/// changed.
///
/// Temporary storage stays SQLite's default (files). With `temp_store = MEMORY` SQLite's sorter gives up
/// its one contiguous buffer and allocates every row of a sort (a GROUP BY over a million opportunities)
/// on its own, then sorts that linked list in place: the forecast's statement slowed run after run as
/// the allocations scattered, and is steady without the setting (docs/performance.md, W4b).
pub const SQLITE_CONNECTION_PRAGMAS: &str = "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL; \
     PRAGMA cache_size = -65536; PRAGMA wal_autocheckpoint = 10000;";

/// Connections one server keeps to its database: `VEZA_DB_CONNECTIONS`, else 8 (on both databases:
/// SQLite's reads run side by side beside one writer; on Postgres more connections than the database
/// has cores to run them only take turns — twice as many made pages slower after a load, with the
/// same throughput: docs/performance.md, W8). Several servers on one
/// Postgres share its `max_connections` (100 by default).
fn pool_size() -> u32 {
    std::env::var("VEZA_DB_CONNECTIONS").ok().and_then(|v| v.trim().parse().ok()).filter(|n| *n > 0).unwrap_or(8)
}

impl Db {
    /// Connects to `url` (`sqlite://…` or `postgres://…`) and brings the schema up to date.
    pub async fn connect(url: &str) -> Result<Db, String> {
        let db = Db::open(url).await?;
        migrate::run(&db).await.map_err(|e| format!("migration failed: {e}"))?;
        Ok(db)
    }

    /// Connects to `url` and leaves the schema as it is (`connect` migrates; a test of an upgrade
    /// migrates step by step).
    pub async fn open(url: &str) -> Result<Db, String> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(format!("DATABASE_URL must start with sqlite:// or postgres:// (got {url:?})"));
        };
        let url = if backend == Backend::Sqlite && !url.contains("mode=") {
            let sep = if url.contains('?') { '&' } else { '?' };
            format!("{url}{sep}mode=rwc")
        } else {
            url.to_string()
        };
        let mut options = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(10));
        if backend == Backend::Sqlite {
            // An embedded database's connection cannot go stale while idle, so it is not pinged before
            // every use (sqlx's default: a hand-over to the connection's worker thread and back per query).
            options = options.max_connections(pool_size()).test_before_acquire(false).after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute(SQLITE_CONNECTION_PRAGMAS).await?;
                    Ok(())
                })
            });
        } else {
            // sqlx pings a connection before every use by default: one more round trip to the database
            // per query. A connection used within the last second is taken as alive (HikariCP's rule);
            // one idle longer is pinged, so one broken by a restart or a failover is replaced before a
            // request uses it.
            options = options.max_connections(pool_size()).test_before_acquire(false).before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for > ALIVE_WITHOUT_PING {
                        sqlx::Connection::ping(conn).await?;
                    }
                    Ok(true)
                })
            });
        }
        let pool = options.connect(&url).await.map_err(|e| format!("cannot open database: {e}"))?;
        if backend == Backend::Sqlite {
            sqlx::query("PRAGMA journal_mode = WAL").execute(&pool).await.map_err(|e| e.to_string())?;
        }
        Ok(Db { pool, backend, url, choices: Default::default() })
    }

    /// Starts a write transaction. On SQLite it is `BEGIN IMMEDIATE`, so the write lock is taken up front
    /// and concurrent writers wait (busy timeout) instead of failing on a read-to-write upgrade.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool.begin().await,
        }
    }
}

/// The current UTC time as stored in every `*_at` column.
pub fn now() -> String {
    crate::clock::stamp(chrono::Utc::now())
}

/// Today's date in the company's time zone (`crate::clock`), as stored in date columns.
pub fn today() -> String {
    crate::clock::today().format("%Y-%m-%d").to_string()
}
