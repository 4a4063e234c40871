//! The forecast: weighted and unweighted value of opportunities by owner × expected close month × stage,
//! in the base currency (RSD), under the visibility rules. One GROUP BY in the database; Rust only converts
//! the few grouped rows from EUR. Won deals count at 100% and lost at 0%, as their probability says.

use super::{visibility, Actor};
use crate::db::sql::Sql;
use crate::db::Db;
use crate::domain::money::{to_base, weighted, Currency, Rate};
use crate::error::AppError;

/// One cell of the forecast.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cell {
    pub owner_id: i64,
    pub owner_name: String,
    /// "YYYY-MM" of the expected close date.
    pub month: String,
    pub stage_id: i64,
    pub count: i64,
    pub total_minor: i64,
    pub weighted_minor: i64,
}

/// The forecast of opportunities closing between `from` and `to` (ISO dates, inclusive).
pub async fn by_owner_month_stage(db: &Db, actor: &Actor, from: &str, to: &str) -> Result<Vec<Cell>, AppError> {
    let rate = super::currency::eur_rate(db).await?;
    let rates = [Rate { currency: Currency::EUR, micros: rate }];
    let mut sql = Sql::new(
        "SELECT o.owner_id, u.name, substr(o.close_date, 1, 7) AS month, o.stage_id, o.currency, CAST(COUNT(*) AS BIGINT), \
         CAST(SUM(o.amount_minor) AS BIGINT), CAST(SUM(o.amount_minor * o.probability) AS BIGINT) \
         FROM opportunities o JOIN users u ON u.id = o.owner_id WHERE o.close_date >= ",
    );
    sql.bind(from).push(" AND o.close_date <= ").bind(to);
    visibility::restrict(&mut sql, actor, "o");
    sql.push(" GROUP BY o.owner_id, u.name, substr(o.close_date, 1, 7), o.stage_id, o.currency ORDER BY 3, 2, 1, 4");
    let rows = sql.query_as::<(i64, String, String, i64, String, i64, i64, i64)>().fetch_all(&db.pool).await?;
    let mut cells: Vec<Cell> = Vec::new();
    for (owner_id, owner_name, month, stage_id, currency, count, total, weighted_x100) in rows {
        let c = Currency::parse(&currency).unwrap_or(Currency::RSD);
        let (total, w) = (to_base(total, c, &rates), to_base(weighted(weighted_x100, 1), c, &rates));
        match cells.last_mut() {
            // Rows of the same cell in another currency follow each other (ordered by month, owner, stage).
            Some(last) if last.owner_id == owner_id && last.month == month && last.stage_id == stage_id => {
                last.count += count;
                last.total_minor += total;
                last.weighted_minor += w;
            }
            _ => cells.push(Cell { owner_id, owner_name, month, stage_id, count, total_minor: total, weighted_minor: w }),
        }
    }
    Ok(cells)
}
