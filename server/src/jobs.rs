//! Work a server does besides answering requests.

/// Deletes for good what has been in the trash longer than its retention days (the `trash_days`
/// setting): shortly after start, then every hour. Several servers on one database may run it at once;
/// each item goes once.
pub fn spawn_trash_purge(db: app::db::Db) {
    tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_secs(30)).await;
        loop {
            match app::services::trash::purge_expired(&db).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(items = n, "trash: purged what was past its retention"),
                Err(e) => tracing::warn!(error = %e, "trash purge"),
            }
            tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
        }
    });
}

/// The import jobs of this server: every second, claim and run what is pending — new analyses and imports,
/// and those a stopped server left behind once their lease ran out.
pub fn spawn_import_runner(db: app::db::Db) {
    let worker = format!("{}-{}", std::env::var("HOSTNAME").unwrap_or_else(|_| "veza".into()), std::process::id());
    tokio::spawn(async move {
        loop {
            if let Err(e) = app::services::imports::run_pending(&db, &worker).await {
                tracing::warn!(error = %e, "import runner");
            }
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        }
    });
}

/// The background jobs of this server (bulk actions, and the marketing features' work on lists, with the
/// mail server for e-mail campaigns): every half second, claim and run what is queued, and what a
/// stopped server left behind once its lease ran out — from the job's cursor, never repeating a batch.
pub fn spawn_job_runner(db: app::db::Db, mailer: Option<app::services::email::Mailer>) {
    let worker = format!("{}-{}", std::env::var("HOSTNAME").unwrap_or_else(|_| "veza".into()), std::process::id());
    tokio::spawn(async move {
        loop {
            if let Err(e) = app::services::job_runner::run_pending(&db, mailer.as_ref(), &worker).await {
                tracing::warn!(error = %e, "job runner");
            }
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        }
    });
}
