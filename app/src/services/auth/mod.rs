//! Users, teams, sign-in with a rate limit (and a second factor for those who turned it on), and
//! database-backed sessions that survive restarts and work across several Veza servers on one database.
//! Passwords are in `passwords.rs`, two-factor sign-in in `two_factor.rs`.

mod passwords;
pub mod two_factor;

pub(crate) use passwords::Check;
pub use passwords::{change_password, check_password, check_password_hash, hash_password, reset_password, verify_password, MIN_PASSWORD};

use super::{audit, Actor};
use crate::db::{now, Db, Tx};
use crate::domain::validate::{field, required, required_email};
use crate::domain::{Role, Team, UserView};
use crate::error::{AppError, Problem};
use sha2::{Digest, Sha256};
use sqlx::Row;

pub const SESSION_DAYS: i64 = 30;
/// Failed sign-ins allowed per e-mail from one address (and 4× per address) in `LOCKOUT_MINUTES`.
pub const MAX_FAILURES: i64 = 5;
pub const LOCKOUT_MINUTES: i64 = 15;
/// The longest an attempt at an e-mail that many addresses have failed at is held back.
pub const MAX_DELAY_SECONDS: u64 = 10;

/// What happens to a user's records when an administrator moves the user to another team.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordsOnMove {
    /// They go with the user: the new team sees them, the old one no longer does.
    Move,
    /// They stay with the old team (the user, as their owner, still sees them).
    Keep,
}

/// The tables whose records have an owner and the owner's team.
const OWNED_TABLES: [&str; 8] =
    ["accounts", "contacts", "opportunities", "leads", "activities", "notes", "documents", "field_observations"];

/// Seconds an attempt waits after `failures` failures at its e-mail from any address: none up to
/// `MAX_FAILURES`, then one more per failure, at most `MAX_DELAY_SECONDS`.
pub fn sign_in_delay(failures: i64) -> u64 {
    (failures - MAX_FAILURES + 1).clamp(0, MAX_DELAY_SECONDS as i64) as u64
}

/// The stored form of a secret token (sessions, calendar feeds): its SHA-256.
pub(crate) fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// How long a session may go unused before it ends: `VEZA_SESSION_IDLE_HOURS`, else a week.
pub fn idle_hours() -> i64 {
    static HOURS: std::sync::OnceLock<i64> = std::sync::OnceLock::new();
    *HOURS
        .get_or_init(|| std::env::var("VEZA_SESSION_IDLE_HOURS").ok().and_then(|v| v.trim().parse().ok()).filter(|h| *h > 0).unwrap_or(168))
}

/// A session's last use is written at most this often.
const TOUCH_MINUTES: i64 = 5;
/// How long the sign-in log keeps an attempt.
pub const SIGN_IN_LOG_DAYS: i64 = 365;

pub struct NewUser {
    pub email: String,
    pub name: String,
    pub role: String,
    pub team_id: Option<i64>,
    pub password: String,
}

pub async fn user_count(db: &Db) -> Result<i64, AppError> {
    Ok(sqlx::query("SELECT COUNT(*) AS n FROM users").fetch_one(&db.pool).await?.try_get("n")?)
}

/// Creates a user. `actor` None is the command line or first-run setup.
pub async fn create_user(db: &Db, actor: Option<&Actor>, input: NewUser) -> Result<i64, AppError> {
    insert_user(db, actor, input, false).await
}

