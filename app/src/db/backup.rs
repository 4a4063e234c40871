//! Backups: `veza backup --to FILE` and `veza restore --from FILE`.
//!
//! SQLite: `VACUUM INTO` writes a consistent copy of the database as it stood when the copy began,
//! while the server goes on reading and writing (the log keeps writers out of the reader's way).
//! Restoring checks the copy (integrity, a Veza schema this version knows), keeps the database it
//! replaces beside it, and refuses while a server has the database open: every server holds a shared
//! lock on `<database>.lock` ([`hold_server_lock`]), a restore takes it exclusively.
//!
//! Postgres: its own tools, `pg_dump` (custom format) and `pg_restore`, called when they are on the PATH.

use super::{migrate, Backend, Db};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The file of a `sqlite://…` URL (none for an in-memory database).
pub fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

fn lock_path(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

/// Held by a serving process for as long as it runs: the shared lock that keeps a restore out.
pub fn hold_server_lock(database: &Path) -> Result<File, String> {
    let file = File::options().create(true).truncate(false).write(true).open(lock_path(database)).map_err(|e| e.to_string())?;
    file.try_lock_shared().map_err(|_| "a restore of this database is running".to_string())?;
    Ok(file)
}

/// Writes a copy of `db` to `to` (a new file) and says how big it is.
pub async fn backup(db: &Db, to: &Path) -> Result<String, String> {
    if to.exists() {
        return Err(format!("{} exists already: choose a new file name", to.display()));
    }
    match db.backend {
        Backend::Sqlite => {
            sqlx::query("VACUUM INTO $1")
                .bind(to.to_string_lossy().into_owned())
                .execute(&db.pool)
                .await
                .map_err(|e| format!("the backup failed: {e}"))?;
            let size = std::fs::metadata(to).map(|m| m.len()).unwrap_or(0);
            Ok(format!("{} written ({} KB), schema version {}", to.display(), size / 1024, migrate::LATEST))
        }
        Backend::Postgres => {
            run_tool("pg_dump", &["--format=custom", "--no-owner", "--file", &to.to_string_lossy(), &db.url])?;
            Ok(format!("{} written by pg_dump", to.display()))
        }
    }
}

/// Restores the copy `from` into the database of `url`, which no server may have open.
pub async fn restore(url: &str, from: &Path) -> Result<String, String> {
    if !from.is_file() {
        return Err(format!("{} is not a file", from.display()));
    }
    if url.starts_with("postgres") {
        run_tool(
            "pg_restore",
            &["--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error", "--dbname", url, &from.to_string_lossy()],
        )?;
        return Ok(format!("{} restored by pg_restore", from.display()));
    }
    let target = sqlite_path(url).ok_or_else(|| format!("not a database URL: {url}"))?;
    let lock = File::options().create(true).truncate(false).write(true).open(lock_path(&target)).map_err(|e| e.to_string())?;
    lock.try_lock().map_err(|_| "Veza is running on this database: stop it first".to_string())?;
    let version = check_copy(from).await?;

    // The copy goes in beside the database first, then takes its place; the database it replaces
    // (with its log, which may hold its last commits) is kept under a dated name.
    let incoming = target.with_extension("db.restoring");
    std::fs::copy(from, &incoming).map_err(|e| format!("cannot copy {}: {e}", from.display()))?;
    let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S");
    let mut kept = None;
    if target.exists() {
        let old = PathBuf::from(format!("{}.before-restore-{stamp}", target.display()));
        for suffix in ["", "-wal", "-shm"] {
            let from = PathBuf::from(format!("{}{suffix}", target.display()));
            if from.exists() {
                std::fs::rename(&from, format!("{}{suffix}", old.display())).map_err(|e| format!("cannot move {}: {e}", from.display()))?;
            }
        }
        kept = Some(old);
    }
    std::fs::rename(&incoming, &target).map_err(|e| format!("cannot move the copy into place: {e}"))?;
    drop(lock);
    Ok(match kept {
        Some(old) => format!("restored schema version {version} into {}; the database it replaced is {}", target.display(), old.display()),
        None => format!("restored schema version {version} into {}", target.display()),
    })
}

/// Checks that `from` is a whole SQLite database with a Veza schema this version can open; returns
/// its schema version.
async fn check_copy(from: &Path) -> Result<i64, String> {
    use sqlx::{Connection, Row};
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}?mode=ro", from.display());
    let mut conn = sqlx::AnyConnection::connect(&url).await.map_err(|e| format!("{} is not a SQLite database: {e}", from.display()))?;
    let check: String = sqlx::query("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await
        .and_then(|r| r.try_get(0))
        .map_err(|e| format!("{} is not a SQLite database: {e}", from.display()))?;
    if check != "ok" {
        return Err(format!("{} is damaged: {check}", from.display()));
    }
    let version: i64 = sqlx::query("SELECT CAST(COALESCE(MAX(version), 0) AS BIGINT) AS v FROM schema_migrations")
        .fetch_one(&mut conn)
        .await
        .and_then(|r| r.try_get("v"))
        .map_err(|_| format!("{} is not a Veza database", from.display()))?;
    conn.close().await.ok();
    if version > migrate::LATEST {
        return Err(format!("{} comes from a newer Veza (schema {version}, this one knows {})", from.display(), migrate::LATEST));
    }
    Ok(version)
}

fn run_tool(tool: &str, args: &[&str]) -> Result<(), String> {
    let out = Command::new(tool).args(args).output().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => format!("{tool} is not installed (Debian: apt-get install postgresql-client)"),
        _ => format!("cannot run {tool}: {e}"),
    })?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!("{tool} failed: {}", String::from_utf8_lossy(&out.stderr).trim()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicI64, Ordering};
    use std::sync::Arc;

    /// A backup taken while a writer commits holds every write committed before it began; restoring
    /// it is refused while a server holds the database, and otherwise keeps the replaced file.
    #[test]
    fn the_file_of_a_url() {
        assert_eq!(sqlite_path("sqlite:///var/lib/veza/veza.db?mode=rwc"), Some(PathBuf::from("/var/lib/veza/veza.db")));
        assert_eq!(sqlite_path("sqlite://data/veza.db"), Some(PathBuf::from("data/veza.db")));
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        assert_eq!(sqlite_path("postgres://postgres@localhost/veza"), None);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_backup_under_load_holds_every_earlier_write() {
        let dir = std::env::temp_dir().join(format!("veza-backup-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}/veza.db", dir.display());
        let db = Db::connect(&url).await.unwrap();
        let committed = Arc::new(AtomicI64::new(0));
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let writer = {
            let (db, committed, stop) = (db.clone(), committed.clone(), stop.clone());
            tokio::spawn(async move {
                let mut i = 0;
                while !stop.load(Ordering::SeqCst) {
                    i += 1;
                    sqlx::query("INSERT INTO teams (name, created_at) VALUES ($1, '2026-12-07T00:00:00Z')")
                        .bind(format!("Tim {i}"))
                        .execute(&db.pool)
                        .await
                        .unwrap();
                    committed.store(i, Ordering::SeqCst);
                }
            })
        };
        while committed.load(Ordering::SeqCst) < 200 {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        let before = committed.load(Ordering::SeqCst);
        let copy = dir.join("copy.db");
        backup(&db, &copy).await.unwrap();
        assert!(backup(&db, &copy).await.unwrap_err().contains("exists already"));
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        stop.store(true, Ordering::SeqCst);
        writer.await.unwrap();
        let after = committed.load(Ordering::SeqCst);
        assert!(after > before, "the writer went on during the backup");

        // A server holds the database: the restore waits for it to stop.
        let server = hold_server_lock(&dir.join("veza.db")).unwrap();
        assert!(restore(&url, &copy).await.unwrap_err().contains("stop it first"));
        drop(server);
        db.pool.close().await;
        // A file that is no database is refused, and nothing is replaced.
        std::fs::write(dir.join("junk.db"), b"not a database at all").unwrap();
        assert!(restore(&url, &dir.join("junk.db")).await.is_err());
        let said = restore(&url, &copy).await.unwrap();
        assert!(said.contains("before-restore"), "{said}");

        let restored = Db::connect(&url).await.unwrap();
        let names: Vec<(String,)> = sqlx::query_as("SELECT name FROM teams WHERE name LIKE 'Tim %'").fetch_all(&restored.pool).await.unwrap();
        let numbers: std::collections::HashSet<i64> = names.iter().filter_map(|n| n.0[4..].parse().ok()).collect();
        assert!((1..=before).all(|i| numbers.contains(&i)), "every write committed before the backup is in it");
        assert!(numbers.len() < after as usize, "writes after the backup began are not all in it");
        restored.pool.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// On Postgres the copy is pg_dump's and pg_restore puts it into a fresh database whole.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres_backups_are_pg_dump_and_pg_restore() {
        use sqlx::{Connection, Executor};
        let admin = std::env::var("VEZA_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        let mut conn = match sqlx::PgConnection::connect(&admin).await {
            Ok(c) => c,
            Err(e) if std::env::var("VEZA_REQUIRE_POSTGRES").as_deref() == Ok("1") => panic!("Postgres is required: {e}"),
            Err(_) => return,
        };
        let names = [format!("veza_backup_{}", std::process::id()), format!("veza_restored_{}", std::process::id())];
        for n in &names {
            conn.execute(format!("DROP DATABASE IF EXISTS {n} WITH (FORCE)").as_str()).await.unwrap();
            conn.execute(format!("CREATE DATABASE {n}").as_str()).await.unwrap();
        }
        let base = admin.rsplit_once('/').unwrap().0.to_string();
        let db = Db::connect(&format!("{base}/{}", names[0])).await.unwrap();
        for i in 1..=50 {
            sqlx::query("INSERT INTO teams (name, created_at) VALUES ($1, '2026-12-07T00:00:00Z')").bind(format!("Tim {i}")).execute(&db.pool).await.unwrap();
        }
        let file = std::env::temp_dir().join(format!("veza-pg-{}.dump", std::process::id()));
        let _ = std::fs::remove_file(&file);
        backup(&db, &file).await.unwrap();
        db.pool.close().await;
        let target = format!("{base}/{}", names[1]);
        restore(&target, &file).await.unwrap();
        let restored = Db::open(&target).await.unwrap();
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM teams WHERE name LIKE 'Tim %'").fetch_one(&restored.pool).await.unwrap();
        assert_eq!(n, 50);
        assert_eq!(migrate::schema_version(&restored).await.unwrap(), migrate::LATEST);
        restored.pool.close().await;
        for n in &names {
            conn.execute(format!("DROP DATABASE IF EXISTS {n} WITH (FORCE)").as_str()).await.unwrap();
        }
        let _ = std::fs::remove_file(&file);
    }
}
