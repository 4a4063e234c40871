//! Two-factor sign-in (RFC 6238, `domain::totp`): a user enrols an authenticator app from their
//! account page and gets ten single-use recovery codes; from then on a right password opens a
//! challenge, not a session, and a code from the app (or a recovery code) answers it. An administrator
//! can require two-factor sign-in for roles, and turn off a user's (a lost phone).
//!
//! Guessing a code is limited three ways: five tries per challenge, after which it ends; every wrong
//! code counts as a failed sign-in of the e-mail from its address (`begin_attempt`, the password's
//! throttle); and a code works once (the step of the last code used is kept). Codes asked on the account
//! page (new recovery codes, turning it off) are counted per user like the current password
//! (`passwords::Check`).

use super::{begin_attempt, log_sign_in, open_session, token_hash, Actor, Check};
use crate::db::{now, Db, Tx};
use crate::domain::totp::{self, CodeCheck};
use crate::domain::validate::field;
use crate::domain::{Role, TwoFactorSetup, TwoFactorStatus};
use crate::error::{AppError, Problem};
use crate::services::audit;
use sqlx::Row;

/// Minutes a right password waits for its code.
pub const CHALLENGE_MINUTES: i64 = 5;
/// Codes one challenge may be answered with before it ends.
pub const MAX_CODE_ATTEMPTS: i64 = 5;
/// Recovery codes a user gets at a time.
pub const RECOVERY_CODES: usize = 10;
/// Settings key of the roles that must sign in with two factors (role codes, comma-separated).
pub const REQUIRED_ROLES_KEY: &str = "two_factor_roles";

/// The roles of a stored `two_factor_roles` setting (unknown codes skipped).
pub fn parse_roles(value: &str) -> Vec<Role> {
    value.split(',').filter_map(|r| Role::parse(r.trim())).collect()
}

fn now_step() -> i64 {
    totp::step_at(chrono::Utc::now().timestamp())
}

fn expired() -> AppError {
    field("otp", Problem::ChallengeExpired)
}

// ---------------------------------------------------------------------------------------------------
// Sign-in
// ---------------------------------------------------------------------------------------------------

/// Opens the challenge a right password leads to for a user with two-factor sign-in, in the sign-in's
/// transaction; returns its raw token (the browser keeps it in a cookie, the database its hash).
pub(super) async fn open_challenge(tx: &mut Tx, user_id: i64, ip: &str, user_agent: Option<&str>) -> Result<String, AppError> {
    let token = hex::encode(rand::random::<[u8; 32]>());
    let expires = crate::clock::stamp(chrono::Utc::now() + chrono::Duration::minutes(CHALLENGE_MINUTES));
    sqlx::query("DELETE FROM sign_in_challenges WHERE expires_at < $1").bind(now()).execute(&mut **tx).await?;
    sqlx::query(
        "INSERT INTO sign_in_challenges (token_hash, user_id, created_at, expires_at, attempts, ip, user_agent) VALUES ($1, $2, $3, $4, 0, $5, $6)",
    )
    .bind(token_hash(&token))
    .bind(user_id)
    .bind(now())
    .bind(expires)
    .bind(ip)
    .bind(user_agent)
    .execute(&mut **tx)
    .await?;
    Ok(token)
}

/// The e-mail a live challenge signs in (for the code form), or None when it ended or never was.
pub async fn challenge_email(db: &Db, challenge: &str) -> Result<Option<String>, AppError> {
    Ok(sqlx::query(
        "SELECT u.email FROM sign_in_challenges c JOIN users u ON u.id = c.user_id \
         WHERE c.token_hash = $1 AND c.expires_at > $2 AND c.attempts < $3 AND u.active = 1",
    )
    .bind(token_hash(challenge))
    .bind(now())
    .bind(MAX_CODE_ATTEMPTS)
    .fetch_optional(&db.pool)
    .await?
    .map(|r| r.get("email")))
}

