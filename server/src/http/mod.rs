//! HTTP wiring: the Leptos pages and server functions, the browser code, and the plain routes
//! (health, calendar feeds, files, imports, exports) — each module's own `router()`, merged here —
//! under the guards every request passes (`guards`).

#[cfg(test)]
mod access_tests;
mod calendar;
mod exports;
mod extract;
mod files;
mod guards;
mod health;
mod imports;
mod marketing;
mod privacy;
mod unsubscribe;

use app::api::ctx::AppState;
use app::{shell, App};
use axum::body::Body;
use axum::extract::Request;
use axum::middleware;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, handle_server_fns_with_context, LeptosRoutes};

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    // The browser code (wasm, its chunks, the loader script, the stylesheet) is served by tower-http's
    // ServeDir, not by Leptos's file fallback: that one answered a file with the status a page rendered
    // just before on the same thread had set (a 404 page made the next `veza.wasm` a 404, and the page
    // never hydrated), and it treats a revalidation's 304 as "no such file".
    let pkg_dir = format!("{}/{}", state.leptos_options.site_root, state.leptos_options.site_pkg_dir);
    let pkg_path = format!("/{}", state.leptos_options.site_pkg_dir);
    let ctx_state = state.clone();
    let fn_state = state.clone();
    let secure = state.secure_cookies;
    let router = Router::new()
        .merge(health::router())
        .merge(calendar::router())
        .merge(files::router())
        .merge(imports::router())
        .merge(exports::router())
        .merge(marketing::router())
        .merge(privacy::router())
        .merge(unsubscribe::router())
        .route("/api/{*fn_name}", get(server_fn).post(server_fn))
        .nest_service(&pkg_path, tower_http::services::ServeDir::new(pkg_dir))
        // The user guide's screenshots (`public/guide/`), shown by /help.
        .nest_service("/guide", tower_http::services::ServeDir::new(format!("{}/guide", state.leptos_options.site_root)))
        .leptos_routes_with_context(
            &state,
            routes,
            move || {
                provide_context(ctx_state.clone());
            },
            {
                let options = state.leptos_options.clone();
                move || shell(options.clone())
            },
        )
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(
            {
                let state = state.clone();
                move || provide_context(state.clone())
            },
            shell,
        ))
        // leptos_routes also registers each server function's own path: the error statuses wrap them all.
        .layer(middleware::from_fn_with_state(state.clone(), guards::request_cache))
        .layer(middleware::from_fn(guards::error_status))
        .layer(middleware::from_fn(guards::origin_guard))
        .layer(middleware::from_fn(guards::refuse_nul))
        .layer(middleware::from_fn(guards::limit_bodies))
        .layer(axum::Extension(fn_state))
        .with_state(state);
    guards::browser_protections(router, secure)
}