/// Creates a user; with `only_if_first`, refuses (Forbidden) when any user exists, checked inside
/// the write transaction so two simultaneous first-run setups cannot both succeed.
async fn insert_user(db: &Db, actor: Option<&Actor>, input: NewUser, only_if_first: bool) -> Result<i64, AppError> {
    if let Some(a) = actor {
        if a.role != Role::Admin {
            return Err(AppError::Forbidden);
        }
    }
    let email = required_email("email", &input.email)?;
    let name = required("name", &input.name, 120)?;
    let role = Role::parse(input.role.trim()).ok_or_else(|| field("role", Problem::InvalidChoice))?;
    check_password(&input.password)?;
    let hash = hash_password(&input.password).await?;
    let mut tx = db.begin().await?;
    if only_if_first {
        if db.backend == crate::db::Backend::Postgres {
            sqlx::query("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE").execute(&mut *tx).await?;
        }
        let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM users").fetch_one(&mut *tx).await?.try_get("n")?;
        if n > 0 {
            return Err(AppError::Forbidden);
        }
    }
    if let Some(team) = input.team_id {
        let exists: i64 =
            sqlx::query("SELECT COUNT(*) AS n FROM teams WHERE id = $1").bind(team).fetch_one(&mut *tx).await?.try_get("n")?;
        if exists == 0 {
            return Err(field("team_id", Problem::InvalidChoice));
        }
    }
    // A taken e-mail is the unique key's error (`AppError::from`), also when two requests race for it.
    let ts = now();
    let id: i64 = sqlx::query(
        "INSERT INTO users (email, name, password_hash, role, team_id, active, created_at, updated_at, version) \
         VALUES ($1, $2, $3, $4, $5, 1, $6, $6, 1) RETURNING id",
    )
    .bind(&email)
    .bind(&name)
    .bind(&hash)
    .bind(role.code())
    .bind(input.team_id)
    .bind(&ts)
    .fetch_one(&mut *tx)
    .await?
    .try_get("id")?;
    audit::created(
        &mut tx,
        "user",
        id,
        actor,
        &vec![
            ("email", Some(email)),
            ("name", Some(name)),
            ("role", Some(role.code().into())),
            ("team_id", input.team_id.map(|t| t.to_string())),
        ],
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Finds a team by name, creating it when missing (command line and setup).
pub async fn ensure_team(db: &Db, name: &str) -> Result<i64, AppError> {
    let name = required("team", name, 80)?;
    if let Some(row) = sqlx::query("SELECT id FROM teams WHERE name = $1").bind(&name).fetch_optional(&db.pool).await? {
        return Ok(row.try_get("id")?);
    }
    let mut tx = db.begin().await?;
    let id: i64 = sqlx::query("INSERT INTO teams (name, created_at) VALUES ($1, $2) RETURNING id")
        .bind(&name)
        .bind(now())
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
    audit::created(&mut tx, "team", id, None, &vec![("name", Some(name))]).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn create_team(db: &Db, actor: &Actor, name: &str) -> Result<i64, AppError> {
    if actor.role != Role::Admin {
        return Err(AppError::Forbidden);
    }
    let name = required("name", name, 80)?;
    let mut tx = db.begin().await?;
    // A taken name is the unique key's error (`AppError::from`).
    let id: i64 = sqlx::query("INSERT INTO teams (name, created_at) VALUES ($1, $2) RETURNING id")
        .bind(&name)
        .bind(now())
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
    audit::created(&mut tx, "team", id, Some(actor), &vec![("name", Some(name))]).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn list_teams(db: &Db) -> Result<Vec<Team>, AppError> {
    let rows = sqlx::query_as::<_, (i64, String)>("SELECT id, name FROM teams ORDER BY name").fetch_all(&db.pool).await?;
    Ok(rows.into_iter().map(|(id, name)| Team { id, name }).collect())
}

/// First-run setup: creates the first administrator (and their team) only while no user exists.
pub async fn setup_first_admin(db: &Db, email: &str, name: &str, password: &str, team: &str) -> Result<i64, AppError> {
    if user_count(db).await? > 0 {
        return Err(AppError::Forbidden);
    }
    let team_id = if team.trim().is_empty() { None } else { Some(ensure_team(db, team).await?) };
    insert_user(
        db,
        None,
        NewUser { email: email.into(), name: name.into(), role: "admin".into(), team_id, password: password.into() },
        true,
    )
    .await
}

type UserTuple = (i64, String, String, String, Option<i64>, Option<String>, i64, i64, Option<String>);
const USER_SELECT: &str = "SELECT u.id, u.email, u.name, u.role, u.team_id, t.name AS team_name, u.active, u.version, tf.enabled_at \
     FROM users u LEFT JOIN teams t ON t.id = u.team_id LEFT JOIN totp_secrets tf ON tf.user_id = u.id";

fn user_view(r: UserTuple) -> UserView {
    UserView {
        id: r.0,
        email: r.1,
        name: r.2,
        role: Role::parse(&r.3).unwrap_or(Role::Sales),
        team_id: r.4,
        team_name: r.5,
        active: r.6 != 0,
        version: r.7,
        two_factor: r.8.is_some(),
    }
}

pub async fn list_users(db: &Db, actor: &Actor) -> Result<Vec<UserView>, AppError> {
    if actor.role != Role::Admin {
        return Err(AppError::Forbidden);
    }
    let rows = sqlx::query_as::<_, UserTuple>(&format!("{USER_SELECT} ORDER BY u.name, u.id")).fetch_all(&db.pool).await?;
    Ok(rows.into_iter().map(user_view).collect())
}

/// Changes role, team and active flag of a user (admin only, versioned). Deactivation ends their sessions.
#[allow(clippy::too_many_arguments)] // the fields of the admin's row form, each checked here
pub async fn update_user(
    db: &Db,
    actor: &Actor,
    id: i64,
    version: i64,
    role: &str,
    team_id: Option<i64>,
    active: bool,
    records: RecordsOnMove,
) -> Result<(), AppError> {
    if actor.role != Role::Admin {
        return Err(AppError::Forbidden);
    }
    let role = Role::parse(role).ok_or_else(|| field("role", Problem::InvalidChoice))?;
    if id == actor.id && (!active || role != Role::Admin) {
        return Err(field("role", Problem::CannotChangeSelf));
    }
    let mut tx = db.begin().await?;
    let old = sqlx::query_as::<_, UserTuple>(&format!("{USER_SELECT} WHERE u.id = $1"))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(AppError::NotFound)?;
    let old = user_view(old);
    crate::domain::check_version(old.version, version)?;
    if let Some(team) = team_id {
        let exists: i64 =
            sqlx::query("SELECT COUNT(*) AS n FROM teams WHERE id = $1").bind(team).fetch_one(&mut *tx).await?.try_get("n")?;
        if exists == 0 {
            return Err(field("team_id", Problem::InvalidChoice));
        }
    }
    let n = sqlx::query(
        "UPDATE users SET role = $1, team_id = $2, active = $3, updated_at = $4, version = version + 1 WHERE id = $5 AND version = $6",
    )
    .bind(role.code())
    .bind(team_id)
    .bind(active as i64)
    .bind(now())
    .bind(id)
    .bind(version)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    crate::db::write::changed_one(n)?;
    audit::updated(
        &mut tx,
        "user",
        id,
        Some(actor),
        &vec![
            ("role", Some(old.role.code().into())),
            ("team_id", old.team_id.map(|t| t.to_string())),
            ("active", Some(old.active.to_string())),
        ],
        &vec![("role", Some(role.code().into())), ("team_id", team_id.map(|t| t.to_string())), ("active", Some(active.to_string()))],
    )
    .await?;
    if team_id != old.team_id && records == RecordsOnMove::Move {
        // What a record's team is follows from its owner (`visibility::resolve_owner`): the user's
        // records go with them, so their new team sees them and their old one no longer does.
        let mut moved = 0;
        for table in OWNED_TABLES {
            let sql = format!("UPDATE {table} SET team_id = $1 WHERE owner_id = $2");
            moved += sqlx::query(&sql).bind(team_id).bind(id).execute(&mut *tx).await?.rows_affected();
        }
        audit::updated(&mut tx, "user", id, Some(actor), &vec![("records_moved", None)], &vec![("records_moved", Some(moved.to_string()))])
            .await?;
    }
    if !active {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Where a right password leads.
#[derive(Debug, PartialEq)]
pub enum SignInStep {
    /// A session is open: its raw token (for the cookie) and the user.
    Session { token: String, user_id: i64 },
    /// The user signs in with a second factor: the raw token of the challenge (for its cookie) that a
    /// code must answer within `two_factor::CHALLENGE_MINUTES` ([`two_factor::verify_sign_in`]).
    SecondFactor { challenge: String, user_id: i64 },
}

/// [`begin_sign_in`] for callers that cannot ask for a code (first-run setup, the command line, tests):
/// a user who signs in with two-factor is refused with `Problem::SecondFactorNeeded`.
pub async fn sign_in(db: &Db, email: &str, password: &str, ip: &str) -> Result<(String, i64), AppError> {
    sign_in_from(db, email, password, ip, None).await
}

/// [`sign_in`] from a browser (its User-Agent kept with the session and in the sign-in log).
pub async fn sign_in_from(db: &Db, email: &str, password: &str, ip: &str, user_agent: Option<&str>) -> Result<(String, i64), AppError> {
    match begin_sign_in(db, email, password, ip, user_agent).await? {
        SignInStep::Session { token, user_id } => Ok((token, user_id)),
        SignInStep::SecondFactor { .. } => Err(field("otp", Problem::SecondFactorNeeded)),
    }
}

/// Checks the password and opens a session, or for a user with two-factor sign-in a challenge that a
/// code must answer (see [`SignInStep`]).
///
/// Guessing is throttled without letting anyone lock a user out: after `MAX_FAILURES` failures for one
/// e-mail from one address (or 4× that from one address for any e-mails) in `LOCKOUT_MINUTES`, that
/// address is refused without a check; failures for one e-mail from many addresses slow every further
/// attempt at it by a second more each (up to `MAX_DELAY_SECONDS`), so the user, signing in from
/// elsewhere, still gets in. Each attempt is first recorded as a failure, in the same write
/// transaction that counts the earlier ones, so parallel guesses cannot slip past the limit. Wrong
/// second-factor codes count as failures the same way ([`two_factor::verify_sign_in`]).
pub async fn begin_sign_in(db: &Db, email: &str, password: &str, ip: &str, user_agent: Option<&str>) -> Result<SignInStep, AppError> {
    let email = email.trim().to_lowercase();
    let user_agent = user_agent.map(|u| u.chars().take(300).collect::<String>());
    if email.len() > 254 {
        return Err(field("password", Problem::WrongCredentials));
    }
    let outcome = sign_in_checked(db, &email, password, ip, user_agent.as_deref()).await;
    let logged = match &outcome {
        Ok(SignInStep::Session { .. }) => Some("ok"),
        Ok(SignInStep::SecondFactor { .. }) => Some("code_needed"),
        Err(AppError::Validation { problem: Problem::WrongCredentials, .. }) => Some("wrong_password"),
        Err(AppError::Validation { problem: Problem::TooManyAttempts(_), .. }) => Some("throttled"),
        Err(_) => None,
    };
    if let Some(what) = logged {
        log_sign_in(db, &email, ip, user_agent.as_deref(), what).await?;
    }
    outcome
}

/// Writes an attempt into the sign-in log (the user's, when the e-mail is one), and lets entries older
/// than `SIGN_IN_LOG_DAYS` go.
async fn log_sign_in(db: &Db, email: &str, ip: &str, user_agent: Option<&str>, outcome: &str) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO sign_in_log (user_id, email, at, ip, user_agent, outcome) VALUES ((SELECT id FROM users WHERE email = $1), $1, $2, $3, $4, $5)",
    )
    .bind(email)
    .bind(now())
    .bind(ip)
    .bind(user_agent)
    .bind(outcome)
    .execute(&mut *tx)
    .await?;
    if outcome == "ok" {
        let cutoff = crate::clock::stamp(chrono::Utc::now() - chrono::Duration::days(SIGN_IN_LOG_DAYS));
        sqlx::query("DELETE FROM sign_in_log WHERE at < $1").bind(cutoff).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// One attempt to sign in (a password, or a second-factor code), recorded as a failure until it
/// succeeds, with the seconds it must wait first.
struct Attempt {
    id: i64,
    delay: u64,
}

/// Counts the failures that decide `email`'s attempt from `ip` (a throttle key): refused past the limit
/// for the pair; otherwise recorded as a failure in the same write transaction, so parallel guesses
/// cannot slip past the limit.
async fn begin_attempt(db: &Db, email: &str, ip: &str) -> Result<Attempt, AppError> {
    let since = (chrono::Utc::now() - chrono::Duration::minutes(LOCKOUT_MINUTES)).format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
    let mut tx = db.begin().await?;
    if db.backend == crate::db::Backend::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))").bind(email).execute(&mut *tx).await?;
    }
    let (pair_failures, email_failures): (i64, i64) = sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(CASE WHEN ip = $2 THEN 1 ELSE 0 END), 0) AS BIGINT), COUNT(*) FROM login_attempts \
         WHERE email = $1 AND at > $3 AND success = 0",
    )
    .bind(email)
    .bind(ip)
    .bind(&since)
    .fetch_one(&mut *tx)
    .await?;
    let ip_failures: i64 = sqlx::query("SELECT COUNT(*) AS n FROM login_attempts WHERE ip = $1 AND at > $2 AND success = 0")
        .bind(ip)
        .bind(&since)
        .fetch_one(&mut *tx)
        .await?
        .try_get("n")?;
    if pair_failures >= MAX_FAILURES {
        return Err(field("password", Problem::TooManyAttempts(LOCKOUT_MINUTES)));
    }
    let id: i64 = sqlx::query("INSERT INTO login_attempts (email, ip, at, success) VALUES ($1, $2, $3, 0) RETURNING id")
        .bind(email)
        .bind(ip)
        .bind(now())
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
    tx.commit().await?;
    // Many failures from one address at any e-mails slow that address (behind a proxy that is not in
    // VEZA_TRUSTED_PROXIES every user shares one address: slowed, never refused).
    let delay = sign_in_delay(email_failures).max(sign_in_delay(ip_failures - MAX_FAILURES * 3));
    Ok(Attempt { id, delay })
}