/// Ends a challenge unanswered (the user goes back to the password).
pub async fn cancel_challenge(db: &Db, challenge: &str) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM sign_in_challenges WHERE token_hash = $1").bind(token_hash(challenge)).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}

/// Answers a sign-in's challenge with a code from the authenticator app or a recovery code, and opens
/// the session as a password alone does (the session, the adoption report's sign-in, the log's "ok";
/// "recovery_code" when a recovery code was used). Each answer is logged; a wrong one counts against
/// the challenge (`MAX_CODE_ATTEMPTS`, then it ends) and against the e-mail from its address like a
/// wrong password.
pub async fn verify_sign_in(db: &Db, challenge: &str, typed: &str, ip: &str, user_agent: Option<&str>) -> Result<(String, i64), AppError> {
    let user_agent = user_agent.map(|u| u.chars().take(300).collect::<String>());
    let hash = token_hash(challenge);
    let found = sqlx::query_as::<_, (i64, String)>(
        "SELECT c.user_id, u.email FROM sign_in_challenges c JOIN users u ON u.id = c.user_id \
         WHERE c.token_hash = $1 AND c.expires_at > $2 AND c.attempts < $3 AND u.active = 1",
    )
    .bind(&hash)
    .bind(now())
    .bind(MAX_CODE_ATTEMPTS)
    .fetch_optional(&db.pool)
    .await?;
    let Some((user_id, email)) = found else { return Err(expired()) };
    match verify_checked(db, &hash, user_id, &email, typed, ip, user_agent.as_deref()).await {
        Ok((token, recovery)) => {
            log_sign_in(db, &email, ip, user_agent.as_deref(), if recovery { "recovery_code" } else { "ok" }).await?;
            Ok((token, user_id))
        }
        Err(Refusal(error, logged)) => {
            if let Some(what) = logged {
                log_sign_in(db, &email, ip, user_agent.as_deref(), what).await?;
            }
            Err(error)
        }
    }
}

/// A refused answer, and what the sign-in log says about it (nothing for an answer never checked).
struct Refusal(AppError, Option<&'static str>);

impl From<AppError> for Refusal {
    fn from(e: AppError) -> Self {
        Refusal(e, None)
    }
}

impl From<sqlx::Error> for Refusal {
    fn from(e: sqlx::Error) -> Self {
        Refusal(e.into(), None)
    }
}

/// [`verify_sign_in`]'s checks; Ok is the session's token and whether a recovery code opened it.
async fn verify_checked(
    db: &Db,
    hash: &str,
    user_id: i64,
    email: &str,
    typed: &str,
    ip: &str,
    user_agent: Option<&str>,
) -> Result<(String, bool), Refusal> {
    // The try counts against the challenge before anything is checked, however many race.
    let mut tx = db.begin().await?;
    let tries: Option<i64> = sqlx::query(
        "UPDATE sign_in_challenges SET attempts = attempts + 1 WHERE token_hash = $1 AND expires_at > $2 AND attempts < $3 RETURNING attempts",
    )
    .bind(hash)
    .bind(now())
    .bind(MAX_CODE_ATTEMPTS)
    .fetch_optional(&mut *tx)
    .await?
    .map(|r| r.get("attempts"));
    tx.commit().await?;
    let Some(tries) = tries else { return Err(expired().into()) };
    // And against the e-mail from this address, as a password would.
    let ip = &crate::domain::net::throttle_key(ip);
    let attempt = begin_attempt(db, email, ip).await.map_err(|e| match e {
        AppError::Validation { problem: p @ Problem::TooManyAttempts(_), .. } => Refusal(field("otp", p), Some("throttled")),
        other => Refusal(other, None),
    })?;
    if attempt.delay > 0 {
        tokio::time::sleep(std::time::Duration::from_secs(attempt.delay)).await;
    }
    let mut tx = db.begin().await?;
    let spent = spend(&mut tx, user_id, typed, Secret::Enabled, true).await?;
    if matches!(spent, Spent::Code | Spent::Recovery) {
        sqlx::query("UPDATE login_attempts SET success = 1 WHERE id = $1").bind(attempt.id).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM sign_in_challenges WHERE token_hash = $1").bind(hash).execute(&mut *tx).await?;
        let token = open_session(&mut tx, user_id, ip, user_agent).await?;
        tx.commit().await?;
        return Ok((token, spent == Spent::Recovery));
    }
    drop(tx);
    if spent == Spent::NoSecret {
        // An administrator turned two-factor off meanwhile: the password alone signs in now.
        cancel_challenge_by_hash(db, hash).await?;
        return Err(expired().into());
    }
    let left = MAX_CODE_ATTEMPTS - tries;
    if left <= 0 {
        cancel_challenge_by_hash(db, hash).await?;
        return Err(Refusal(expired(), Some("wrong_code")));
    }
    let problem = if spent == Spent::Used { Problem::CodeUsed } else { Problem::Mismatch(Some(left)) };
    Err(Refusal(field("otp", problem), Some("wrong_code")))
}

async fn cancel_challenge_by_hash(db: &Db, hash: &str) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM sign_in_challenges WHERE token_hash = $1").bind(hash).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------------
// Codes
// ---------------------------------------------------------------------------------------------------

/// Which of a user's secrets a code is checked against.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Secret {
    /// The one in use.
    Enabled,
    /// The one being enrolled (not confirmed yet).
    Pending,
}

