//! Undoing an import: deletes what it created and restores what it updated, as long as nothing was
//! changed since or came to depend on those records (then nothing is undone).

use super::forms::write_values;
use super::ImportDb;
use crate::db::write::Stamp;
use crate::db::{now, Db, Tx};
use crate::domain::imports::ImportEntity;
use crate::domain::validate::field;
use crate::error::{AppError, Problem};
use crate::services::matching::lookup::{self, Names, Owners};
use crate::services::{accounts, audit, contacts, Actor};
use sqlx::Row;
use std::collections::HashMap;

/// Undo: refused while any record of the import was changed since or has gained related records.
pub(crate) async fn undo(db: &Db, actor: &Actor, imp: &ImportDb) -> Result<(), AppError> {
    let entity = imp.entity();
    let (table, kind) = (entity.table(), entity.code());
    let mut tx = db.begin().await?;
    let created = format!("(SELECT id FROM {table} WHERE import_id = $1)");
    let regarding = format!(
        "(SELECT COUNT(*) FROM activities WHERE regarding_kind = '{kind}' AND regarding_id IN {created}) \
         + (SELECT COUNT(*) FROM notes WHERE regarding_kind = '{kind}' AND regarding_id IN {created}) \
         + (SELECT COUNT(*) FROM documents WHERE regarding_kind = '{kind}' AND regarding_id IN {created})"
    );
    let extra = match entity {
        ImportEntity::Account => format!(
            "+ (SELECT COUNT(*) FROM contacts WHERE account_id IN {created}) + (SELECT COUNT(*) FROM opportunities WHERE account_id IN {created} OR won_by_id IN {created}) \
             + (SELECT COUNT(*) FROM leads WHERE account_id IN {created}) + (SELECT COUNT(*) FROM activities WHERE account_id IN {created}) \
             + (SELECT COUNT(*) FROM field_observations WHERE customer_id IN {created} OR competitor_id IN {created}) \
             + (SELECT COUNT(*) FROM opportunity_competitors WHERE competitor_id IN {created}) \
             + (SELECT COUNT(*) FROM competitor_profiles WHERE account_id IN {created}) \
             + (SELECT COUNT(*) FROM market_shares WHERE competitor_id IN {created}) \
             + (SELECT COUNT(*) FROM competitor_products WHERE competitor_id IN {created})"
        ),
        ImportEntity::Contact => format!(
            "+ (SELECT COUNT(*) FROM activity_attendees WHERE contact_id IN {created}) + (SELECT COUNT(*) FROM leads WHERE contact_id IN {created}) \
             + (SELECT COUNT(*) FROM opportunities WHERE contact_id IN {created})"
        ),
        // A lead that was qualified since has a new version too; its opportunity names it.
        ImportEntity::Lead => format!("+ (SELECT COUNT(*) FROM opportunities WHERE lead_id IN {created})"),
        ImportEntity::Opportunity => format!(
            "+ (SELECT COUNT(*) FROM opportunity_lines WHERE opportunity_id IN {created}) \
             + (SELECT COUNT(*) FROM opportunity_competitors WHERE opportunity_id IN {created}) \
             + (SELECT COUNT(*) FROM field_observations WHERE opportunity_id IN {created}) \
             + (SELECT COUNT(*) FROM leads WHERE opportunity_id IN {created})"
        ),
        // A follow-up scheduled from an imported activity depends on it.
        ImportEntity::Activity => format!("+ (SELECT COUNT(*) FROM activities WHERE follow_up_of IN {created})"),
        ImportEntity::Product => format!(
            "+ (SELECT COUNT(*) FROM opportunity_lines WHERE product_id IN {created}) \
             + (SELECT COUNT(*) FROM price_list_items WHERE product_id IN {created}) \
             + (SELECT COUNT(*) FROM discount_rules WHERE product_id IN {created}) \
             + (SELECT COUNT(*) FROM competitor_product_counters WHERE product_id IN {created})"
        ),
    };
    let changed = format!(
        "(SELECT COUNT(*) FROM {table} WHERE import_id = $1 AND version > 1 + (SELECT COUNT(*) FROM import_rows r WHERE r.import_id = $1 \
         AND r.record_id = {table}.id AND r.outcome = 'updated')) \
         + (SELECT COUNT(*) FROM import_rows r JOIN {table} t ON t.id = r.record_id WHERE r.import_id = $1 AND r.outcome = 'updated' \
         AND r.before_values IS NOT NULL AND t.version <> (SELECT MAX(r2.after_version) FROM import_rows r2 WHERE r2.import_id = $1 AND r2.record_id = r.record_id AND r2.outcome = 'updated'))"
    );
    let sql = format!("SELECT CAST({regarding} {extra} + {changed} AS BIGINT) AS n");
    let n: i64 = sqlx::query(&sql).bind(imp.id).fetch_one(&mut *tx).await?.try_get("n")?;
    if n > 0 {
        return Err(field("undo", Problem::ChangedSince(n)));
    }
    // Updated records get their values back, the earliest import row's "before" last.
    let restores = sqlx::query(
        "SELECT row_no, record_id, before_values FROM import_rows WHERE import_id = $1 AND outcome = 'updated' AND before_values IS NOT NULL ORDER BY row_no DESC",
    )
    .bind(imp.id)
    .fetch_all(&mut *tx)
    .await?;
    let owners = Owners::load(db).await?;
    let names = Names::load(db).await?;
    for r in restores {
        let id: i64 = r.try_get("record_id")?;
        let before: HashMap<String, Option<String>> = serde_json::from_str(&r.try_get::<String, _>("before_values")?).unwrap_or_default();
        restore(&mut tx, actor, entity, id, &before, (&owners, &names)).await?;
    }
    let ts = now();
    let label = match entity {
        ImportEntity::Account | ImportEntity::Product | ImportEntity::Opportunity => "name",
        ImportEntity::Activity => "subject",
        ImportEntity::Contact => "first_name || ' ' || last_name",
        ImportEntity::Lead => "COALESCE(company, last_name)",
    };
    sqlx::query(&format!(
        "INSERT INTO audit_entries (entity, record_id, action, field, old_value, new_value, user_id, at) \
         SELECT '{kind}', id, 'delete', NULL, {label}, NULL, $2, $3 FROM {table} WHERE import_id = $1"
    ))
    .bind(imp.id)
    .bind(actor.id)
    .bind(&ts)
    .execute(&mut *tx)
    .await?;
    if entity == ImportEntity::Account {
        sqlx::query("DELETE FROM account_types WHERE account_id IN (SELECT id FROM accounts WHERE import_id = $1)")
            .bind(imp.id)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query(&format!("DELETE FROM {table} WHERE import_id = $1")).bind(imp.id).execute(&mut *tx).await?;
    if entity == ImportEntity::Contact {
        remove_unused_companies(&mut tx, actor, imp.id, &ts).await?;
    }
    sqlx::query("UPDATE imports SET status = 'undone', undone_at = $1, version = version + 1 WHERE id = $2")
        .bind(&ts)
        .bind(imp.id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// The companies a contacts import created for its people go with them, unless they were changed since or
/// something else came to use them (then they are kept: nothing is lost).
async fn remove_unused_companies(tx: &mut Tx, actor: &Actor, import_id: i64, ts: &str) -> Result<(), AppError> {
    let unused = "SELECT a.id FROM accounts a WHERE a.import_id = $1 AND a.version = 1 \
        AND NOT EXISTS (SELECT 1 FROM contacts x WHERE x.account_id = a.id) \
        AND NOT EXISTS (SELECT 1 FROM opportunities x WHERE x.account_id = a.id OR x.won_by_id = a.id) \
        AND NOT EXISTS (SELECT 1 FROM leads x WHERE x.account_id = a.id) \
        AND NOT EXISTS (SELECT 1 FROM activities x WHERE x.account_id = a.id) \
        AND NOT EXISTS (SELECT 1 FROM activities x WHERE x.regarding_kind = 'account' AND x.regarding_id = a.id) \
        AND NOT EXISTS (SELECT 1 FROM notes x WHERE x.account_id = a.id) \
        AND NOT EXISTS (SELECT 1 FROM documents x WHERE x.account_id = a.id) \
        AND NOT EXISTS (SELECT 1 FROM field_observations x WHERE x.customer_id = a.id OR x.competitor_id = a.id) \
        AND NOT EXISTS (SELECT 1 FROM opportunity_competitors x WHERE x.competitor_id = a.id) \
        AND NOT EXISTS (SELECT 1 FROM competitor_profiles x WHERE x.account_id = a.id) \
        AND NOT EXISTS (SELECT 1 FROM market_shares x WHERE x.competitor_id = a.id) \
        AND NOT EXISTS (SELECT 1 FROM competitor_products x WHERE x.competitor_id = a.id)";
    let ids: Vec<(i64,)> = sqlx::query_as(unused).bind(import_id).fetch_all(&mut **tx).await?;
    for chunk in ids.chunks(500) {
        let list = chunk.iter().map(|(id,)| id.to_string()).collect::<Vec<_>>().join(", ");
        sqlx::query(&format!(
            "INSERT INTO audit_entries (entity, record_id, action, field, old_value, new_value, user_id, at) \
             SELECT 'account', id, 'delete', NULL, name, NULL, $1, $2 FROM accounts WHERE id IN ({list})"
        ))
        .bind(actor.id)
        .bind(ts)
        .execute(&mut **tx)
        .await?;
        sqlx::query(&format!("DELETE FROM account_types WHERE account_id IN ({list})")).execute(&mut **tx).await?;
        sqlx::query(&format!("DELETE FROM accounts WHERE id IN ({list})")).execute(&mut **tx).await?;
    }
    Ok(())
}

/// Puts back the values a record had before the import updated it (with history entries).
async fn restore(
    tx: &mut Tx,
    actor: &Actor,
    entity: ImportEntity,
    id: i64,
    before: &HashMap<String, Option<String>>,
    (owners, names): (&Owners, &Names),
) -> Result<(), AppError> {
    let Some((now_values, version)) = lookup::existing_values_in(tx, entity, id).await? else { return Ok(()) };
    let fields = entity.compared_fields();
    let old: audit::Fields = fields.iter().map(|f| (*f, now_values.get(f).cloned().flatten())).collect();
    // A field the import did not keep (one added to the import's fields after it ran) stays as it is now.
    let b = |f: &str| match before.get(f) {
        Some(v) => v.clone(),
        None => now_values.get(f).cloned().flatten(),
    };
    let new: audit::Fields = fields.iter().map(|f| (*f, b(f))).collect();
    let (owner, team) = owners.resolve(actor, b("owner").as_deref()).unwrap_or((actor.id, actor.team_id));
    let (ts, stamp_by) = (now(), actor.id);
    let stamp = Stamp { at: &ts, by: stamp_by };
    match entity {
        ImportEntity::Account => {
            accounts::TABLE.write(tx, (id, version), &accounts::Valid::from_stored(b), (owner, team), stamp).await?;
        }
        ImportEntity::Contact => {
            // The contact keeps the account it has now: an import's undo puts back its fields.
            let account = now_values.get("account_id").cloned().flatten().and_then(|a| a.parse().ok());
            contacts::TABLE.write(tx, (id, version), &contacts::Valid::from_stored(b, account), (owner, team), stamp).await?;
        }
        ImportEntity::Lead | ImportEntity::Product | ImportEntity::Opportunity | ImportEntity::Activity => {
            write_values(tx, actor, entity, (id, version), &b, owner, names).await?;
            return Ok(());
        }
    }
    audit::updated(tx, entity.code(), id, Some(actor), &old, &new).await?;
    Ok(())
}