async fn sign_in_checked(db: &Db, email: &str, password: &str, ip: &str, user_agent: Option<&str>) -> Result<SignInStep, AppError> {
    // The throttle counts an IPv6 client by its /64 network: one host has as many addresses as it likes.
    let ip = &crate::domain::net::throttle_key(ip);
    let attempt = begin_attempt(db, email, ip).await?;
    if attempt.delay > 0 {
        tokio::time::sleep(std::time::Duration::from_secs(attempt.delay)).await;
    }

    let row = sqlx::query_as::<_, (i64, String, Option<String>)>(
        "SELECT u.id, u.password_hash, tf.enabled_at FROM users u LEFT JOIN totp_secrets tf ON tf.user_id = u.id \
         WHERE u.email = $1 AND u.active = 1",
    )
    .bind(email)
    .fetch_optional(&db.pool)
    .await?;
    // Hash even for unknown emails so timing does not reveal which accounts exist.
    let (ok, user_id, second_factor) = match &row {
        Some((id, hash, enabled)) => (check_password_hash(password, hash).await?, *id, enabled.is_some()),
        None => {
            static DUMMY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
            let dummy = DUMMY.get_or_try_init(|| hash_password("veza-timing-equaliser")).await?;
            let _ = check_password_hash(password, dummy).await?;
            (false, 0, false)
        }
    };
    if !ok {
        return Err(field("password", Problem::WrongCredentials));
    }
    let mut tx = db.begin().await?;
    // The password was right: the attempt is no failure. A wrong code after it is one of its own.
    sqlx::query("UPDATE login_attempts SET success = 1 WHERE id = $1").bind(attempt.id).execute(&mut *tx).await?;
    let step = if second_factor {
        let challenge = two_factor::open_challenge(&mut tx, user_id, ip, user_agent).await?;
        SignInStep::SecondFactor { challenge, user_id }
    } else {
        let token = open_session(&mut tx, user_id, ip, user_agent).await?;
        SignInStep::Session { token, user_id }
    };
    tx.commit().await?;
    Ok(step)
}