/// What a typed code turned out to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Spent {
    /// A right code from the app, now used up.
    Code,
    /// A recovery code, now used up.
    Recovery,
    /// A right code whose step was used before.
    Used,
    Wrong,
    /// The user has no such secret.
    NoSecret,
}

/// Checks `typed` against the user's authenticator secret and, with `recovery`, their unused recovery
/// codes; a right one is used up in `tx`: its time step (no code of it or before works again) or the
/// recovery code. Written so that of two requests with one code only one succeeds.
async fn spend(tx: &mut Tx, user_id: i64, typed: &str, secret: Secret, recovery: bool) -> Result<Spent, AppError> {
    let sql = match secret {
        Secret::Enabled => "SELECT secret, last_step FROM totp_secrets WHERE user_id = $1 AND enabled_at IS NOT NULL",
        Secret::Pending => "SELECT secret, last_step FROM totp_secrets WHERE user_id = $1 AND enabled_at IS NULL",
    };
    let Some((stored, last_step)) = sqlx::query_as::<_, (String, i64)>(sql).bind(user_id).fetch_optional(&mut **tx).await? else {
        return Ok(Spent::NoSecret);
    };
    if let Some(code) = totp::as_code(typed) {
        let Some(key) = totp::decode_secret(&stored) else {
            tracing::error!(user_id, "a stored authenticator secret is not base32");
            return Err(AppError::Internal);
        };
        return Ok(match totp::check_code(&key, &code, now_step(), last_step) {
            CodeCheck::Valid(step) => {
                let n = sqlx::query("UPDATE totp_secrets SET last_step = $1 WHERE user_id = $2 AND last_step < $1")
                    .bind(step)
                    .bind(user_id)
                    .execute(&mut **tx)
                    .await?
                    .rows_affected();
                if n == 1 {
                    Spent::Code
                } else {
                    Spent::Used
                }
            }
            CodeCheck::Used => Spent::Used,
            CodeCheck::Wrong => Spent::Wrong,
        });
    }
    if let (true, Some(code)) = (recovery, totp::normalize_recovery(typed)) {
        let n = sqlx::query("UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL")
            .bind(now())
            .bind(user_id)
            .bind(token_hash(&code))
            .execute(&mut **tx)
            .await?
            .rows_affected();
        if n > 0 {
            return Ok(Spent::Recovery);
        }
    }
    Ok(Spent::Wrong)
}

