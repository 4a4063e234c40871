//! Server functions, one file per area. Each is thin: find the signed-in user, call a service (which
//! authorizes and validates), map the result. They run on the server only; the browser calls them
//! over HTTP (POST /api/…), guarded by the Origin check in `server/`.

pub mod accounts;
pub mod activities;
pub mod admin;
pub mod bulk;
pub mod competitors;
pub mod contacts;
pub mod deals;
pub mod duplicates;
pub mod find;
pub mod help;
pub mod imports;
pub mod jobs;
pub mod leads;
pub mod marketing;
pub mod opportunities;
pub mod pipeline;
pub mod privacy;
pub mod products;
pub mod quick_campaigns;
pub mod reports;
pub mod search;
pub mod session;
pub mod trash;
pub mod two_factor;

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
    /// The session cookie's name over HTTPS. With the `__Host-` prefix the browser keeps the cookie only
    /// if this host set it over HTTPS for the whole site without a Domain, so a neighbouring subdomain
    /// can neither plant a session (fixation) nor overwrite it.
    pub const SECURE_SESSION_COOKIE: &str = "__Host-veza_session";
    pub const LANG_COOKIE: &str = "veza_lang";
    /// A sign-in waiting for its second factor: the challenge's token (see `Request::private_cookie`).
    pub const CHALLENGE_COOKIE: &str = "veza_challenge";
    /// New recovery codes on their way to the account page, which shows them once.
    pub const NEW_CODES_COOKIE: &str = "veza_new_codes";

    /// Server-wide state handed to every request.
    #[derive(Clone, Debug)]
    pub struct AppState {
        pub leptos_options: LeptosOptions,
        pub db: Db,
        /// Adds `Secure` to cookies (set when served over HTTPS).
        pub secure_cookies: bool,
        /// The SMTP server e-mail is sent through, when `VEZA_SMTP_URL` is set.
        pub mailer: Option<crate::services::email::Mailer>,
    }

    impl axum::extract::FromRef<AppState> for LeptosOptions {
        fn from_ref(s: &AppState) -> Self {
            s.leptos_options.clone()
        }
    }

    fn state() -> Result<AppState, AppError> {
        // Missing only outside a request (e.g. while the route list is generated at start-up).
        use_context::<AppState>().ok_or_else(|| {
            tracing::debug!("AppState missing from context");
            AppError::Internal
        })
    }

    /// Whether the request reached Veza over HTTPS: configured (`VEZA_SECURE_COOKIES`, for a proxy that
    /// is not in `VEZA_TRUSTED_PROXIES`), or said by a trusted proxy with `X-Forwarded-Proto: https`.
    pub fn over_https(headers: &http::HeaderMap, peer: Option<std::net::IpAddr>, configured: bool) -> bool {
        configured
            || (peer.is_some_and(|p| trusted_proxies().iter().any(|n| n.contains(p)))
                && headers
                    .get("x-forwarded-proto")
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|v| v.split(',').next().unwrap_or("").trim().eq_ignore_ascii_case("https")))
    }

    /// The connection's peer address, as the server put it among the request's extensions.
    pub fn peer_of(extensions: &http::Extensions) -> Option<std::net::IpAddr> {
        extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip())
    }

    /// The session token a request carries: over HTTPS only in the `__Host-` cookie, otherwise in the
    /// plain one (a session begun before HTTPS was configured signs in again).
    pub fn session_token_in(headers: &http::HeaderMap, https: bool) -> Option<String> {
        cookie_in(headers, if https { SECURE_SESSION_COOKIE } else { SESSION_COOKIE }).filter(|t| !t.is_empty())
    }

    pub fn cookie(parts: &Parts, name: &str) -> Option<String> {
        cookie_in(&parts.headers, name)
    }

    /// The value of cookie `name` among `headers` (also used by the server's plain routes).
    pub fn cookie_in(headers: &http::HeaderMap, name: &str) -> Option<String> {
        headers
            .get_all(http::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|kv| kv.trim().split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    }

    /// Everything a server function needs from its request, captured at once before the first
    /// `.await`: the reactive context is only reliable until the function first yields.
    pub struct Request {
        pub db: Db,
        parts: Option<Parts>,
        response: Option<leptos_axum::ResponseOptions>,
        https: bool,
        cache: Option<RequestCache>,
    }

    /// Per-request memory, put into every request by the HTTP layer: a page's server functions (the
    /// session and the page's data) look the signed-in user up once, not once each. For a page the
    /// HTTP layer also looks the session up before rendering starts (`session`), so the session
    /// resource is ready the moment the app creates it and every component finds it in at once.
    #[derive(Clone, Default)]
    pub struct RequestCache {
        actor: std::sync::Arc<tokio::sync::OnceCell<Option<Actor>>>,
        session: std::sync::Arc<tokio::sync::OnceCell<crate::api::session::SessionInfo>>,
    }

    impl RequestCache {
        /// The signed-in user of session `token` (None: no such live session).
        async fn actor(&self, db: &Db, token: &str) -> Result<Option<Actor>, AppError> {
            self.actor.get_or_try_init(|| crate::services::auth::session_user(db, token)).await.cloned()
        }

        /// What every page needs to know about its visitor (`get_session`): the user of session
        /// `token`, whether the installation still needs its first user, whether demo data is loaded.
        pub async fn session(&self, db: &Db, token: Option<&str>) -> Result<crate::api::session::SessionInfo, AppError> {
            self.session
                .get_or_try_init(|| async {
                    let user = match token {
                        Some(t) => self.actor(db, t).await?,
                        None => None,
                    };
                    let needs_setup = user.is_none() && crate::services::auth::user_count(db).await? == 0;
                    let demo = crate::services::demo::is_loaded(db).await?;
                    Ok::<_, AppError>(crate::api::session::SessionInfo { user, needs_setup, demo })
                })
                .await
                .cloned()
        }
    }

    impl Request {
        pub fn capture() -> Result<Request, AppError> {
            let state = state()?;
            let parts = use_context::<Parts>();
            Ok(Request {
                db: state.db,
                response: use_context::<leptos_axum::ResponseOptions>(),
                https: parts.as_ref().is_some_and(|p| over_https(&p.headers, peer_of(&p.extensions), state.secure_cookies)),
                cache: parts.as_ref().and_then(|p| p.extensions.get::<RequestCache>().cloned()),
                parts,
            })
        }

        pub fn cookie(&self, name: &str) -> Option<String> {
            self.parts.as_ref().and_then(|p| cookie(p, name))
        }

        /// The session token the request carries (see [`session_token_in`]).
        pub fn session_token(&self) -> Option<String> {
            self.parts.as_ref().and_then(|p| session_token_in(&p.headers, self.https))
        }

        /// The signed-in user of this request, or Unauthorized.
        pub async fn actor(&self) -> Result<Actor, AppError> {
            let token = self.session_token().ok_or(AppError::Unauthorized)?;
            let found = match &self.cache {
                Some(cache) => cache.actor(&self.db, &token).await?,
                None => crate::services::auth::session_user(&self.db, &token).await?,
            };
            found.ok_or(AppError::Unauthorized)
        }

        /// What every page needs to know about its visitor; see `RequestCache::session`.
        pub async fn session(&self) -> Result<crate::api::session::SessionInfo, AppError> {
            let token = self.session_token();
            match &self.cache {
                Some(cache) => cache.session(&self.db, token.as_deref()).await,
                None => RequestCache::default().session(&self.db, token.as_deref()).await,
            }
        }

        /// The client's address: the connection's, or behind a trusted proxy the one it forwarded
        /// (`crate::domain::net`).
        pub fn client_ip(&self) -> String {
            let Some(p) = self.parts.as_ref() else { return "unknown".into() };
            let peer = peer_of(&p.extensions);
            // Every X-Forwarded-For line, in order: a proxy may add its own line instead of appending.
            let forwarded: Vec<&str> = p.headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).collect();
            let forwarded = forwarded.join(",");
            if !forwarded.is_empty() && trusted_proxies().is_empty() {
                static WARNED: std::sync::Once = std::sync::Once::new();
                WARNED.call_once(|| {
                    tracing::warn!(
                        "requests carry X-Forwarded-For but VEZA_TRUSTED_PROXIES is empty: behind a proxy every client shares its address"
                    )
                });
            }
            crate::domain::net::client_address(peer, (!forwarded.is_empty()).then_some(forwarded.as_str()), trusted_proxies())
                .map(|ip| ip.to_string())
                .unwrap_or_else(|| "unknown".into())
        }

        /// The browser's User-Agent, as sent.
        pub fn user_agent(&self) -> Option<String> {
            self.parts.as_ref()?.headers.get(http::header::USER_AGENT)?.to_str().ok().map(str::to_string)
        }

        pub fn set_cookie(&self, value: String) {
            if let (Some(res), Ok(v)) = (&self.response, http::HeaderValue::from_str(&value)) {
                res.append_header(http::header::SET_COOKIE, v);
            }
        }

        /// The value of a cookie set with [`Request::private_cookie_header`].
        pub fn private_cookie(&self, name: &str) -> Option<String> {
            let name = if self.https { format!("__Host-{name}") } else { name.to_string() };
            self.cookie(&name).filter(|v| !v.is_empty())
        }

        /// The Set-Cookie value of a cookie kept like the session's (an empty value with `max_age` 0
        /// removes it): HttpOnly, SameSite=Lax, and `__Host-` and `Secure` over HTTPS.
        pub fn private_cookie_header(&self, name: &str, value: &str, max_age: i64) -> String {
            let prefix = if self.https { "__Host-" } else { "" };
            format!("{prefix}{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{}", if self.https { "; Secure" } else { "" })
        }

        /// The Set-Cookie value that gives the browser session `token` (an empty token with `max_age`
        /// 0 removes it): `__Host-` and `Secure` over HTTPS.
        pub fn session_cookie(&self, token: &str, max_age: i64) -> String {
            let name = if self.https { SECURE_SESSION_COOKIE } else { SESSION_COOKIE };
            format!("{name}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{}", if self.https { "; Secure" } else { "" })
        }
    }

    /// The reverse proxies whose `X-Forwarded-For` is believed: `VEZA_TRUSTED_PROXIES` (addresses or
    /// networks, comma-separated), read once; none by default. An entry that does not parse is logged
    /// and the rest kept.
    pub fn trusted_proxies() -> &'static [crate::domain::net::Network] {
        static TRUSTED: std::sync::OnceLock<Vec<crate::domain::net::Network>> = std::sync::OnceLock::new();
        TRUSTED.get_or_init(|| {
            let raw = std::env::var("VEZA_TRUSTED_PROXIES").unwrap_or_default();
            raw.split([',', ' '])
                .filter(|p| !p.trim().is_empty())
                .filter_map(|p| {
                    let n = crate::domain::net::Network::parse(p);
                    if n.is_none() {
                        tracing::warn!(entry = p.trim(), "VEZA_TRUSTED_PROXIES: not an address or network, ignored");
                    }
                    n
                })
                .collect()
        })
    }

    /// The configured SMTP server, if any.
    pub fn mailer() -> Option<crate::services::email::Mailer> {
        use_context::<AppState>().and_then(|s| s.mailer)
    }

    /// The address people reach Veza at, for links in e-mails: `VEZA_PUBLIC_URL` when set, else this
    /// request's scheme and host (a host of other characters than a host name's is not used).
    pub fn site_url() -> Option<String> {
        if let Some(url) =
            std::env::var("VEZA_PUBLIC_URL").ok().map(|u| u.trim().trim_end_matches('/').to_string()).filter(|u| !u.is_empty())
        {
            return Some(url);
        }
        let parts = use_context::<Parts>()?;
        let host = parts.headers.get(http::header::HOST)?.to_str().ok()?;
        if host.is_empty() || !host.bytes().all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b)) {
            return None;
        }
        let https = over_https(&parts.headers, peer_of(&parts.extensions), state().ok()?.secure_cookies);
        Some(format!("{}://{host}", if https { "https" } else { "http" }))
    }

    /// Captures the request and finds its signed-in user: `let (db, actor) = ctx::signed_in().await?;`
    /// A user whose password an administrator reset is refused until they choose their own, and one
    /// whose role requires two-factor sign-in until they set it up (only the account page's functions,
    /// through [`signed_in_to_change_password`], answer them).
    pub async fn signed_in() -> Result<(Db, Actor), AppError> {
        let req = Request::capture()?;
        let actor = req.actor().await?;
        if actor.held_back() {
            return Err(AppError::Forbidden);
        }
        Ok((req.db, actor))
    }

    /// [`signed_in`] that also answers a user who must change their password or set up two-factor
    /// sign-in first.
    pub async fn signed_in_to_change_password() -> Result<(Request, Actor), AppError> {
        let req = Request::capture()?;
        let actor = req.actor().await?;
        Ok((req, actor))
    }

    /// The language of this request: the cookie the user chose, else the browser's Accept-Language.
    pub fn request_lang() -> Lang {
        let Some(parts) = use_context::<Parts>() else { return Lang::default() };
        if let Some(l) = cookie(&parts, LANG_COOKIE).and_then(|c| Lang::parse(&c)) {
            return l;
        }
        parts.headers.get(http::header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).map(Lang::from_accept_language).unwrap_or_default()
    }
}