/// Opens a session for `user_id` whose sign-in succeeded (the caller marked its attempt a success);
/// returns the raw token for the cookie. Expired sessions and challenges and day-old attempts go.
async fn open_session(tx: &mut Tx, user_id: i64, ip: &str, user_agent: Option<&str>) -> Result<String, AppError> {
    let token = hex::encode(rand::random::<[u8; 32]>());
    let expires = (chrono::Utc::now() + chrono::Duration::days(SESSION_DAYS)).format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
    // Housekeeping on the (rare) successful sign-in.
    let day_ago = (chrono::Utc::now() - chrono::Duration::days(1)).format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
    sqlx::query("DELETE FROM sessions WHERE expires_at < $1").bind(now()).execute(&mut **tx).await?;
    sqlx::query("DELETE FROM sign_in_challenges WHERE expires_at < $1").bind(now()).execute(&mut **tx).await?;
    sqlx::query("DELETE FROM login_attempts WHERE at < $1").bind(day_ago).execute(&mut **tx).await?;
    // Kept for the adoption report (sign-ins per user and week).
    sqlx::query("INSERT INTO sign_ins (user_id, at) VALUES ($1, $2)").bind(user_id).bind(now()).execute(&mut **tx).await?;
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at, last_seen_at, ip, user_agent) VALUES ($1, $2, $3, $4, $3, $5, $6)",
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

