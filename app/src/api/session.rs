//! Sign-in, sign-out, first-run setup and language choice.

use crate::domain::{SessionUser, SessionView, SignInEntry, TwoFactorStatus, UseEntry};
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

/// Where the password took the visitor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SignInOutcome {
    SignedIn,
    /// Two-factor sign-in: a code must follow (the sign-in page asks for it).
    CodeNeeded,
}

#[server]
pub async fn sign_in(email: String, password: String) -> Result<SignInOutcome, AppError> {
    use crate::services::auth::{two_factor::CHALLENGE_MINUTES, SignInStep};
    let req = super::ctx::Request::capture()?;
    let agent = req.user_agent();
    match crate::services::auth::begin_sign_in(&req.db, &email, &password, &req.client_ip(), agent.as_deref()).await? {
        SignInStep::Session { token, .. } => {
            req.set_cookie(req.session_cookie(&token, crate::services::auth::SESSION_DAYS * 86_400));
            Ok(SignInOutcome::SignedIn)
        }
        SignInStep::SecondFactor { challenge, .. } => {
            req.set_cookie(req.private_cookie_header(super::ctx::CHALLENGE_COOKIE, &challenge, CHALLENGE_MINUTES * 60));
            Ok(SignInOutcome::CodeNeeded)
        }
    }
}

/// The e-mail of the sign-in waiting for its code in this browser, if one is.
#[server]
pub async fn get_sign_in_step() -> Result<Option<String>, AppError> {
    let req = super::ctx::Request::capture()?;
    match req.private_cookie(super::ctx::CHALLENGE_COOKIE) {
        Some(challenge) => crate::services::auth::two_factor::challenge_email(&req.db, &challenge).await,
        None => Ok(None),
    }
}

/// Answers the waiting sign-in with a code from the authenticator app or a recovery code.
#[server]
pub async fn verify_sign_in(otp: String) -> Result<(), AppError> {
    use crate::error::Problem;
    let req = super::ctx::Request::capture()?;
    let agent = req.user_agent();
    let challenge = req.private_cookie(super::ctx::CHALLENGE_COOKIE).unwrap_or_default();
    let verified = crate::services::auth::two_factor::verify_sign_in(&req.db, &challenge, &otp, &req.client_ip(), agent.as_deref()).await;
    match verified {
        Ok((token, _)) => {
            req.set_cookie(req.private_cookie_header(super::ctx::CHALLENGE_COOKIE, "", 0));
            req.set_cookie(req.session_cookie(&token, crate::services::auth::SESSION_DAYS * 86_400));
            Ok(())
        }
        Err(e) => {
            if matches!(e, AppError::Validation { problem: Problem::ChallengeExpired, .. }) {
                req.set_cookie(req.private_cookie_header(super::ctx::CHALLENGE_COOKIE, "", 0));
            }
            Err(e)
        }
    }
}

/// Drops the waiting sign-in: back to the password.
#[server]
pub async fn cancel_sign_in() -> Result<(), AppError> {
    let req = super::ctx::Request::capture()?;
    if let Some(challenge) = req.private_cookie(super::ctx::CHALLENGE_COOKIE) {
        crate::services::auth::two_factor::cancel_challenge(&req.db, &challenge).await?;
    }
    req.set_cookie(req.private_cookie_header(super::ctx::CHALLENGE_COOKIE, "", 0));
    Ok(())
}

#[server]
pub async fn sign_out() -> Result<(), AppError> {
    let req = super::ctx::Request::capture()?;
    if let Some(token) = req.session_token() {
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

/// The account page: the user's sessions, sign-in history and two-factor sign-in (an administrator may
/// look at another user's history, reset their password and turn their two-factor sign-in off).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SecurityPage {
    pub user_id: i64,
    pub user_name: String,
    /// The page is about the signed-in user (not an administrator looking at someone).
    pub own: bool,
    pub must_change_password: bool,
    /// The user's role requires two-factor sign-in, which they have not set up.
    pub must_enrol_two_factor: bool,
    pub two_factor: TwoFactorStatus,
    /// Recovery codes just made, shown this once (see `api::two_factor`).
    pub new_recovery_codes: Vec<String>,
    pub sessions: Vec<SessionView>,
    pub sign_ins: Vec<SignInEntry>,
    /// E-mails sent and exports taken (the usage log).
    pub uses: Vec<UseEntry>,
}

#[server]
pub async fn get_security(user: Option<i64>) -> Result<SecurityPage, AppError> {
    use crate::services::auth;
    let (req, actor) = super::ctx::signed_in_to_change_password().await?;
    let user_id = user.unwrap_or(actor.id);
    let own = user_id == actor.id;
    if !own && (actor.role != crate::domain::Role::Admin || actor.held_back()) {
        return Err(AppError::NotFound);
    }
    let token = req.session_token().unwrap_or_default();
    let sessions = if own { auth::sessions(&req.db, &actor, &token).await? } else { Vec::new() };
    let user_name = if own { actor.name.clone() } else { auth::user_by_id(&req.db, user_id).await?.name };
    let new_recovery_codes = match req.private_cookie(super::ctx::NEW_CODES_COOKIE).filter(|_| own) {
        Some(codes) => {
            req.set_cookie(req.private_cookie_header(super::ctx::NEW_CODES_COOKIE, "", 0));
            codes.split('_').filter(|c| crate::domain::totp::normalize_recovery(c).is_some()).map(str::to_string).collect()
        }
        None => Vec::new(),
    };
    Ok(SecurityPage {
        user_id,
        user_name,
        own,
        must_change_password: own && actor.must_change_password,
        must_enrol_two_factor: own && actor.must_enrol_two_factor,
        two_factor: auth::two_factor::status(&req.db, &actor, user_id).await?,
        new_recovery_codes,
        sessions,
        sign_ins: auth::sign_in_log(&req.db, &actor, user_id).await?,
        uses: crate::services::limits::uses(&req.db, &actor, user_id).await?,
    })
}

#[server]
pub async fn change_password(current_password: String, new_password: String) -> Result<(), AppError> {
    let (req, actor) = super::ctx::signed_in_to_change_password().await?;
    let token = req.session_token().ok_or(AppError::Unauthorized)?;
    crate::services::auth::change_password(&req.db, &actor, &token, &current_password, &new_password).await.map_err(|e| match e {
        // The policy names the field the form calls `new_password`.
        AppError::Validation { field, problem } if field == "password" => AppError::Validation { field: "new_password".into(), problem },
        other => other,
    })
}

#[server]
pub async fn end_session(id: String) -> Result<(), AppError> {
    let (req, actor) = super::ctx::signed_in_to_change_password().await?;
    crate::services::auth::end_session(&req.db, &actor, &id).await
}

#[server]
pub async fn reset_password(user_id: i64, password: String) -> Result<(), AppError> {
    let (db, actor) = super::ctx::signed_in().await?;
    crate::services::auth::reset_password(&db, &actor, user_id, &password).await
}

/// The signed-in user's e-mail signature (the `{signature}` of campaign messages).
#[server]
pub async fn get_signature() -> Result<String, AppError> {
    let (db, actor) = super::ctx::signed_in().await?;
    crate::services::email::signature(&db, &actor).await
}

/// Sets the signed-in user's e-mail signature; empty removes it.
#[server]
pub async fn save_signature(signature: String) -> Result<(), AppError> {
    let (db, actor) = super::ctx::signed_in().await?;
    crate::services::email::set_signature(&db, &actor, &signature).await
}
