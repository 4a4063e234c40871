//! Passwords: hashing (argon2id on two threads of their own), the policy a new one must pass, a user
//! changing theirs and an administrator resetting it; and the limit on proofs of identity (the current
//! password, a code from the authenticator app) a signed-in user may get wrong on the account page.

use super::{token_hash, Actor, LOCKOUT_MINUTES, MAX_FAILURES};
use crate::db::{now, Db, Tx};
use crate::domain::validate::field;
use crate::domain::Role;
use crate::error::{AppError, Problem};
use crate::services::audit;
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use sqlx::Row;

pub const MIN_PASSWORD: usize = 8;

/// Hashes a password (argon2id) on the password threads (see [`on_password_thread`]).
pub async fn hash_password(password: &str) -> Result<String, AppError> {
    let password = password.to_string();
    on_password_thread(move || hash_password_now(&password)).await?
}

fn hash_password_now(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| {
        tracing::error!(error = %e, "password hashing failed");
        AppError::Internal
    })
}

/// Checks a password against its hash on the password threads.
pub async fn check_password_hash(password: &str, hash: &str) -> Result<bool, AppError> {
    let (password, hash) = (password.to_string(), hash.to_string());
    on_password_thread(move || verify_password(&password, &hash)).await
}

type PasswordJob = Box<dyn FnOnce() + Send>;

/// Password jobs waiting or running at most; one more is refused at once ([`Problem::Busy`]) instead
/// of queueing behind a flood (at tens of milliseconds a hash on two threads, the last waits about a
/// second).
const MAX_WAITING: usize = 64;

/// Counts a job in against `MAX_WAITING`; false (and nothing counted) when the queue is full.
fn admit(waiting: &std::sync::atomic::AtomicUsize) -> bool {
    use std::sync::atomic::Ordering;
    waiting.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| (n < MAX_WAITING).then_some(n + 1)).is_ok()
}

/// Runs `job` on one of two dedicated threads. Argon2 takes 19 MiB and tens of milliseconds per hash:
/// on the async workers it would stall every other request, and on ever-new blocking threads each
/// thread's allocator arena kept its 19 MiB (the benchmark saw RSS reach 500 MiB after 50 sign-ins).
/// Two threads bound both the CPU and the memory; a burst of sign-ins queues, up to `MAX_WAITING`.
async fn on_password_thread<T: Send + 'static>(job: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
    use std::sync::mpsc::{channel, Receiver, Sender};
    use std::sync::{Arc, Mutex, OnceLock};
    static QUEUE: OnceLock<Mutex<Sender<PasswordJob>>> = OnceLock::new();
    let queue = QUEUE.get_or_init(|| {
        let (tx, rx) = channel::<PasswordJob>();
        let rx: Arc<Mutex<Receiver<PasswordJob>>> = Arc::new(Mutex::new(rx));
        for i in 0..2 {
            let rx = rx.clone();
            let _ = std::thread::Builder::new().name(format!("veza-password-{i}")).spawn(move || loop {
                let next = rx.lock().map(|r| r.recv());
                match next {
                    Ok(Ok(job)) => job(),
                    _ => break,
                }
            });
        }
        Mutex::new(tx)
    });
    static WAITING: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    /// The job's place in the queue, given back when the job is done, panics, or is never sent.
    struct Slot;
    impl Drop for Slot {
        fn drop(&mut self) {
            WAITING.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
        }
    }
    if !admit(&WAITING) {
        tracing::warn!("password threads busy: a sign-in was refused");
        return Err(field("password", Problem::Busy));
    }
    let slot = Slot;
    let (done, result) = tokio::sync::oneshot::channel();
    let sent = match queue.lock() {
        Ok(q) => q
            .send(Box::new(move || {
                let _slot = slot;
                let _ = done.send(job());
            }))
            .is_ok(),
        Err(_) => false,
    };
    if !sent {
        tracing::error!("password threads are gone");
        return Err(AppError::Internal);
    }
    result.await.map_err(|_| {
        tracing::error!("a password job panicked");
        AppError::Internal
    })
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).map(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok()).unwrap_or(false)
}

