//! Harness shared by the integration tests: every test runs twice, on a fresh SQLite file and on a
//! fresh Postgres database (see `services.rs` for the Postgres settings), plus seed helpers.
#![allow(dead_code)]

use app::db::Db;
use app::domain::{AccountInput, Board, ContactInput, ListQuery, OpportunityInput, Stage, StageKind};
use app::error::{AppError, Problem};
use app::i18n::Lang;
use app::services::{accounts, auth, contacts, opportunities, stages, Actor};
use sqlx::Connection;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub mod smtp;

// ---------------------------------------------------------------------------------------------------
// Harness: one fresh database per test, on both backends.
// ---------------------------------------------------------------------------------------------------

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A name part unique across tests, test processes and runs.
pub fn unique() -> String {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).expect("clock").as_nanos() % 1_000_000_000_000;
    format!("{}_{}_{}", std::process::id(), n, nanos)
}

pub fn postgres_admin_url() -> String {
    std::env::var("VEZA_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string())
}

pub fn postgres_required() -> bool {
    std::env::var("VEZA_REQUIRE_POSTGRES").map(|v| v.trim() == "1").unwrap_or(false)
}

/// Runs `body` on its own task so a panic can be caught, cleans up, then re-raises the panic.
pub async fn run_body<F, Fut>(db: Db, body: F) -> Result<(), tokio::task::JoinError>
where
    F: FnOnce(Db) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    // Internal errors reach a test as `AppError::Internal`; their cause is logged (shown on failure).
    let _ = tracing_subscriber::fmt().with_env_filter("app=warn").with_test_writer().try_init();
    let handle = tokio::spawn(body(db.clone()));
    let result = handle.await;
    db.pool.close().await;
    result
}

pub fn rethrow(e: tokio::task::JoinError) -> ! {
    if e.is_panic() {
        std::panic::resume_unwind(e.into_panic())
    }
    panic!("test task failed: {e}")
}

pub async fn run_sqlite<F, Fut>(body: F)
where
    F: FnOnce(Db) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let path = std::env::temp_dir().join(format!("veza-test-{}.db", unique()));
    let path = path.to_str().expect("utf-8 temp path").to_string();
    let db = Db::connect(&format!("sqlite://{path}")).await.expect("open a fresh SQLite database");
    match run_body(db, body).await {
        Ok(()) => {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{path}{suffix}"));
            }
        }
        Err(e) => {
            eprintln!("SQLite test database kept for inspection: {path}");
            rethrow(e)
        }
    }
}

pub async fn run_postgres<F, Fut>(body: F)
where
    F: FnOnce(Db) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let admin_url = postgres_admin_url();
    let connect = tokio::time::timeout(Duration::from_secs(5), sqlx::postgres::PgConnection::connect(&admin_url)).await;
    let mut admin = match connect {
        Ok(Ok(conn)) => conn,
        Ok(Err(e)) => return postgres_unreachable(&admin_url, &e.to_string()),
        Err(_) => return postgres_unreachable(&admin_url, "timed out after 5 s"),
    };
    let name = format!("veza_test_{}", unique());
    sqlx::raw_sql(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.expect("CREATE DATABASE for the test");
    let base = admin_url.rsplit_once('/').map(|(b, _)| b.to_string()).expect("postgres URL with a database name");
    let db = Db::connect(&format!("{base}/{name}")).await.expect("open the fresh Postgres database");
    match run_body(db, body).await {
        Ok(()) => {
            let _ = sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut admin).await;
            let _ = admin.close().await;
        }
        Err(e) => {
            eprintln!("Postgres test database kept for inspection: {name}");
            rethrow(e)
        }
    }
}

pub fn postgres_unreachable(url: &str, why: &str) {
    if postgres_required() {
        panic!("VEZA_REQUIRE_POSTGRES=1 but Postgres at {url} is unreachable: {why}");
    }
    // Written to stderr directly, not with eprintln!, so the test harness does not swallow it.
    use std::io::Write;
    let bar = "!".repeat(100);
    let _ = writeln!(
        std::io::stderr(),
        "\n{bar}\n!!! WARNING: Postgres at {url} is unreachable ({why}).\n\
         !!! This Postgres variant was SKIPPED; only SQLite was tested. Set VEZA_REQUIRE_POSTGRES=1 to fail instead.\n{bar}\n"
    );
}

/// `both!(name)` turns `async fn name(db: Db)` into the tests `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! both {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                $crate::common::run_sqlite(super::$name).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                $crate::common::run_postgres(super::$name).await
            }
        }
    };
}

