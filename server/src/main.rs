//! The `veza` binary: serves the web app, and administers an installation from the command line
//! (`veza user add`, `veza demo`, `veza backup`, `veza restore`).

mod http;
mod jobs;

use app::db::Db;
use app::i18n::Lang;
use clap::{Parser, Subcommand};
use std::io::Read;
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(name = "veza", version, about = "Veza CRM server")]
struct Cli {
    /// Database URL: sqlite://… (default: <data dir>/veza.db) or postgres://…
    #[arg(long, env = "DATABASE_URL", global = true)]
    database_url: Option<String>,
    /// Where the SQLite database (and later uploaded files) live.
    #[arg(long, env = "VEZA_DATA_DIR", default_value = "./data", global = true)]
    data_dir: PathBuf,
    /// Language of the default pipeline stages created on first start (sr or en).
    #[arg(long, env = "VEZA_LANG", default_value = "sr", global = true)]
    lang: String,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the web server (the default).
    Serve {
        /// Address to listen on.
        #[arg(long, env = "LEPTOS_SITE_ADDR")]
        addr: Option<String>,
        /// Mark cookies Secure (serve over HTTPS behind a proxy).
        #[arg(long, env = "VEZA_SECURE_COOKIES", default_value_t = false)]
        secure_cookies: bool,
        /// SMTP server for sending e-mail to contacts: smtps://user:password@host, smtp://host:587?tls=required, smtp://host:25.
        #[arg(long, env = "VEZA_SMTP_URL")]
        smtp_url: Option<String>,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Write a consistent copy of the database to a new file while Veza runs (SQLite: VACUUM INTO;
    /// Postgres: pg_dump).
    Backup {
        #[arg(long)]
        to: PathBuf,
    },
    /// Put a backup in place of the database, which no Veza server may have open (SQLite: the copy is
    /// checked first and the replaced file kept beside it; Postgres: pg_restore).
    Restore {
        #[arg(long)]
        from: PathBuf,
    },
    /// Load the demo data set (a Serbian B2B distributor). Running it again changes nothing.
    Demo {
        /// Load it also into a database that has users of its own (it adds admin@demo.veza.rs, whose
        /// password is public).
        #[arg(long)]
        force: bool,
    },
}

#[derive(Subcommand, Debug)]
enum UserCommand {
    /// Add a user; the password is read from VEZA_PASSWORD or standard input.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        #[arg(long, value_parser = ["admin", "manager", "sales", "marketing"])]
        role: String,
        /// Team name; created when it does not exist.
        #[arg(long)]
        team: Option<String>,
    },
}

fn fail(msg: impl std::fmt::Display) -> ! {
    eprintln!("veza: {msg}");
    std::process::exit(2)
}

/// The database's URL: DATABASE_URL, else the SQLite file in the data directory.
fn database_url(cli: &Cli) -> String {
    match &cli.database_url {
        Some(u) if !u.trim().is_empty() => u.clone(),
        _ => {
            if let Err(e) = std::fs::create_dir_all(&cli.data_dir) {
                fail(format!("cannot create data directory {}: {e}", cli.data_dir.display()));
            }
            format!("sqlite://{}", cli.data_dir.join("veza.db").display())
        }
    }
}

async fn open_db(cli: &Cli) -> Db {
    let url = database_url(cli);
    let db = Db::connect(&url).await.unwrap_or_else(|e| fail(e));
    let lang = Lang::parse(&cli.lang).unwrap_or_else(|| fail(format!("VEZA_LANG must be sr or en (got {:?})", cli.lang)));
    if let Err(e) = app::services::stages::ensure_defaults(&db, lang).await {
        fail(format!("cannot create default stages: {e}"));
    }
    match app::services::search::reindex_if_needed(&db).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(records = n, "search index brought up to date"),
        Err(e) => fail(format!("cannot update the search index: {e}")),
    }
    db
}