/// The password policy: at least `MIN_PASSWORD` characters, and not one of the passwords every guessing
/// list starts with (a word repeated or a run of keys counts as one).
pub fn check_password(password: &str) -> Result<(), AppError> {
    if password.chars().count() < MIN_PASSWORD {
        return Err(field("password", Problem::PasswordTooShort(MIN_PASSWORD as i64)));
    }
    let folded = crate::domain::text::search_key(password).replace(' ', "");
    let distinct: std::collections::HashSet<char> = folded.chars().collect();
    let common = COMMON_PASSWORDS.iter().any(|c| {
        folded == *c || (folded.starts_with(c) && folded.trim_start_matches(c).chars().all(|d| d.is_ascii_digit() || "!.?_-".contains(d)))
    });
    if common || distinct.len() < 4 {
        return Err(field("password", Problem::CommonPassword));
    }
    Ok(())
}

/// Passwords at the top of every guessing list (folded like `search_key`: lower case, no diacritics),
/// Serbian ones among them; one followed only by digits or punctuation counts too ("lozinka123!").
const COMMON_PASSWORDS: &[&str] = &[
    "password",
    "passw0rd",
    "qwerty",
    "qwertz",
    "qwertyuiop",
    "asdfgh",
    "asdfghjkl",
    "zxcvbnm",
    "123456",
    "1234567",
    "12345678",
    "123456789",
    "1234567890",
    "987654321",
    "111111",
    "000000",
    "abc123",
    "iloveyou",
    "welcome",
    "letmein",
    "admin",
    "administrator",
    "monkey",
    "dragon",
    "football",
    "baseball",
    "sunshine",
    "princess",
    "master",
    "shadow",
    "superman",
    "trustno1",
    "changeme",
    "secret",
    "default",
    "login",
    "guest",
    "test",
    "testtest",
    "lozinka",
    "sifra",
    "sifra123",
    "beograd",
    "srbija",
    "zvezda",
    "partizan",
    "volimte",
    "ljubav",
    "korisnik",
    "prodaja",
    "veza",
    "vezacrm",
    "crm",
    "demo",
    "firma",
    "kompanija",
    "proba",
    "probna",
];

/// One proof of identity on the account page (the current password, a code), counted per user: it is
/// recorded as a failure before it is checked, in the write transaction that counts the user's earlier
/// failures, so parallel guesses cannot slip past the limit; [`Check::passed`] marks it a success.
/// After `MAX_FAILURES` failures in `LOCKOUT_MINUTES` further proofs are refused unchecked: whoever
/// holds a stolen session cannot guess the password, or a code, to take the account over.
pub(crate) struct Check {
    id: i64,
    failures: i64,
}

impl Check {
    /// Counts a proof the user is about to give for `field`; refused (on that field) past the limit.
    pub(crate) async fn begin(db: &Db, user_id: i64, field_name: &str) -> Result<Check, AppError> {
        let since = crate::clock::stamp(chrono::Utc::now() - chrono::Duration::minutes(LOCKOUT_MINUTES));
        let mut tx = db.begin().await?;
        if db.backend == crate::db::Backend::Postgres {
            // SQLite's write transaction is already exclusive; Postgres serializes one user's checks.
            sqlx::query("SELECT id FROM users WHERE id = $1 FOR UPDATE").bind(user_id).execute(&mut *tx).await?;
        }
        let failures: i64 = sqlx::query("SELECT COUNT(*) AS n FROM account_checks WHERE user_id = $1 AND at > $2 AND success = 0")
            .bind(user_id)
            .bind(&since)
            .fetch_one(&mut *tx)
            .await?
            .try_get("n")?;
        if failures >= MAX_FAILURES {
            return Err(field(field_name, Problem::TooManyAttempts(LOCKOUT_MINUTES)));
        }
        let id: i64 = sqlx::query("INSERT INTO account_checks (user_id, at, success) VALUES ($1, $2, 0) RETURNING id")
            .bind(user_id)
            .bind(now())
            .fetch_one(&mut *tx)
            .await?
            .try_get("id")?;
        tx.commit().await?;
        Ok(Check { id, failures })
    }