// ---------------------------------------------------------------------------------------------------
// Seed helpers
// ---------------------------------------------------------------------------------------------------

pub const PASSWORD: &str = "tajna-lozinka-1";

pub async fn seed(db: &Db) {
    stages::ensure_defaults(db, Lang::En).await.expect("default stages");
}

pub async fn team(db: &Db, name: &str) -> i64 {
    auth::ensure_team(db, name).await.expect("team")
}

pub async fn user(db: &Db, email: &str, name: &str, role: &str, team: Option<i64>) -> Actor {
    let id = auth::create_user(
        db,
        None,
        auth::NewUser { email: email.into(), name: name.into(), role: role.into(), team_id: team, password: PASSWORD.into() },
    )
    .await
    .expect("create user");
    auth::user_by_id(db, id).await.expect("user by id")
}

pub fn account_input(name: &str) -> AccountInput {
    AccountInput { name: name.into(), types: vec!["customer".into()], ..Default::default() }
}

pub async fn new_account(db: &Db, actor: &Actor, name: &str) -> i64 {
    accounts::create(db, actor, &account_input(name)).await.expect("create account")
}

pub async fn new_contact(db: &Db, actor: &Actor, first: &str, last: &str, account: Option<i64>) -> i64 {
    let input = ContactInput {
        first_name: first.into(),
        last_name: last.into(),
        account_id: account.map(|a| a.to_string()).unwrap_or_default(),
        ..Default::default()
    };
    contacts::create(db, actor, &input).await.expect("create contact")
}

pub fn opportunity_input(name: &str, account: i64, stage: i64, amount: &str) -> OpportunityInput {
    OpportunityInput {
        name: name.into(),
        account_id: account.to_string(),
        stage_id: stage.to_string(),
        amount: amount.into(),
        currency: "RSD".into(),
        close_date: "2026-12-31".into(),
        ..Default::default()
    }
}

pub async fn new_opportunity(db: &Db, actor: &Actor, name: &str, account: i64, stage: i64, amount: &str) -> i64 {
    opportunities::create(db, actor, &opportunity_input(name, account, stage, amount)).await.expect("create opportunity")
}

/// A deal already closed in `stage` (won or lost), as imported history: inserted directly, since the
/// services only reach a closed stage through `deals::close`.
pub async fn closed_opportunity(db: &Db, actor: &Actor, name: &str, account: i64, stage: i64, amount: &str) -> i64 {
    let v = opportunities::validate(&opportunity_input(name, account, stage, amount)).expect("valid opportunity");
    let mut tx = db.begin().await.expect("begin");
    let id = opportunities::insert(&mut tx, actor, &v, None, false).await.expect("insert opportunity");
    tx.commit().await.expect("commit");
    id
}

/// Active stages in pipeline order: the five open ones, then won, then lost.
pub async fn open_and_closed_stages(db: &Db) -> (Vec<Stage>, Stage, Stage) {
    let all = stages::list(db).await.expect("stages");
    let open: Vec<Stage> = all.iter().filter(|s| s.kind == StageKind::Open).cloned().collect();
    let won = all.iter().find(|s| s.kind == StageKind::Won).cloned().expect("a won stage");
    let lost = all.iter().find(|s| s.kind == StageKind::Lost).cloned().expect("a lost stage");
    assert_eq!(open.iter().map(|s| s.probability).collect::<Vec<_>>(), vec![10, 20, 40, 60, 80]);
    (open, won, lost)
}

pub async fn count(db: &Db, sql: &str) -> i64 {
    let row = sqlx::query(sql).fetch_one(&db.pool).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    sqlx::Row::try_get::<i64, _>(&row, "n").expect("COUNT(*) AS n")
}

pub async fn count_for(db: &Db, sql: &str, id: i64) -> i64 {
    let row = sqlx::query(sql).bind(id).fetch_one(&db.pool).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    sqlx::Row::try_get::<i64, _>(&row, "n").expect("COUNT(*) AS n")
}

pub fn invalid(field: &str, problem: Problem) -> AppError {
    AppError::Validation { field: field.into(), problem }
}

pub fn all() -> ListQuery {
    ListQuery::default()
}

pub fn column(board: &Board, stage: i64) -> &app::domain::Column {
    board.columns.iter().find(|c| c.stage.id == stage).unwrap_or_else(|| panic!("no column for stage {stage}"))
}
