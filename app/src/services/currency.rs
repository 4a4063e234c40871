//! Conversion rates: the EUR→RSD rate that weighted totals, forecasts and reports convert with.

use crate::db::{today, Db};
use crate::error::AppError;
use sqlx::Row;

/// The EUR→RSD rate valid today (millionths).
pub async fn eur_rate(db: &Db) -> Result<i64, AppError> {
    eur_rate_on(&mut *db.pool.acquire().await?).await
}

/// [`eur_rate`] on a connection the caller holds.
pub async fn eur_rate_on(conn: &mut sqlx::AnyConnection) -> Result<i64, AppError> {
    let row =
        sqlx::query("SELECT rate_micros FROM currency_rates WHERE currency = 'EUR' AND valid_from <= $1 ORDER BY valid_from DESC LIMIT 1")
            .bind(today())
            .fetch_optional(conn)
            .await?;
    Ok(match row {
        Some(r) => r.try_get("rate_micros")?,
        None => 117_170_000,
    })
}
