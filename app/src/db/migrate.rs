//! Schema migrations, embedded in the binary and applied at start-up. Each backend has its own SQL
//! (same schema, its own dialect). On Postgres an advisory lock lets several Veza servers start at once.

use super::{Backend, Db};
use sqlx::Row;

struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
    /// SQLite rebuilds a table (its 12-step procedure): foreign keys are off while it runs, and checked
    /// before it commits.
    sqlite_rebuilds: bool,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "foundation",
        sqlite: include_str!("../../../migrations/sqlite/0001_foundation.sql"),
        postgres: include_str!("../../../migrations/postgres/0001_foundation.sql"),
        sqlite_rebuilds: false,
    },
    Migration {
        version: 2,
        name: "search",
        sqlite: include_str!("../../../migrations/sqlite/0002_search.sql"),
        postgres: include_str!("../../../migrations/postgres/0002_search.sql"),
        sqlite_rebuilds: false,
    },
    Migration {
        version: 3,
        name: "covering indexes",
        sqlite: include_str!("../../../migrations/sqlite/0003_covering_indexes.sql"),
        postgres: include_str!("../../../migrations/postgres/0003_covering_indexes.sql"),
        sqlite_rebuilds: false,
    },
    Migration {
        version: 4,
        name: "sales workspace",
        sqlite: include_str!("../../../migrations/sqlite/0004_sales_workspace.sql"),
        postgres: include_str!("../../../migrations/postgres/0004_sales_workspace.sql"),
        sqlite_rebuilds: false,
    },
    Migration {
        version: 5,
        name: "documents",
        sqlite: include_str!("../../../migrations/sqlite/0005_documents.sql"),
        postgres: include_str!("../../../migrations/postgres/0005_documents.sql"),
        sqlite_rebuilds: false,
    },
    Migration {
        version: 6,
        name: "products_competitors",
        sqlite: include_str!("../../../migrations/sqlite/0006_products_competitors.sql"),
        postgres: include_str!("../../../migrations/postgres/0006_products_competitors.sql"),
        sqlite_rebuilds: false,
    },
    Migration {
        version: 7,
        name: "imports",
        sqlite: include_str!("../../../migrations/sqlite/0007_imports.sql"),
        postgres: include_str!("../../../migrations/postgres/0007_imports.sql"),
        sqlite_rebuilds: false,
    },
    Migration {
        version: 8,
        name: "reports",
        sqlite: include_str!("../../../migrations/sqlite/0008_reports.sql"),
        postgres: include_str!("../../../migrations/postgres/0008_reports.sql"),
        sqlite_rebuilds: false,
    },
    Migration {
        version: 9,
        name: "import of leads, products, opportunities and activities",
        sqlite: include_str!("../../../migrations/sqlite/0009_import_more_records.sql"),
        postgres: include_str!("../../../migrations/postgres/0009_import_more_records.sql"),
        sqlite_rebuilds: true,
    },
    Migration {
        version: 10,
        name: "import speed: full-text rows per batch, phone indexes without empty phones",
        sqlite: include_str!("../../../migrations/sqlite/0010_import_speed.sql"),
        postgres: include_str!("../../../migrations/postgres/0010_import_speed.sql"),
        sqlite_rebuilds: false,
    },
    Migration {
        version: 11,
        name: "import search rows at the end",
        sqlite: include_str!("../../../migrations/sqlite/0011_import_search_at_end.sql"),
        postgres: include_str!("../../../migrations/postgres/0011_import_search_at_end.sql"),
        sqlite_rebuilds: false,
    },
    Migration {
        version: 12,
        name: "choice list versions",
        sqlite: include_str!("../../../migrations/sqlite/0012_choice_versions.sql"),
        postgres: include_str!("../../../migrations/postgres/0012_choice_versions.sql"),
        sqlite_rebuilds: false,
    },
    Migration {
        version: 13,
        name: "account security",
        sqlite: include_str!("../../../migrations/sqlite/0013_account_security.sql"),
        postgres: include_str!("../../../migrations/postgres/0013_account_security.sql"),
        sqlite_rebuilds: false,
    },
    Migration {
        version: 14,
        name: "usage log",
        sqlite: include_str!("../../../migrations/sqlite/0014_usage_log.sql"),
        postgres: include_str!("../../../migrations/postgres/0014_usage_log.sql"),
        sqlite_rebuilds: false,
    },
    Migration {
        version: 15,
        name: "two-factor sign-in",
        sqlite: include_str!("../../../migrations/sqlite/0015_two_factor.sql"),
        postgres: include_str!("../../../migrations/postgres/0015_two_factor.sql"),
        sqlite_rebuilds: true,
    },
    Migration {
        version: 16,
        name: "trash",
        sqlite: include_str!("../../../migrations/sqlite/0016_trash.sql"),
        postgres: include_str!("../../../migrations/postgres/0016_trash.sql"),
        sqlite_rebuilds: false,
    },
    Migration {
        version: 17,
        name: "personal data requests",
        sqlite: include_str!("../../../migrations/sqlite/0017_personal_data_requests.sql"),
        postgres: include_str!("../../../migrations/postgres/0017_personal_data_requests.sql"),
        sqlite_rebuilds: false,
    },
    Migration {
        version: 18,
        name: "import suggestions",
        sqlite: include_str!("../../../migrations/sqlite/0018_import_suggestions.sql"),
        postgres: include_str!("../../../migrations/postgres/0018_import_suggestions.sql"),
        sqlite_rebuilds: false,
    },
    Migration {
        version: 19,
        name: "jobs",
        sqlite: include_str!("../../../migrations/sqlite/0019_jobs.sql"),
        postgres: include_str!("../../../migrations/postgres/0019_jobs.sql"),
        sqlite_rebuilds: false,
    },
    Migration {
        version: 20,
        name: "marketing lists and contact preferences",
        sqlite: include_str!("../../../migrations/sqlite/0020_marketing_lists.sql"),
        postgres: include_str!("../../../migrations/postgres/0020_marketing_lists.sql"),
        sqlite_rebuilds: false,
    },
    Migration {
        version: 21,
        name: "saved views",
        sqlite: include_str!("../../../migrations/sqlite/0021_saved_views.sql"),
        postgres: include_str!("../../../migrations/postgres/0021_saved_views.sql"),
        sqlite_rebuilds: false,
    },
    Migration {
        version: 22,
        name: "quick campaigns",
        sqlite: include_str!("../../../migrations/sqlite/0022_quick_campaigns.sql"),
        postgres: include_str!("../../../migrations/postgres/0022_quick_campaigns.sql"),
        sqlite_rebuilds: false,
    },
    Migration {
        version: 23,
        name: "campaign e-mail",
        sqlite: include_str!("../../../migrations/sqlite/0023_campaign_email.sql"),
        postgres: include_str!("../../../migrations/postgres/0023_campaign_email.sql"),
        sqlite_rebuilds: true,
    },
    Migration {
        version: 24,
        name: "find statistics",
        sqlite: include_str!("../../../migrations/sqlite/0024_find_statistics.sql"),
        postgres: include_str!("../../../migrations/postgres/0024_find_statistics.sql"),
        sqlite_rebuilds: false,
    },
];