/// Replaces the user's recovery codes with `RECOVERY_CODES` new ones; returns them as shown (they are
/// stored hashed only).
async fn new_recovery_codes(tx: &mut Tx, user_id: i64) -> Result<Vec<String>, AppError> {
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1").bind(user_id).execute(&mut **tx).await?;
    let mut codes = Vec::with_capacity(RECOVERY_CODES);
    let at = now();
    for _ in 0..RECOVERY_CODES {
        let code = totp::recovery_code(&rand::random());
        let stored = totp::normalize_recovery(&code).ok_or(AppError::Internal)?;
        sqlx::query("INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES ($1, $2, $3)")
            .bind(user_id)
            .bind(token_hash(&stored))
            .bind(&at)
            .execute(&mut **tx)
            .await?;
        codes.push(code);
    }
    Ok(codes)
}

/// The actor's proof that a code (not a recovery code) from their app is right, counted per user;
/// returns the open transaction that used the code up, for the change it allows.
async fn spend_checked(db: &Db, actor: &Actor, typed: &str, form_field: &str) -> Result<Tx, AppError> {
    let check = Check::begin(db, actor.id, form_field).await?;
    let mut tx = db.begin().await?;
    match spend(&mut tx, actor.id, typed, Secret::Enabled, false).await? {
        Spent::Code | Spent::Recovery => {}
        Spent::Used => return Err(field(form_field, Problem::CodeUsed)),
        Spent::NoSecret => return Err(AppError::NotFound),
        Spent::Wrong => return Err(field(form_field, Problem::Mismatch(Some(check.left())))),
    }
    check.passed_in(&mut tx, actor.id).await?;
    Ok(tx)
}

// ---------------------------------------------------------------------------------------------------
// The account page
// ---------------------------------------------------------------------------------------------------

/// A user's two-factor sign-in for the account page: their own, or any user's for an administrator
/// (who never sees an enrolment's secret).
pub async fn status(db: &Db, actor: &Actor, user_id: i64) -> Result<TwoFactorStatus, AppError> {
    if user_id != actor.id && actor.role != Role::Admin {
        return Err(AppError::NotFound);
    }
    let (email, role, secret, enabled_at) = sqlx::query_as::<_, (String, String, Option<String>, Option<String>)>(
        "SELECT u.email, u.role, tf.secret, tf.enabled_at FROM users u LEFT JOIN totp_secrets tf ON tf.user_id = u.id WHERE u.id = $1",
    )
    .bind(user_id)
    .fetch_optional(&db.pool)
    .await?
    .ok_or(AppError::NotFound)?;
    let recovery_left: i64 = sqlx::query("SELECT COUNT(*) AS n FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL")
        .bind(user_id)
        .fetch_one(&db.pool)
        .await?
        .try_get("n")?;
    let roles = required_roles(db).await?;
    let required = Role::parse(&role).is_some_and(|r| roles.contains(&r));
    let setup = match (&secret, &enabled_at) {
        (Some(secret), None) if user_id == actor.id => {
            let uri = totp::otpauth_uri(&email, secret);
            let qr_svg = totp::qr_svg(&uri).ok_or_else(|| {
                tracing::error!("the enrolment address does not fit a QR code");
                AppError::Internal
            })?;
            Some(TwoFactorSetup { qr_svg, secret: totp::secret_groups(secret), uri })
        }
        _ => None,
    };
    Ok(TwoFactorStatus { enabled_at: enabled_at.map(|e| crate::clock::to_local(&e)), recovery_left, required, setup })
}

