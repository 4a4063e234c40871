//! Sign-in, sign-out, first-run setup and language choice.

use crate::domain::SessionUser;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

// Sign-in, setup and sign-out answer without a redirect: with JavaScript the page reloads itself
// (so every cached view of the session is fresh); without it the browser returns to the form's page,
// which sends a signed-in visitor on to the board and a signed-out one to sign-in.

/// What every page needs to know about the visitor.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub user: Option<SessionUser>,
    pub needs_setup: bool,
    pub demo: bool,
}

impl SessionInfo {
    /// Where a visitor without a session is sent: setup on a new installation, sign-in otherwise.
    pub fn entry_path(&self) -> &'static str {
        if self.needs_setup {
            "/setup"
        } else {
            "/login"
        }
    }
}

#[server]
pub async fn get_session() -> Result<SessionInfo, AppError> {
    super::ctx::Request::capture()?.session().await
}

#[server]
pub async fn sign_in(email: String, password: String) -> Result<(), AppError> {
    let req = super::ctx::Request::capture()?;
    let (token, _) = crate::services::auth::sign_in(&req.db, &email, &password, &req.client_ip()).await?;
    req.set_cookie(req.session_cookie(&token, crate::services::auth::SESSION_DAYS * 86_400));
    Ok(())
}

#[server]
pub async fn sign_out() -> Result<(), AppError> {
    let req = super::ctx::Request::capture()?;
    if let Some(token) = req.cookie(super::ctx::SESSION_COOKIE) {
        crate::services::auth::sign_out(&req.db, &token).await?;
    }
    req.set_cookie(req.session_cookie("", 0));
    Ok(())
}

/// First-run setup: creates the first administrator and signs them in. Refused once any user exists.
#[server]
pub async fn setup_admin(email: String, name: String, password: String, team: String) -> Result<(), AppError> {
    let req = super::ctx::Request::capture()?;
    crate::services::auth::setup_first_admin(&req.db, &email, &name, &password, &team).await?;
    let (token, _) = crate::services::auth::sign_in(&req.db, &email, &password, &req.client_ip()).await?;
    req.set_cookie(req.session_cookie(&token, crate::services::auth::SESSION_DAYS * 86_400));
    Ok(())
}

#[server]
pub async fn set_language(lang: String) -> Result<(), AppError> {
    let req = super::ctx::Request::capture()?;
    let lang = crate::i18n::Lang::parse(&lang).unwrap_or_default();
    req.set_cookie(format!("{}={}; Path=/; SameSite=Lax; Max-Age=31536000", super::ctx::LANG_COOKIE, lang.code()));
    Ok(())
}
