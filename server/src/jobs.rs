//! Work a server does besides answering requests.

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