    /// Proofs left to the user should this one be wrong.
    pub(crate) fn left(&self) -> i64 {
        (MAX_FAILURES - self.failures - 1).max(0)
    }

    /// The proof was right: it no longer counts, and the user's checks older than a day go.
    pub(crate) async fn passed(self, db: &Db, user_id: i64) -> Result<(), AppError> {
        let mut tx = db.begin().await?;
        self.passed_in(&mut tx, user_id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// [`Check::passed`] in the transaction of the change the proof allows.
    pub(crate) async fn passed_in(self, tx: &mut Tx, user_id: i64) -> Result<(), AppError> {
        let day_ago = crate::clock::stamp(chrono::Utc::now() - chrono::Duration::days(1));
        sqlx::query("UPDATE account_checks SET success = 1 WHERE id = $1").bind(self.id).execute(&mut **tx).await?;
        sqlx::query("DELETE FROM account_checks WHERE user_id = $1 AND at < $2").bind(user_id).bind(day_ago).execute(&mut **tx).await?;
        Ok(())
    }
}

/// Changes the actor's own password: the current one must be right, the new one pass the policy. Every
/// other session of the user ends (a stolen session does not survive the change); this one stays. Wrong
/// current passwords are limited like sign-ins ([`Check`]): after `MAX_FAILURES` in `LOCKOUT_MINUTES`
/// the change is refused without a check.
pub async fn change_password(db: &Db, actor: &Actor, token: &str, current: &str, new: &str) -> Result<(), AppError> {
    let check = Check::begin(db, actor.id, "current_password").await?;
    let (hash,): (String,) = sqlx::query_as("SELECT password_hash FROM users WHERE id = $1").bind(actor.id).fetch_one(&db.pool).await?;
    if !check_password_hash(current, &hash).await? {
        return Err(field("current_password", Problem::Incorrect));
    }
    check.passed(db, actor.id).await?;
    check_password(new)?;
    if new == current {
        return Err(field("password", Problem::SameAsBefore));
    }
    let new_hash = hash_password(new).await?;
    let mut tx = db.begin().await?;
    // Only over the password just checked: a reset or another change meanwhile wins.
    let changed = sqlx::query(
        "UPDATE users SET password_hash = $1, must_change_password = 0, password_changed_at = $2, updated_at = $2, version = version + 1 \
         WHERE id = $3 AND password_hash = $4",
    )
    .bind(&new_hash)
    .bind(now())
    .bind(actor.id)
    .bind(&hash)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    crate::db::write::changed_one(changed)?;
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
        .bind(actor.id)
        .bind(token_hash(token))
        .execute(&mut *tx)
        .await?;
    audit::updated(&mut tx, "user", actor.id, Some(actor), &vec![("password", None)], &vec![("password", Some("changed".into()))]).await?;
    tx.commit().await?;
    Ok(())
}

/// An administrator sets a new password for a user, who must choose their own at the next sign-in;
/// every session of the user ends.
pub async fn reset_password(db: &Db, actor: &Actor, user_id: i64, password: &str) -> Result<(), AppError> {
    if actor.role != Role::Admin {
        return Err(AppError::Forbidden);
    }
    check_password(password)?;
    let hash = hash_password(password).await?;
    let mut tx = db.begin().await?;
    let n =
        sqlx::query("UPDATE users SET password_hash = $1, must_change_password = 1, updated_at = $2, version = version + 1 WHERE id = $3")
            .bind(&hash)
            .bind(now())
            .bind(user_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
    if n == 0 {
        return Err(AppError::NotFound);
    }
    sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
    audit::updated(&mut tx, "user", user_id, Some(actor), &vec![("password", None)], &vec![("password", Some("reset".into()))]).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_queue_admits_up_to_its_limit() {
        let waiting = std::sync::atomic::AtomicUsize::new(0);
        assert!((0..MAX_WAITING).all(|_| admit(&waiting)));
        assert!(!admit(&waiting), "one more than the limit is refused");
        assert_eq!(waiting.load(std::sync::atomic::Ordering::SeqCst), MAX_WAITING, "a refusal counts nothing");
        waiting.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
        assert!(admit(&waiting), "a finished job makes room");
    }
}