/// The signed-in user of a session token, if the session is valid, used within the idle limit
/// ([`idle_hours`]) and the user active. A session's last use is written at most every
/// `TOUCH_MINUTES`, not on every request. The user is held back on the account page while an
/// administrator's reset password is not changed, or while their role requires two-factor sign-in
/// that they have not set up.
pub async fn session_user(db: &Db, token: &str) -> Result<Option<Actor>, AppError> {
    type SessionRow = (i64, String, String, String, Option<i64>, Option<String>, i64, Option<String>, Option<String>, Option<String>);
    let hash = token_hash(token);
    let idle_since = crate::clock::stamp(chrono::Utc::now() - chrono::Duration::hours(idle_hours()));
    let row = sqlx::query_as::<_, SessionRow>(
        "SELECT u.id, u.email, u.name, u.role, u.team_id, t.name, u.must_change_password, s.last_seen_at, tf.enabled_at, \
         (SELECT value FROM settings WHERE key = $4) FROM sessions s \
         JOIN users u ON u.id = s.user_id LEFT JOIN teams t ON t.id = u.team_id LEFT JOIN totp_secrets tf ON tf.user_id = u.id \
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active = 1 AND (s.last_seen_at IS NULL OR s.last_seen_at > $3)",
    )
    .bind(&hash)
    .bind(now())
    .bind(idle_since)
    .bind(two_factor::REQUIRED_ROLES_KEY)
    .fetch_optional(&db.pool)
    .await?;
    let Some((id, email, name, role, team_id, team_name, must_change, seen, two_factor_on, required)) = row else { return Ok(None) };
    let stale = crate::clock::stamp(chrono::Utc::now() - chrono::Duration::minutes(TOUCH_MINUTES));
    if seen.is_none_or(|s| s < stale) {
        // Only bookkeeping: a busy database must not sign the user out.
        let touched =
            sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2").bind(now()).bind(&hash).execute(&db.pool).await;
        if let Err(e) = touched {
            tracing::warn!(error = %e, "a session's last use was not recorded");
        }
    }
    let role = Role::parse(&role).unwrap_or(Role::Sales);
    let must_enrol = two_factor_on.is_none() && two_factor::parse_roles(required.as_deref().unwrap_or("")).contains(&role);
    Ok(Some(Actor { id, email, name, role, team_id, team_name, must_change_password: must_change != 0, must_enrol_two_factor: must_enrol }))
}