/// Begins enrolling an authenticator app: after the password (counted per user like every proof on
/// the account page), a new secret waits for its first code ([`confirm_enrolment`]). One begun before
/// and not confirmed is replaced.
pub async fn begin_enrolment(db: &Db, actor: &Actor, password: &str) -> Result<(), AppError> {
    let check = Check::begin(db, actor.id, "password").await?;
    let (hash,): (String,) = sqlx::query_as("SELECT password_hash FROM users WHERE id = $1").bind(actor.id).fetch_one(&db.pool).await?;
    if !super::check_password_hash(password, &hash).await? {
        return Err(field("password", Problem::Mismatch(Some(check.left()))));
    }
    check.passed(db, actor.id).await?;
    let secret = totp::encode_secret(&rand::random::<[u8; totp::SECRET_BYTES]>());
    let mut tx = db.begin().await?;
    let on: i64 = sqlx::query("SELECT COUNT(*) AS n FROM totp_secrets WHERE user_id = $1 AND enabled_at IS NOT NULL")
        .bind(actor.id)
        .fetch_one(&mut *tx)
        .await?
        .try_get("n")?;
    if on > 0 {
        return Err(AppError::Conflict);
    }
    sqlx::query("DELETE FROM totp_secrets WHERE user_id = $1").bind(actor.id).execute(&mut *tx).await?;
    sqlx::query("INSERT INTO totp_secrets (user_id, secret, created_at, last_step) VALUES ($1, $2, $3, 0)")
        .bind(actor.id)
        .bind(&secret)
        .bind(now())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Drops an enrolment begun and not confirmed.
pub async fn cancel_enrolment(db: &Db, actor: &Actor) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM totp_secrets WHERE user_id = $1 AND enabled_at IS NULL").bind(actor.id).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}

/// Confirms an enrolment with the first code the app shows: two-factor sign-in is on from now, and the
/// user gets their recovery codes (returned once; stored hashed).
pub async fn confirm_enrolment(db: &Db, actor: &Actor, typed: &str) -> Result<Vec<String>, AppError> {
    let mut tx = db.begin().await?;
    match spend(&mut tx, actor.id, typed, Secret::Pending, false).await? {
        Spent::Code | Spent::Recovery => {}
        Spent::Used => return Err(field("otp", Problem::CodeUsed)),
        Spent::NoSecret => return Err(AppError::Conflict),
        Spent::Wrong => return Err(field("otp", Problem::Mismatch(None))),
    }
    sqlx::query("UPDATE totp_secrets SET enabled_at = $1 WHERE user_id = $2").bind(now()).bind(actor.id).execute(&mut *tx).await?;
    let codes = new_recovery_codes(&mut tx, actor.id).await?;
    audit::updated(
        &mut tx,
        "user",
        actor.id,
        Some(actor),
        &vec![("two_factor", Some("off".into()))],
        &vec![("two_factor", Some("on".into()))],
    )
    .await?;
    tx.commit().await?;
    Ok(codes)
}

/// New recovery codes in place of the old ones (all of them stop working), confirmed with a code from
/// the app.
pub async fn regenerate_recovery_codes(db: &Db, actor: &Actor, typed: &str) -> Result<Vec<String>, AppError> {
    let mut tx = spend_checked(db, actor, typed, "otp").await?;
    let codes = new_recovery_codes(&mut tx, actor.id).await?;
    audit::updated(&mut tx, "user", actor.id, Some(actor), &vec![("recovery_codes", None)], &vec![("recovery_codes", Some("new".into()))])
        .await?;
    tx.commit().await?;
    Ok(codes)
}

/// Turns the actor's two-factor sign-in off, confirmed with a code from the app or the password;
/// refused while their role requires it.
pub async fn turn_off(db: &Db, actor: &Actor, proof: &str) -> Result<(), AppError> {
    if required_roles(db).await?.contains(&actor.role) {
        return Err(field("proof", Problem::RequiredForRole));
    }
    let mut tx = if totp::as_code(proof).is_some() {
        spend_checked(db, actor, proof, "proof").await?
    } else {
        let check = Check::begin(db, actor.id, "proof").await?;
        let (hash,): (String,) = sqlx::query_as("SELECT password_hash FROM users WHERE id = $1").bind(actor.id).fetch_one(&db.pool).await?;
        if !super::check_password_hash(proof, &hash).await? {
            return Err(field("proof", Problem::Mismatch(Some(check.left()))));
        }
        check.passed(db, actor.id).await?;
        db.begin().await?
    };
    if !remove(&mut tx, actor.id).await? {
        return Err(AppError::NotFound);
    }
    audit::updated(
        &mut tx,
        "user",
        actor.id,
        Some(actor),
        &vec![("two_factor", Some("on".into()))],
        &vec![("two_factor", Some("off".into()))],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// An administrator turns a user's two-factor sign-in off (a lost phone): the user signs in with the
/// password alone, and sets it up again first if their role requires it.
pub async fn reset(db: &Db, actor: &Actor, user_id: i64) -> Result<(), AppError> {
    if actor.role != Role::Admin {
        return Err(AppError::Forbidden);
    }
    let mut tx = db.begin().await?;
    if !remove(&mut tx, user_id).await? {
        return Err(AppError::NotFound);
    }
    audit::updated(
        &mut tx,
        "user",
        user_id,
        Some(actor),
        &vec![("two_factor", Some("on".into()))],
        &vec![("two_factor", Some("reset".into()))],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Removes a user's secret, recovery codes and waiting challenges; whether two-factor was on.
async fn remove(tx: &mut Tx, user_id: i64) -> Result<bool, AppError> {
    let on: i64 = sqlx::query("SELECT COUNT(*) AS n FROM totp_secrets WHERE user_id = $1 AND enabled_at IS NOT NULL")
        .bind(user_id)
        .fetch_one(&mut **tx)
        .await?
        .try_get("n")?;
    for table in ["totp_secrets", "recovery_codes", "sign_in_challenges"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE user_id = $1")).bind(user_id).execute(&mut **tx).await?;
    }
    Ok(on > 0)
}

// ---------------------------------------------------------------------------------------------------
// Roles that must use it
// ---------------------------------------------------------------------------------------------------

/// The roles that must sign in with two factors.
pub async fn required_roles(db: &Db) -> Result<Vec<Role>, AppError> {
    let v: Option<String> = sqlx::query("SELECT value FROM settings WHERE key = $1")
        .bind(REQUIRED_ROLES_KEY)
        .fetch_optional(&db.pool)
        .await?
        .map(|r| r.get("value"));
    Ok(parse_roles(v.as_deref().unwrap_or("")))
}

/// An administrator sets the roles that must sign in with two factors (role codes); audited. Their
/// users without it are held on their account page until they set it up (`session_user`).
pub async fn set_required_roles(db: &Db, actor: &Actor, roles: &[String]) -> Result<(), AppError> {
    if actor.role != Role::Admin {
        return Err(AppError::Forbidden);
    }
    let mut chosen = Vec::new();
    for r in roles {
        chosen.push(Role::parse(r.trim()).ok_or_else(|| field("roles", Problem::InvalidChoice))?);
    }
    let value = Role::ALL.iter().filter(|r| chosen.contains(r)).map(|r| r.code()).collect::<Vec<_>>().join(",");
    let mut tx = db.begin().await?;
    let old: Option<String> = sqlx::query("SELECT value FROM settings WHERE key = $1")
        .bind(REQUIRED_ROLES_KEY)
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| r.get("value"));
    sqlx::query("DELETE FROM settings WHERE key = $1").bind(REQUIRED_ROLES_KEY).execute(&mut *tx).await?;
    sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2)").bind(REQUIRED_ROLES_KEY).bind(&value).execute(&mut *tx).await?;
    audit::updated(
        &mut tx,
        "setting",
        0,
        Some(actor),
        &vec![(REQUIRED_ROLES_KEY, old.or(Some(String::new())))],
        &vec![(REQUIRED_ROLES_KEY, Some(value))],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
