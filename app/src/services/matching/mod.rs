//! How records are matched, wherever Veza looks for "the same company" or "the same person": the
//! normalized keys of a row (`prepare`), the lookups of existing records by those keys (`lookup`), and
//! the duplicate rules an administrator sets (which keys count, how similar a name must be). Import,
//! the duplicate scan, the warning on save and merge all match through here.

pub mod lookup;
pub mod prepare;

use crate::db::Db;
use crate::domain::dedup::{DuplicateRule, DuplicateRules};
use crate::domain::imports::ImportEntity;
use crate::error::AppError;
use prepare::Prepared;

/// The duplicate rules (all of them: a handful of rows).
pub async fn rules(db: &Db) -> Result<DuplicateRules, AppError> {
    let rows = sqlx::query_as::<_, (i64, String, String, i64, i64, i64)>(
        "SELECT id, entity, field, fuzzy, threshold, active FROM duplicate_rules ORDER BY entity, id",
    )
    .fetch_all(&db.pool)
    .await?;
    Ok(DuplicateRules {
        rules: rows
            .into_iter()
            .map(|(id, entity, field, fuzzy, threshold, active)| DuplicateRule {
                id,
                entity,
                field,
                fuzzy: fuzzy != 0,
                threshold: threshold.clamp(70, 100) as u8,
                active: active != 0,
            })
            .collect(),
    })
}

/// Drops the keys of a prepared row that the rules switch off.
pub fn apply_rules(rules: &DuplicateRules, entity: ImportEntity, p: &mut Prepared) {
    let e = entity.code();
    p.exact.retain(|k| {
        let field = k.split(':').next().unwrap_or("");
        rules.active(e, field)
    });
    if !rules.active(e, "name") {
        p.fuzzy = None;
    }
}