pub async fn user_by_id(db: &Db, id: i64) -> Result<Actor, AppError> {
    let (id, email, name, role, team_id, team_name) = sqlx::query_as::<_, (i64, String, String, String, Option<i64>, Option<String>)>(
        "SELECT u.id, u.email, u.name, u.role, u.team_id, t.name FROM users u LEFT JOIN teams t ON t.id = u.team_id WHERE u.id = $1",
    )
    .bind(id)
    .fetch_optional(&db.pool)
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(Actor {
        id,
        email,
        name,
        role: Role::parse(&role).unwrap_or(Role::Sales),
        team_id,
        team_name,
        must_change_password: false,
        must_enrol_two_factor: false,
    })
}

pub async fn sign_out(db: &Db, token: &str) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash(token)).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}

/// The actor's open sessions, newest use first; `token` marks the one of this request.
pub async fn sessions(db: &Db, actor: &Actor, token: &str) -> Result<Vec<crate::domain::SessionView>, AppError> {
    let idle_since = crate::clock::stamp(chrono::Utc::now() - chrono::Duration::hours(idle_hours()));
    let rows = sqlx::query_as::<_, (String, String, Option<String>, Option<String>, Option<String>)>(
        "SELECT token_hash, created_at, last_seen_at, ip, user_agent FROM sessions WHERE user_id = $1 AND expires_at > $2 \
         AND (last_seen_at IS NULL OR last_seen_at > $3) ORDER BY COALESCE(last_seen_at, created_at) DESC LIMIT 100",
    )
    .bind(actor.id)
    .bind(now())
    .bind(idle_since)
    .fetch_all(&db.pool)
    .await?;
    let current = token_hash(token);
    Ok(rows
        .into_iter()
        .map(|(hash, created_at, last_seen_at, ip, user_agent)| crate::domain::SessionView {
            current: hash == current,
            id: hash[..16].to_string(),
            created_at: crate::clock::to_local(&created_at),
            last_seen_at: last_seen_at.map(|l| crate::clock::to_local(&l)),
            ip: ip.unwrap_or_default(),
            browser: crate::domain::browser_name(user_agent.as_deref().unwrap_or("")),
        })
        .collect())
}

