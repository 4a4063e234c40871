//! Per-user limits on what leaves Veza in bulk: e-mails sent through its server and exports of lists,
//! searches and reports. Each use is recorded — who, what, when: the record an administrator reads to
//! see who took what — and counted over the last hour against a limit set per installation
//! (`VEZA_EMAILS_PER_HOUR`, `VEZA_EXPORTS_PER_HOUR`). Past it the user is told the limit, and nothing
//! is sent or exported.

use super::Actor;
use crate::db::{now, Db};
use crate::domain::validate::field;
use crate::error::{AppError, Problem};

/// What a use is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Use {
    Email,
    Export,
}

impl Use {
    pub fn code(self) -> &'static str {
        match self {
            Use::Email => "email",
            Use::Export => "export",
        }
    }

    /// Uses allowed per user and hour.
    pub fn per_hour(self) -> i64 {
        let (var, default) = match self {
            Use::Email => ("VEZA_EMAILS_PER_HOUR", 100),
            Use::Export => ("VEZA_EXPORTS_PER_HOUR", 60),
        };
        std::env::var(var).ok().and_then(|v| v.trim().parse().ok()).filter(|n: &i64| *n > 0).unwrap_or(default)
    }

    /// The form field a refusal is shown at.
    fn field(self) -> &'static str {
        match self {
            Use::Email => "email_to",
            Use::Export => "export",
        }
    }
}

/// Records one use by `actor` (`detail` says what: a recipient, an export's address), or refuses it
/// once the user has reached the hour's limit. Counting and recording share one write transaction (on
/// Postgres behind a per-user lock), so parallel requests cannot slip past the limit.
pub async fn record(db: &Db, actor: &Actor, what: Use, detail: &str) -> Result<(), AppError> {
    let hour_ago = crate::clock::stamp(chrono::Utc::now() - chrono::Duration::hours(1));
    let mut tx = db.begin().await?;
    if db.backend == crate::db::Backend::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(0x7573_6167_0000 + actor.id).execute(&mut *tx).await?;
    }
    let (used,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM usage_log WHERE user_id = $1 AND kind = $2 AND at > $3")
        .bind(actor.id)
        .bind(what.code())
        .bind(&hour_ago)
        .fetch_one(&mut *tx)
        .await?;
    let limit = what.per_hour();
    if used >= limit {
        tracing::warn!(user = actor.id, kind = what.code(), limit, "hourly limit reached");
        return Err(field(what.field(), Problem::RateLimited(limit)));
    }
    let detail: String = detail.chars().take(500).collect();
    sqlx::query("INSERT INTO usage_log (user_id, kind, at, detail) VALUES ($1, $2, $3, $4)")
        .bind(actor.id)
        .bind(what.code())
        .bind(now())
        .bind(detail)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// A user's latest uses, newest first: their own for everyone, any user's for administrators.
pub async fn uses(db: &Db, actor: &Actor, user_id: i64) -> Result<Vec<crate::domain::UseEntry>, AppError> {
    if user_id != actor.id && actor.role != crate::domain::Role::Admin {
        return Err(AppError::NotFound);
    }
    let rows = sqlx::query_as::<_, (String, String, String)>(
        "SELECT at, kind, detail FROM usage_log WHERE user_id = $1 ORDER BY at DESC, id DESC LIMIT 200",
    )
    .bind(user_id)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.into_iter().map(|(at, kind, detail)| crate::domain::UseEntry { at: crate::clock::to_local(&at), kind, detail }).collect())
}