/// mimalloc instead of the C library's allocator: the import and its analysis allocate small strings per
/// cell, and glibc's malloc/free took a large share of their CPU time (docs/performance.md, W5).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("VEZA_LOG").unwrap_or_else(|_| "info,sqlx=warn".into()))
        .init();
    let cli = Cli::parse();
    match &cli.command {
        None => {
            let secure = std::env::var("VEZA_SECURE_COOKIES").is_ok_and(|v| matches!(v.trim(), "1" | "true" | "yes"));
            serve(&cli, std::env::var("LEPTOS_SITE_ADDR").ok(), secure, std::env::var("VEZA_SMTP_URL").ok()).await
        }
        Some(Command::Serve { addr, secure_cookies, smtp_url }) => serve(&cli, addr.clone(), *secure_cookies, smtp_url.clone()).await,
        Some(Command::Backup { to }) => {
            // Opened as it is: a backup taken before an upgrade must not be migrated first.
            let db = Db::open(&database_url(&cli)).await.unwrap_or_else(|e| fail(e));
            match app::db::backup::backup(&db, to).await {
                Ok(said) => println!("Backup: {said}"),
                Err(e) => fail(e),
            }
        }
        Some(Command::Restore { from }) => match app::db::backup::restore(&database_url(&cli), from).await {
            Ok(said) => println!("Restore: {said}"),
            Err(e) => fail(e),
        },
        Some(Command::Demo { force }) => {
            use app::services::demo::{self, Outcome};
            let db = open_db(&cli).await;
            match demo::load(&db, *force).await {
                Ok(Outcome::Loaded) => println!("Demo data loaded. Sign in as admin@demo.veza.rs with password {}", demo::DEMO_PASSWORD),
                Ok(Outcome::AlreadyLoaded) => println!("Demo data is already loaded; nothing changed."),
                Ok(Outcome::HasUsers(n)) => fail(format!(
                    "this database has {n} user(s) of its own: the demo adds admin@demo.veza.rs with a public password, so it is \
                     not loaded here. Use a new data directory, or `veza demo --force` to add it anyway."
                )),
                Err(e) => fail(format!("demo data could not be loaded: {e}")),
            }
        }
        Some(Command::User { command: UserCommand::Add { email, name, role, team } }) => {
            let db = open_db(&cli).await;
            let password = match std::env::var("VEZA_PASSWORD") {
                Ok(p) if !p.is_empty() => p,
                _ => {
                    let mut s = String::new();
                    if std::io::stdin().read_to_string(&mut s).is_err() {
                        fail("could not read the password from standard input");
                    }
                    s.trim_end_matches(['\n', '\r']).to_string()
                }
            };
            let team_id = match team {
                Some(t) => Some(app::services::auth::ensure_team(&db, t).await.unwrap_or_else(|e| fail(describe(&e)))),
                None => None,
            };
            let new = app::services::auth::NewUser { email: email.clone(), name: name.clone(), role: role.clone(), team_id, password };
            match app::services::auth::create_user(&db, None, new).await {
                Ok(id) => println!("User {} created (id {id}).", email.trim().to_lowercase()),
                Err(e) => fail(describe(&e)),
            }
        }
    }
}

/// An error in English for the command line.
fn describe(e: &app::error::AppError) -> String {
    app::i18n::labels::error_text(Lang::En, e)
}

async fn serve(cli: &Cli, addr: Option<String>, secure_cookies: bool, smtp_url: Option<String>) {
    if let Some(a) = addr.as_deref().filter(|a| a.parse::<std::net::SocketAddr>().is_err()) {
        fail(format!("LEPTOS_SITE_ADDR is not an address like 127.0.0.1:3000 (got {a:?})"));
    }
    let conf = leptos::prelude::get_configuration(None).unwrap_or_else(|e| fail(format!("leptos configuration: {e}")));
    let mut leptos_options = conf.leptos_options;
    if let Some(a) = addr.and_then(|a| a.parse().ok()) {
        leptos_options.site_addr = a;
    }
    let started = std::time::Instant::now();
    let db = open_db(cli).await;
    // Held while serving: `veza restore` refuses to replace a database a server has open.
    let _serving = app::db::backup::sqlite_path(&db.url).map(|p| app::db::backup::hold_server_lock(&p).unwrap_or_else(|e| fail(e)));
    let mailer = smtp_url.filter(|u| !u.trim().is_empty()).map(|u| app::services::email::Mailer::from_url(&u).unwrap_or_else(|e| fail(e)));
    jobs::spawn_import_runner(db.clone());
    jobs::spawn_job_runner(db.clone(), mailer.clone());
    jobs::spawn_trash_purge(db.clone());
    let state = app::api::ctx::AppState { leptos_options: leptos_options.clone(), db, secure_cookies, mailer };
    let router = http::router(state);
    let listener = tokio::net::TcpListener::bind(&leptos_options.site_addr)
        .await
        .unwrap_or_else(|e| fail(format!("cannot listen on {}: {e}", leptos_options.site_addr)));
    // Pages are streamed in several writes; without TCP_NODELAY, Nagle's algorithm and the client's
    // delayed ACK held the last one back by a delayed-ACK timeout (docs/performance.md, W7).
    use axum::serve::ListenerExt;
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "TCP_NODELAY not set");
        }
    });
    tracing::info!("Veza listening on http://{} (ready in {} ms)", leptos_options.site_addr, started.elapsed().as_millis());
    axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .unwrap_or_else(|e| fail(e));
}
