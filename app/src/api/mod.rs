//! Server functions, one file per area. Each is thin: find the signed-in user, call a service (which
//! authorizes and validates), map the result. They run on the server only; the browser calls them
//! over HTTP (POST /api/…), guarded by the Origin check in `server/`.

pub mod accounts;
pub mod admin;
pub mod contacts;
pub mod opportunities;
pub mod pipeline;
pub mod session;

#[cfg(feature = "ssr")]
pub mod ctx {
    //! Request context for server functions: database, signed-in user, language, cookies.
    use crate::db::Db;
    use crate::error::AppError;
    use crate::i18n::Lang;
    use crate::services::Actor;
    use http::request::Parts;
    use leptos::prelude::*;

    pub const SESSION_COOKIE: &str = "veza_session";
    pub const LANG_COOKIE: &str = "veza_lang";

    /// Server-wide state handed to every request.
    #[derive(Clone, Debug)]
    pub struct AppState {
        pub leptos_options: LeptosOptions,
        pub db: Db,
        /// Adds `Secure` to cookies (set when served over HTTPS).
        pub secure_cookies: bool,
    }

    impl axum::extract::FromRef<AppState> for LeptosOptions {
        fn from_ref(s: &AppState) -> Self {
            s.leptos_options.clone()
        }
    }

    pub fn state() -> Result<AppState, AppError> {
        // Missing only outside a request (e.g. while the route list is generated at start-up).
        use_context::<AppState>().ok_or_else(|| {
            tracing::debug!("AppState missing from context");
            AppError::Internal
        })
    }

    pub fn db() -> Result<Db, AppError> {
        Ok(state()?.db)
    }

    pub fn cookie(parts: &Parts, name: &str) -> Option<String> {
        parts
            .headers
            .get_all(http::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|kv| kv.trim().split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    }

    /// The signed-in user of this request, or Unauthorized.
    pub async fn actor() -> Result<Actor, AppError> {
        let parts = use_context::<Parts>().ok_or(AppError::Unauthorized)?;
        let token = cookie(&parts, SESSION_COOKIE).ok_or(AppError::Unauthorized)?;
        crate::services::auth::session_user(&db()?, &token).await?.ok_or(AppError::Unauthorized)
    }

    /// The language of this request: the cookie the user chose, else the browser's Accept-Language.
    pub fn request_lang() -> Lang {
        let Some(parts) = use_context::<Parts>() else { return Lang::default() };
        if let Some(l) = cookie(&parts, LANG_COOKIE).and_then(|c| Lang::parse(&c)) {
            return l;
        }
        parts
            .headers
            .get(http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .map(Lang::from_accept_language)
            .unwrap_or_default()
    }

    pub fn client_ip() -> String {
        use_context::<Parts>()
            .and_then(|p| {
                p.headers
                    .get("x-forwarded-for")
                    .and_then(|v| v.to_str().ok())
                    .map(|s| s.split(',').next().unwrap_or("").trim().to_string())
                    .or_else(|| p.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip().to_string()))
            })
            .unwrap_or_else(|| "unknown".into())
    }

    pub fn set_cookie(value: String) {
        if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
            if let Ok(v) = http::HeaderValue::from_str(&value) {
                res.append_header(http::header::SET_COOKIE, v);
            }
        }
    }

    pub fn session_cookie(token: &str, max_age: i64) -> String {
        let secure = state().map(|s| s.secure_cookies).unwrap_or(false);
        format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{}", if secure { "; Secure" } else { "" })
    }
}