/// Ends one of the actor's sessions by the id `sessions` showed (the start of its token's hash).
pub async fn end_session(db: &Db, actor: &Actor, id: &str) -> Result<(), AppError> {
    let id = id.to_ascii_lowercase();
    if id.len() != 16 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::NotFound);
    }
    let mut tx = db.begin().await?;
    let n = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash LIKE $2")
        .bind(actor.id)
        .bind(format!("{id}%"))
        .execute(&mut *tx)
        .await?
        .rows_affected();
    tx.commit().await?;
    if n == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// A user's sign-in log, newest first: their own for everyone, any user's for administrators.
pub async fn sign_in_log(db: &Db, actor: &Actor, user_id: i64) -> Result<Vec<crate::domain::SignInEntry>, AppError> {
    if user_id != actor.id && actor.role != Role::Admin {
        return Err(AppError::NotFound);
    }
    let rows = sqlx::query_as::<_, (String, String, Option<String>, String)>(
        "SELECT at, ip, user_agent, outcome FROM sign_in_log WHERE user_id = $1 ORDER BY at DESC, id DESC LIMIT 200",
    )
    .bind(user_id)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(at, ip, user_agent, outcome)| crate::domain::SignInEntry {
            at: crate::clock::to_local(&at),
            ip,
            browser: crate::domain::browser_name(user_agent.as_deref().unwrap_or("")),
            outcome,
        })
        .collect())
}