async fn server_fn(axum::Extension(state): axum::Extension<AppState>, req: Request<Body>) -> impl IntoResponse {
    handle_server_fns_with_context(
        move || {
            provide_context(state.clone());
        },
        req,
    )
    .await
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use axum::http::{header, StatusCode};
    use leptos::prelude::LeptosOptions;

    /// Counts the SELECT statements sqlx reports (target `sqlx::query`), whichever thread sends them;
    /// a new pooled connection's setup (PRAGMA, SET) is not counted.
    struct QueryCounter;
    static QUERIES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

    struct IsSelect(bool);
    impl tracing::field::Visit for IsSelect {
        fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
            if field.name() == "db.statement" {
                self.0 = value.contains("SELECT");
            }
        }
        fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
            if field.name() == "db.statement" {
                self.0 = format!("{value:?}").contains("SELECT");
            }
        }
    }

    impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for QueryCounter {
        fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
            if event.metadata().target() == "sqlx::query" {
                let mut select = IsSelect(false);
                event.record(&mut select);
                if select.0 {
                    QUERIES.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                }
            }
        }
    }

    /// Held by each test that runs requests against a database: the query counter of
    /// `a_page_loads_its_data_once_per_request` counts every thread's statements.
    pub(crate) static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

    /// The Postgres database the test connects to first, to create its own (test.sh sets it).
    fn pg_admin_url() -> String {
        std::env::var("VEZA_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
    }

    /// The databases to run on: a fresh SQLite file, and a fresh Postgres database when one is
    /// reachable (required with VEZA_REQUIRE_POSTGRES=1, as in CI).
    pub(crate) async fn databases(dir: &std::path::Path, tag: &str) -> Vec<(String, Option<String>)> {
        use sqlx::{Connection, Executor};
        let mut out = vec![(format!("sqlite://{}/{tag}.db", dir.display()), None)];
        let admin = pg_admin_url();
        match sqlx::PgConnection::connect(&admin).await {
            Ok(mut conn) => {
                let name = format!("veza_{tag}_{}", std::process::id());
                conn.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str()).await.unwrap();
                conn.execute(format!("CREATE DATABASE {name}").as_str()).await.unwrap();
                let url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
                out.push((url, Some(name)));
            }
            Err(e) if std::env::var("VEZA_REQUIRE_POSTGRES").as_deref() == Ok("1") => panic!("Postgres is required: {e}"),
            Err(e) => eprintln!("Postgres not reachable, skipped: {e}"),
        }
        out
    }

    /// Drops a database `databases` created.
    pub(crate) async fn drop_database(name: &str) {
        use sqlx::{Connection, Executor};
        let mut conn = sqlx::PgConnection::connect(&pg_admin_url()).await.unwrap();
        conn.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str()).await.unwrap();
    }

    /// A page is rendered once per request: its data are loaded once, every time. (The layout's
    /// Suspense once held the page and waited for the session; each walk of its children for resource
    /// reads built the page again and sent its queries again. With that code this test fails on
    /// Postgres, e.g. queries per account page [33, 11, 11, 11, 29, 11, 11, 20, 11, 29, 11, 29].)
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_page_loads_its_data_once_per_request() {
        use app::services::{accounts, auth};
        use tower::ServiceExt;
        use tracing_subscriber::layer::SubscriberExt;
        let _serial = ONE_AT_A_TIME.lock().await;
        let _ = tracing::subscriber::set_global_default(tracing_subscriber::registry().with(QueryCounter));
        let dir = std::env::temp_dir().join(format!("veza-pages-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for (url, pg_name) in databases(&dir, "pages").await {
            let db = app::db::Db::connect(&url).await.unwrap();
            let admin = auth::setup_first_admin(&db, "admin@pages.test", "Ana Admin", "lozinka-za-test", "Prodaja").await.unwrap();
            let (token, _) = auth::sign_in(&db, "admin@pages.test", "lozinka-za-test", "127.0.0.1").await.unwrap();
            let actor = auth::user_by_id(&db, admin).await.unwrap();
            let input =
                app::domain::AccountInput { name: "Mlekara Test d.o.o.".into(), types: vec!["customer".into()], ..Default::default() };
            let account = accounts::create(&db, &actor, &input).await.unwrap();
            let state = AppState {
                leptos_options: LeptosOptions::builder().output_name("veza").build(),
                db: db.clone(),
                secure_cookies: false,
                mailer: None,
            };
            let app = router(state);
            for path in [format!("/accounts/{account}"), "/contacts".to_string(), "/".to_string()] {
                let mut counts = Vec::new();
                for _ in 0..12 {
                    let before = QUERIES.load(std::sync::atomic::Ordering::SeqCst);
                    let req = Request::builder()
                        .uri(&path)
                        .header("host", "veza.test")
                        .header("cookie", format!("{}={token}", app::api::ctx::SESSION_COOKIE))
                        .body(Body::empty())
                        .unwrap();
                    let res = app.clone().oneshot(req).await.unwrap();
                    assert_eq!(res.status(), StatusCode::OK, "{path} on {url}");
                    let body = axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap();
                    assert!(String::from_utf8_lossy(&body).contains("Ana Admin"), "{path} shows the signed-in user");
                    counts.push(QUERIES.load(std::sync::atomic::Ordering::SeqCst) - before);
                }
                // The first requests may fill the server's copy of the choice lists.
                assert!(counts[2..].iter().all(|&n| n == counts[2] && n > 0), "{path} on {url}: queries per request {counts:?}");
            }
            // Every page carries its own nonce in a policy that allows only scripts carrying it.
            let res = app
                .clone()
                .oneshot(Request::builder().uri("/login").header("host", "veza.test").body(Body::empty()).unwrap())
                .await
                .unwrap();
            let csp = res.headers().get(header::CONTENT_SECURITY_POLICY).expect("a CSP").to_str().unwrap().to_string();
            let nonce = csp.split("'nonce-").nth(1).and_then(|r| r.split('\'').next()).expect("a nonce").to_string();
            assert!(csp.contains("frame-ancestors 'none'") && csp.contains("object-src 'none'"), "{csp}");
            assert_eq!(res.headers().get(header::X_CONTENT_TYPE_OPTIONS).unwrap(), "nosniff");
            assert_eq!(res.headers().get(header::REFERRER_POLICY).unwrap(), "same-origin");
            let body = String::from_utf8(axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap().to_vec()).unwrap();
            let scripts = body.matches("<script").count();
            assert!(scripts > 0 && body.matches(&format!("nonce=\"{nonce}\"")).count() >= scripts, "every script has the nonce: {body}");
            assert!(!body.contains(" onclick=") && !body.contains(" onload="), "no inline handlers");

            // A visitor without a session is sent to sign-in before anything renders.
            let req = Request::builder().uri(format!("/accounts/{account}")).header("host", "veza.test").body(Body::empty()).unwrap();
            let res = app.clone().oneshot(req).await.unwrap();
            assert!(res.status().is_redirection(), "{url}: {}", res.status());
            assert_eq!(res.headers().get(header::LOCATION).unwrap(), "/login");
            db.pool.close().await;
            if let Some(name) = pg_name {
                drop_database(&name).await;
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// Over HTTPS the session lives in a `__Host-` cookie: set `Secure` for the whole site without a
    /// Domain, and the plain-named cookie (which a neighbouring subdomain could plant) is not read.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn over_https_the_session_cookie_is_host_only() {
        use tower::ServiceExt;
        let _serial = ONE_AT_A_TIME.lock().await;
        let dir = std::env::temp_dir().join(format!("veza-https-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for (url, pg_name) in databases(&dir, "https").await {
            let db = app::db::Db::connect(&url).await.unwrap();
            app::services::auth::setup_first_admin(&db, "admin@https.test", "Ana Admin", "lozinka-za-test", "Prodaja").await.unwrap();
            for secure in [true, false] {
                let state = AppState {
                    leptos_options: LeptosOptions::builder().output_name("veza").build(),
                    db: db.clone(),
                    secure_cookies: secure,
                    mailer: None,
                };
                let app = router(state);
                let sign_in = leptos::server_fn::axum::server_fn_paths()
                    .map(|(p, _)| p)
                    .find(|p| p.strip_prefix("/api/sign_in").is_some_and(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_digit())))
                    .unwrap();
                let req = Request::builder()
                    .method("POST")
                    .uri(sign_in)
                    .header("host", "veza.test")
                    .header("origin", "https://veza.test")
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(Body::from("email=admin%40https.test&password=lozinka-za-test"))
                    .unwrap();
                let res = app.clone().oneshot(req).await.unwrap();
                assert_eq!(res.status(), StatusCode::OK, "{url}");
                let cookie = res.headers().get(header::SET_COOKIE).unwrap().to_str().unwrap().to_string();
                let (name, rest) = cookie.split_once('=').unwrap();
                let token = rest.split(';').next().unwrap();
                assert_eq!(name, if secure { "__Host-veza_session" } else { "veza_session" }, "{cookie}");
                assert_eq!(cookie.contains("; Secure"), secure, "{cookie}");
                assert!(cookie.contains("Path=/") && !cookie.contains("Domain"), "{cookie}");
                let page = |cookie_name: &str| {
                    Request::builder()
                        .uri("/accounts")
                        .header("host", "veza.test")
                        .header("cookie", format!("{cookie_name}={token}"))
                        .body(Body::empty())
                        .unwrap()
                };
                let res = app.clone().oneshot(page(name)).await.unwrap();
                assert_eq!(res.status(), StatusCode::OK, "{url}: signed in with {name}");
                assert_eq!(res.headers().contains_key(header::STRICT_TRANSPORT_SECURITY), secure);
                if secure {
                    let res = app.clone().oneshot(page("veza_session")).await.unwrap();
                    assert!(res.status().is_redirection(), "{url}: the plain cookie is not read over HTTPS");
                }
            }
            db.pool.close().await;
            if let Some(name) = pg_name {
                drop_database(&name).await;
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