pub const LATEST: i64 = MIGRATIONS[MIGRATIONS.len() - 1].version;

pub async fn run(db: &Db) -> Result<(), sqlx::Error> {
    run_until(db, LATEST).await
}

/// Applies the migrations up to `last` only (the tests of an upgrade start from an older schema).
pub async fn run_until(db: &Db, last: i64) -> Result<(), sqlx::Error> {
    let mut conn = db.pool.acquire().await?;
    if db.backend == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_lock(7358201)").execute(&mut *conn).await?;
    }
    let result = apply(db, &mut conn, last).await;
    if db.backend == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_unlock(7358201)").execute(&mut *conn).await?;
    }
    result
}

async fn apply(db: &Db, conn: &mut sqlx::pool::PoolConnection<sqlx::Any>, last: i64) -> Result<(), sqlx::Error> {
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
    )
    .execute(&mut **conn)
    .await?;
    let current: i64 = sqlx::query("SELECT CAST(COALESCE(MAX(version), 0) AS BIGINT) AS v FROM schema_migrations")
        .fetch_one(&mut **conn)
        .await?
        .try_get("v")?;
    for m in MIGRATIONS.iter().filter(|m| m.version > current && m.version <= last) {
        let sql = match db.backend {
            Backend::Sqlite => m.sqlite,
            Backend::Postgres => m.postgres,
        };
        let rebuild = db.backend == Backend::Sqlite && m.sqlite_rebuilds;
        if rebuild {
            // Outside a transaction: inside one the pragma does nothing.
            sqlx::raw_sql("PRAGMA foreign_keys = OFF").execute(&mut **conn).await?;
        }
        let begin = if db.backend == Backend::Sqlite { "BEGIN IMMEDIATE" } else { "BEGIN" };
        sqlx::raw_sql(begin).execute(&mut **conn).await?;
        let step = async {
            sqlx::raw_sql(sql).execute(&mut **conn).await?;
            if rebuild {
                let broken = sqlx::raw_sql("PRAGMA foreign_key_check").fetch_all(&mut **conn).await?;
                if !broken.is_empty() {
                    return Err(sqlx::Error::Protocol(format!("migration {} would break {} foreign keys", m.version, broken.len())));
                }
            }
            sqlx::query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
                .bind(m.version)
                .bind(m.name)
                .bind(super::now())
                .execute(&mut **conn)
                .await?;
            Ok::<_, sqlx::Error>(())
        }
        .await;
        match step {
            Ok(()) => {
                sqlx::raw_sql("COMMIT").execute(&mut **conn).await?;
                tracing::info!(version = m.version, name = m.name, "migration applied");
            }
            Err(e) => {
                let _ = sqlx::raw_sql("ROLLBACK").execute(&mut **conn).await;
                if rebuild {
                    let _ = sqlx::raw_sql("PRAGMA foreign_keys = ON").execute(&mut **conn).await;
                }
                return Err(e);
            }
        }
        if rebuild {
            sqlx::raw_sql("PRAGMA foreign_keys = ON").execute(&mut **conn).await?;
        }
    }
    Ok(())
}

pub async fn schema_version(db: &Db) -> Result<i64, sqlx::Error> {
    sqlx::query("SELECT CAST(COALESCE(MAX(version), 0) AS BIGINT) AS v FROM schema_migrations").fetch_one(&db.pool).await?.try_get("v")
}
