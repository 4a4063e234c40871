//! Two-factor sign-in on the account page (enrol, new recovery codes, turn off) and in administration
//! (roles that require it, turning a user's off). The sign-in's own step is in `session.rs`.
//!
//! New recovery codes reach the page in a short-lived HttpOnly cookie that the account page's next
//! load (`get_security`) reads once and removes: so they are shown once, with or without JavaScript
//! (a form posted without it is answered with a redirect, which carries no data), and never stored
//! anywhere but hashed.

use crate::error::AppError;
use leptos::prelude::*;

/// How long new recovery codes wait for the page that shows them.
#[cfg(feature = "ssr")]
const NEW_CODES_SECONDS: i64 = 600;

#[cfg(feature = "ssr")]
fn hand_over(req: &super::ctx::Request, codes: &[String]) {
    req.set_cookie(req.private_cookie_header(super::ctx::NEW_CODES_COOKIE, &codes.join("_"), NEW_CODES_SECONDS));
}

/// Begins enrolling an authenticator app (the password first).
#[server]
pub async fn begin_two_factor(password: String) -> Result<(), AppError> {
    let (req, actor) = super::ctx::signed_in_to_change_password().await?;
    crate::services::auth::two_factor::begin_enrolment(&req.db, &actor, &password).await
}

#[server]
pub async fn cancel_two_factor() -> Result<(), AppError> {
    let (req, actor) = super::ctx::signed_in_to_change_password().await?;
    crate::services::auth::two_factor::cancel_enrolment(&req.db, &actor).await
}

/// Confirms the enrolment with the app's first code; the recovery codes follow on the page.
#[server]
pub async fn confirm_two_factor(otp: String) -> Result<(), AppError> {
    let (req, actor) = super::ctx::signed_in_to_change_password().await?;
    let codes = crate::services::auth::two_factor::confirm_enrolment(&req.db, &actor, &otp).await?;
    hand_over(&req, &codes);
    Ok(())
}

/// New recovery codes (confirmed with a code from the app); they follow on the page.
#[server]
pub async fn renew_recovery_codes(otp: String) -> Result<(), AppError> {
    let (req, actor) = super::ctx::signed_in_to_change_password().await?;
    let codes = crate::services::auth::two_factor::regenerate_recovery_codes(&req.db, &actor, &otp).await?;
    hand_over(&req, &codes);
    Ok(())
}

/// Turns two-factor sign-in off (a code from the app, or the password).
#[server]
pub async fn turn_off_two_factor(proof: String) -> Result<(), AppError> {
    let (req, actor) = super::ctx::signed_in_to_change_password().await?;
    crate::services::auth::two_factor::turn_off(&req.db, &actor, &proof).await
}

/// An administrator turns a user's two-factor sign-in off.
#[server]
pub async fn reset_two_factor(user_id: i64) -> Result<(), AppError> {
    let (db, actor) = super::ctx::signed_in().await?;
    crate::services::auth::two_factor::reset(&db, &actor, user_id).await
}

/// The roles that must sign in with two factors (administration).
#[server]
pub async fn set_two_factor_roles(#[server(default)] roles: Vec<String>) -> Result<(), AppError> {
    let (db, actor) = super::ctx::signed_in().await?;
    crate::services::auth::two_factor::set_required_roles(&db, &actor, &roles).await
}
