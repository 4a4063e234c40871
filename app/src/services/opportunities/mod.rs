//! Opportunities: potential deals at an account, moving through the pipeline's stages. Stage changes
//! are recorded separately (for pipeline-health reports) besides the field-level audit. The aggregate's
//! parts: what it sells (`lines`), who competes for it (`competitors`), how it ends (`closing`), the
//! page's view of the deal (`deal`) and the pipeline board (`board`).

pub mod board;
pub mod closing;
pub mod competitors;
pub mod deal;
pub mod lines;

use crate::db::sql::Sql;
use crate::db::{now, Db, Tx};
use crate::domain::money::{parse_amount, Currency};
use crate::domain::reports::ForecastCategory;
use crate::domain::text::search_key;
use crate::domain::validate::{field, optional, percent, required, required_date};
use crate::domain::{probability_after_move, ListQuery, Opportunity, OpportunityInput, OpportunityRow, Page, StageKind};
use crate::error::{AppError, Problem};
use crate::services::listing::{self, SortColumn};
use crate::services::{audit, parse_id, parse_opt_id, visibility, Actor};
use sqlx::Row;

#[derive(Clone, Debug, PartialEq)]
pub struct Valid {
    pub name: String,
    pub account_id: i64,
    pub contact_id: Option<i64>,
    pub owner_id: Option<i64>,
    pub stage_id: i64,
    /// None: follow the stage.
    pub probability: Option<i64>,
    pub amount_minor: i64,
    pub currency: Currency,
    pub close_date: String,
    pub source: Option<String>,
    pub description: Option<String>,
    pub forecast_category: ForecastCategory,
}

pub fn validate(i: &OpportunityInput) -> Result<Valid, AppError> {
    let name = required("name", &i.name, 200)?;
    if i.account_id.trim().is_empty() {
        return Err(field("account_id", Problem::Required));
    }
    let account_id = parse_id("account_id", &i.account_id)?;
    let stage_id = parse_id("stage_id", &i.stage_id)?;
    let probability = if i.probability.trim().is_empty() { None } else { Some(percent("probability", &i.probability)?) };
    let amount_minor =
        if i.amount.trim().is_empty() { 0 } else { parse_amount(&i.amount).ok_or_else(|| field("amount", Problem::InvalidNumber))? };
    if amount_minor < 0 {
        return Err(field("amount", Problem::OutOfRange(0, i64::MAX / 100)));
    }
    let currency = if i.currency.trim().is_empty() {
        Currency::RSD
    } else {
        Currency::parse(&i.currency).ok_or_else(|| field("currency", Problem::InvalidChoice))?
    };
    let close_date = required_date("close_date", &i.close_date)?.format("%Y-%m-%d").to_string();
    let forecast_category = if i.forecast_category.trim().is_empty() {
        ForecastCategory::Pipeline
    } else {
        ForecastCategory::parse(&i.forecast_category).ok_or_else(|| field("forecast_category", Problem::InvalidChoice))?
    };
    Ok(Valid {
        name,
        account_id,
        contact_id: parse_opt_id("contact_id", &i.contact_id)?,
        owner_id: parse_opt_id("owner_id", &i.owner_id)?,
        stage_id,
        probability,
        amount_minor,
        currency,
        close_date,
        source: optional("source", &i.source, 100)?,
        description: optional("description", &i.description, 10_000)?,
        forecast_category,
    })
}

/// Records a stage change (for pipeline-health reports); `from` is None when the opportunity opens.
pub(crate) async fn record_stage_change(tx: &mut Tx, actor: &Actor, id: i64, from: Option<i64>, to: i64, ts: &str) -> Result<(), AppError> {
    sqlx::query("INSERT INTO opportunity_stage_changes (opportunity_id, from_stage_id, to_stage_id, changed_at, changed_by) VALUES ($1, $2, $3, $4, $5)")
        .bind(id)
        .bind(from)
        .bind(to)
        .bind(ts)
        .bind(actor.id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn audit_fields(v: &Valid, owner: i64, probability: i64) -> audit::Fields {
    vec![
        ("name", Some(v.name.clone())),
        ("account_id", Some(v.account_id.to_string())),
        ("contact_id", v.contact_id.map(|c| c.to_string())),
        ("owner_id", Some(owner.to_string())),
        ("stage_id", Some(v.stage_id.to_string())),
        ("probability", Some(probability.to_string())),
        ("amount", Some(crate::domain::money::minor_to_input(v.amount_minor))),
        ("currency", Some(v.currency.code().to_string())),
        ("close_date", Some(v.close_date.clone())),
        ("source", v.source.clone()),
        ("description", v.description.clone()),
        ("forecast_category", Some(v.forecast_category.code().to_string())),
    ]
}

#[derive(sqlx::FromRow)]
pub(crate) struct OpportunityDb {
    id: i64,
    name: String,
    account_id: i64,
    account_name: String,
    contact_id: Option<i64>,
    contact_name: Option<String>,
    owner_id: i64,
    owner_name: String,
    pub(crate) team_id: Option<i64>,
    stage_id: i64,
    stage_name: String,
    stage_kind: String,
    probability: i64,
    probability_manual: i64,
    amount_minor: i64,
    currency: String,
    close_date: String,
    source: Option<String>,
    description: Option<String>,
    forecast_category: String,
    updated_at: String,
    version: i64,
}

pub(crate) const DETAIL: &str = "SELECT o.id, o.name, o.account_id, a.name AS account_name, o.contact_id, \
    CASE WHEN c.id IS NULL THEN NULL ELSE c.first_name || ' ' || c.last_name END AS contact_name, \
    o.owner_id, u.name AS owner_name, o.team_id, o.stage_id, s.name AS stage_name, s.kind AS stage_kind, o.probability, \
    o.probability_manual, o.amount_minor, o.currency, o.close_date, o.source, o.description, o.forecast_category, o.updated_at, o.version \
    FROM opportunities o JOIN accounts a ON a.id = o.account_id JOIN users u ON u.id = o.owner_id \
    JOIN stages s ON s.id = o.stage_id LEFT JOIN contacts c ON c.id = o.contact_id WHERE o.id = ";

pub(crate) fn to_opportunity(r: OpportunityDb) -> Opportunity {
    Opportunity {
        id: r.id,
        name: r.name,
        account_id: r.account_id,
        account_name: r.account_name,
        contact_id: r.contact_id,
        contact_name: r.contact_name,
        owner_id: r.owner_id,
        owner_name: r.owner_name,
        stage_id: r.stage_id,
        stage_name: r.stage_name,
        stage_kind: StageKind::parse(&r.stage_kind).unwrap_or(StageKind::Open),
        probability: r.probability,
        probability_manual: r.probability_manual != 0,
        amount_minor: r.amount_minor,
        currency: Currency::parse(&r.currency).unwrap_or(Currency::RSD),
        close_date: r.close_date,
        source: r.source,
        description: r.description,
        forecast_category: ForecastCategory::parse(&r.forecast_category).unwrap_or_default(),
        updated_at: r.updated_at,
        version: r.version,
    }
}

pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<Opportunity, AppError> {
    let mut sql = Sql::new(DETAIL);
    sql.bind(id);
    visibility::restrict(&mut sql, actor, "o");
    sql.query_as::<OpportunityDb>().fetch_optional(&db.pool).await?.map(to_opportunity).ok_or(AppError::NotFound)
}

/// Loads an opportunity for a write inside `tx`; NotFound when the actor may not see or edit it.
pub(crate) async fn get_for_update(tx: &mut Tx, actor: &Actor, id: i64) -> Result<Opportunity, AppError> {
    let mut sql = Sql::new(DETAIL);
    sql.bind(id);
    visibility::restrict(&mut sql, actor, "o");
    let row = sql.query_as::<OpportunityDb>().fetch_optional(&mut **tx).await?.ok_or(AppError::NotFound)?;
    if !visibility::can_edit(actor, row.owner_id, row.team_id) {
        return Err(AppError::NotFound);
    }
    Ok(to_opportunity(row))
}

/// The primary contact must belong to the account and be visible to the actor.
async fn check_contact(tx: &mut Tx, actor: &Actor, contact: i64, account: i64) -> Result<(), AppError> {
    let mut sql = Sql::new("SELECT COUNT(*) AS n FROM contacts c WHERE c.id = ");
    sql.bind(contact).push(" AND c.account_id = ").bind(account);
    visibility::restrict(&mut sql, actor, "c");
    let n: i64 = sql.query().fetch_one(&mut **tx).await?.try_get("n")?;
    if n == 0 {
        return Err(field("contact_id", Problem::InvalidChoice));
    }
    Ok(())
}

async fn active_stage(tx: &mut Tx, id: i64) -> Result<crate::domain::Stage, AppError> {
    let stage = crate::services::stages::get(tx, id).await.map_err(|_| field("stage_id", Problem::InvalidChoice))?;
    if !stage.active {
        return Err(field("stage_id", Problem::InvalidChoice));
    }
    Ok(stage)
}

pub async fn create(db: &Db, actor: &Actor, input: &OpportunityInput) -> Result<i64, AppError> {
    let v = validate(input)?;
    let mut tx = db.begin().await?;
    // A deal is won or lost by closing it (with the actual value, or the reason and the winner).
    if active_stage(&mut tx, v.stage_id).await?.kind != StageKind::Open {
        return Err(field("stage_id", Problem::UseClose));
    }
    let id = insert(&mut tx, actor, &v, None, false).await?;
    tx.commit().await?;
    Ok(id)
}

/// Inserts a validated opportunity. `created_at` overrides the creation time (demo history).
pub async fn insert(tx: &mut Tx, actor: &Actor, v: &Valid, created_at: Option<&str>, demo: bool) -> Result<i64, AppError> {
    crate::services::contacts::check_account(tx, actor, v.account_id, "account_id").await?;
    if let Some(c) = v.contact_id {
        check_contact(tx, actor, c, v.account_id).await?;
    }
    let stage = active_stage(tx, v.stage_id).await?;
    let (probability, manual) = match v.probability {
        Some(p) if stage.kind == StageKind::Open => (p, p != stage.probability),
        _ => probability_after_move(&stage, 0, false),
    };
    let (owner, team) = crate::services::visibility::resolve_owner(tx, actor, v.owner_id).await?;
    let ts = created_at.map(str::to_string).unwrap_or_else(now);
    let id: i64 = sqlx::query(
        "INSERT INTO opportunities (name, search_key, account_id, contact_id, owner_id, team_id, stage_id, probability, probability_manual, \
         amount_minor, currency, close_date, source, description, stage_changed_at, is_demo, created_at, created_by, updated_at, updated_by, version, \
         search_text, forecast_category) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $15, $17, $15, $17, 1, $2, $18) \
         RETURNING id",
    )
    .bind(&v.name)
    .bind(search_key(&v.name))
    .bind(v.account_id)
    .bind(v.contact_id)
    .bind(owner)
    .bind(team)
    .bind(v.stage_id)
    .bind(probability)
    .bind(manual as i64)
    .bind(v.amount_minor)
    .bind(v.currency.code())
    .bind(&v.close_date)
    .bind(&v.source)
    .bind(&v.description)
    .bind(&ts)
    .bind(demo as i64)
    .bind(actor.id)
    .bind(v.forecast_category.code())
    .fetch_one(&mut **tx)
    .await?
    .try_get("id")?;
    record_stage_change(tx, actor, id, None, v.stage_id, &ts).await?;
    audit::created(tx, "opportunity", id, Some(actor), &audit_fields(v, owner, probability)).await?;
    Ok(id)
}

pub async fn update(db: &Db, actor: &Actor, input: &OpportunityInput) -> Result<i64, AppError> {
    let id = parse_id("id", &input.id)?;
    let version = parse_id("version", &input.version)?;
    let v = validate(input)?;
    let mut tx = db.begin().await?;
    let new_version = update_in(&mut tx, actor, (id, version), v).await?;
    tx.commit().await?;
    Ok(new_version)
}

/// Saves an edit inside the caller's transaction (the form, or an import updating a deal) by the rules of
/// the pipeline: a closed deal keeps what its close recorded, lines fix the value, a stage change is
/// recorded. Returns the new version.
pub(crate) async fn update_in(tx: &mut Tx, actor: &Actor, (id, version): (i64, i64), mut v: Valid) -> Result<i64, AppError> {
    let old = get_for_update(tx, actor, id).await?;
    crate::domain::check_version(old.version, version)?;
    if v.stage_id != old.stage_id {
        if old.stage_kind != StageKind::Open {
            // Only a manager's reopen moves a closed deal back into the pipeline.
            return Err(field("stage_id", Problem::Closed));
        }
        if active_stage(tx, v.stage_id).await?.kind != StageKind::Open {
            return Err(field("stage_id", Problem::UseClose));
        }
    }
    if old.stage_kind != StageKind::Open {
        // A closed deal keeps what its close recorded (actual value, date); reopen to change them.
        v.amount_minor = old.amount_minor;
        v.currency = old.currency;
        v.close_date = old.close_date.clone();
    }
    if lines::line_count(tx, id).await? > 0 {
        // The value follows the lines, which are priced in the opportunity's currency.
        if v.currency != old.currency {
            return Err(field("currency", Problem::FixedByLines));
        }
        v.amount_minor = old.amount_minor;
    }
    if v.account_id != old.account_id {
        crate::services::contacts::check_account(tx, actor, v.account_id, "account_id").await?;
    }
    if let Some(c) = v.contact_id {
        check_contact(tx, actor, c, v.account_id).await?;
    }
    let stage = active_stage(tx, v.stage_id).await?;
    let (probability, manual) = match v.probability {
        Some(p) if stage.kind == StageKind::Open => (p, p != stage.probability),
        _ => probability_after_move(&stage, old.probability, false),
    };
    let (owner, team) = crate::services::visibility::resolve_owner(tx, actor, v.owner_id.or(Some(old.owner_id))).await?;
    let ts = now();
    let stage_changed = v.stage_id != old.stage_id;
    let n = sqlx::query(
        "UPDATE opportunities SET name = $1, search_key = $2, search_text = $2, account_id = $3, contact_id = $4, owner_id = $5, team_id = $6, stage_id = $7, \
         probability = $8, probability_manual = $9, amount_minor = $10, currency = $11, close_date = $12, source = $13, description = $14, \
         stage_changed_at = CASE WHEN $15 = 1 THEN $16 ELSE stage_changed_at END, updated_at = $16, updated_by = $17, version = version + 1, \
         forecast_category = $20 WHERE id = $18 AND version = $19",
    )
    .bind(&v.name)
    .bind(search_key(&v.name))
    .bind(v.account_id)
    .bind(v.contact_id)
    .bind(owner)
    .bind(team)
    .bind(v.stage_id)
    .bind(probability)
    .bind(manual as i64)
    .bind(v.amount_minor)
    .bind(v.currency.code())
    .bind(&v.close_date)
    .bind(&v.source)
    .bind(&v.description)
    .bind(stage_changed as i64)
    .bind(&ts)
    .bind(actor.id)
    .bind(id)
    .bind(version)
    .bind(v.forecast_category.code())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    crate::db::write::changed_one(n)?;
    if stage_changed {
        record_stage_change(tx, actor, id, Some(old.stage_id), v.stage_id, &ts).await?;
    }
    let old_valid = Valid {
        name: old.name.clone(),
        account_id: old.account_id,
        contact_id: old.contact_id,
        owner_id: Some(old.owner_id),
        stage_id: old.stage_id,
        probability: Some(old.probability),
        amount_minor: old.amount_minor,
        currency: old.currency,
        close_date: old.close_date.clone(),
        source: old.source.clone(),
        description: old.description.clone(),
        forecast_category: old.forecast_category,
    };
    audit::updated(
        tx,
        "opportunity",
        id,
        Some(actor),
        &audit_fields(&old_valid, old.owner_id, old.probability),
        &audit_fields(&v, owner, probability),
    )
    .await?;
    Ok(version + 1)
}

pub async fn delete(db: &Db, actor: &Actor, id: i64, version: i64) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    delete_in(&mut tx, actor, id, version).await?;
    tx.commit().await?;
    Ok(())
}

/// [`delete`] inside the caller's transaction (a batch of a bulk delete), with the same refusals.
pub(crate) async fn delete_in(tx: &mut Tx, actor: &Actor, id: i64, version: i64) -> Result<(), AppError> {
    let old = get_for_update(tx, actor, id).await?;
    crate::domain::check_version(old.version, version)?;
    // Its lines, competitors, stage changes, activities, notes and documents go to the trash with it;
    // observations made on the deal stay (they are about the competitor) without the link, which a
    // restore puts back.
    let team: Option<i64> =
        sqlx::query("SELECT team_id FROM opportunities WHERE id = $1").bind(id).fetch_one(&mut **tx).await?.try_get("team_id")?;
    crate::services::trash::move_to_trash(tx, actor, "opportunity", id, version, &old.name, (old.owner_id, team)).await
}

const SORTS: &[SortColumn] = &[
    SortColumn { key: "close", expr: "o.close_date", numeric: false },
    SortColumn { key: "name", expr: "o.search_key", numeric: false },
    SortColumn { key: "amount", expr: "o.amount_minor", numeric: true },
    SortColumn { key: "updated", expr: "o.updated_at", numeric: false },
];

/// The list's conditions after `WHERE 1=1`, in one place for its page, its count, its export and its
/// bulk actions (`services::bulk` walks them by id, batch after batch).
pub(crate) fn filters(sql: &mut Sql, text: &listing::TextSearch, actor: &Actor, q: &ListQuery) {
    visibility::restrict(sql, actor, "o");
    text.filter(sql, "opportunities", "o");
    listing::ids_filter(sql, "o", &q.ids);
    crate::services::listing::missing_filter(sql, "opportunities", &q.missing);
    if let Some(owner) = listing::id_filter(&q.owner) {
        sql.push(" AND o.owner_id = ").bind(owner);
    }
    if let Some(team) = listing::id_filter(&q.team) {
        sql.push(" AND o.team_id = ").bind(team);
    }
    if let Some(stage) = listing::id_filter(&q.stage) {
        sql.push(" AND o.stage_id = ").bind(stage);
    }
    if let Some(account) = listing::id_filter(&q.account) {
        sql.push(" AND o.account_id = ").bind(account);
    }
    if let Some(d) = crate::domain::validate::parse_date(&q.from) {
        sql.push(" AND o.close_date >= ").bind(d.format("%Y-%m-%d").to_string());
    }
    if let Some(d) = crate::domain::validate::parse_date(&q.to) {
        sql.push(" AND o.close_date <= ").bind(d.format("%Y-%m-%d").to_string());
    }
    if !q.region.trim().is_empty() {
        sql.push(" AND EXISTS (SELECT 1 FROM accounts ra WHERE ra.id = o.account_id AND ra.region = ").bind(q.region.trim()).push(")");
    }
    // Drill-down from the win/loss analysis.
    if let Some(kind) = StageKind::parse(q.outcome.trim()) {
        sql.push(" AND o.stage_id IN (SELECT ks.id FROM stages ks WHERE ks.kind = ").bind(kind.code()).push(")");
    }
    if let Some(reason) = listing::id_filter(&q.reason) {
        sql.push(" AND o.close_reason_id = ").bind(reason);
    }
    if let Some(c) = listing::id_filter(&q.competitor) {
        sql.push(" AND (o.won_by_id = ").bind(c);
        sql.push(" OR o.id IN (SELECT oc.opportunity_id FROM opportunity_competitors oc WHERE oc.competitor_id = ").bind(c).push("))");
    }
    if let Some(f) = ForecastCategory::parse(&q.forecast) {
        sql.push(" AND o.forecast_category = ").bind(f.code());
    }
    if !q.category.trim().is_empty() {
        sql.push(" AND EXISTS (SELECT 1 FROM accounts ca WHERE ca.id = o.account_id AND ca.category = ").bind(q.category.trim()).push(")");
    }
    if let Some(d) = crate::domain::validate::parse_date(&q.created_from) {
        sql.push(" AND o.created_at >= ").bind(crate::clock::day_start(d));
    }
    if let Some(d) = crate::domain::validate::parse_date(&q.created_to) {
        sql.push(" AND o.created_at < ").bind(crate::clock::day_start(d + chrono::Duration::days(1)));
    }
    // The funnel's drill-down: the same condition as `reports::health` counts.
    if let Some(stage) = listing::id_filter(&q.reached) {
        sql.push(
            " AND o.id IN (SELECT rc.opportunity_id FROM opportunity_stage_changes rc JOIN stages rs ON rs.id = rc.to_stage_id \
             WHERE rs.kind = 'won' OR (rs.kind = 'open' AND rs.position >= (SELECT fs.position FROM stages fs WHERE fs.id = ",
        )
        .bind(stage)
        .push(")))");
    }
    if !q.family.trim().is_empty() {
        sql.push(
            " AND o.id IN (SELECT fl.opportunity_id FROM opportunity_lines fl JOIN products fp ON fp.id = fl.product_id WHERE fp.family = ",
        )
        .bind(q.family.trim())
        .push(")");
    }
}

pub async fn list(db: &Db, actor: &Actor, q: &ListQuery) -> Result<Page<OpportunityRow>, AppError> {
    let (col, desc) = listing::choose(SORTS, &q.sort, &q.dir);
    let mut sql = Sql::new(&format!(
        "SELECT o.id, o.name, o.account_id, a.name AS account_name, s.name AS stage_name, s.kind, o.probability, o.amount_minor, o.currency, \
         o.close_date, u.name AS owner_name, o.version, CAST({} AS TEXT) AS sort_value \
         FROM opportunities o JOIN accounts a ON a.id = o.account_id JOIN users u ON u.id = o.owner_id JOIN stages s ON s.id = o.stage_id WHERE 1=1",
        col.expr
    ));
    let text = listing::TextSearch::for_list(db, "opportunities", &q.q).await?;
    filters(&mut sql, &text, actor, q);
    listing::after_cursor(&mut sql, col, desc, "o.id", &q.cursor);
    listing::order_by(&mut sql, col, desc, "o.id");
    #[allow(clippy::type_complexity)]
    let rows = sql
        .query_as::<(i64, String, i64, String, String, String, i64, i64, String, String, String, i64, String)>()
        .fetch_all(&db.pool)
        .await?;
    let rows = rows
        .into_iter()
        .map(|(id, name, account_id, account, stage, kind, probability, amount, currency, close_date, owner_name, version, sort)| {
            let row = OpportunityRow {
                id,
                name,
                account_id,
                account_name: account,
                stage_name: stage,
                stage_kind: StageKind::parse(&kind).unwrap_or(StageKind::Open),
                probability,
                amount_minor: amount,
                currency: Currency::parse(&currency).unwrap_or(Currency::RSD),
                close_date,
                owner_name,
                version,
            };
            (row, sort, id)
        })
        .collect();
    let (rows, next_cursor) = listing::finish(rows);
    let mut count = Sql::new("SELECT 1 FROM opportunities o WHERE 1=1");
    filters(&mut count, &text, actor, q);
    listing::page(db, count, &text, &q.cursor, rows, next_cursor).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> OpportunityInput {
        OpportunityInput {
            name: "Linija za pakovanje".into(),
            account_id: "1".into(),
            stage_id: "2".into(),
            amount: "1.250.000,00".into(),
            currency: "EUR".into(),
            close_date: "31.12.2026.".into(),
            ..Default::default()
        }
    }

    #[test]
    fn parses_amount_and_date() {
        let v = validate(&input()).unwrap();
        assert_eq!(v.amount_minor, 125_000_000);
        assert_eq!(v.close_date, "2026-12-31");
        assert_eq!(v.currency, Currency::EUR);
        assert_eq!(v.probability, None);
    }

    #[test]
    fn rejects_bad_values_by_field() {
        let mut i = input();
        i.amount = "mnogo".into();
        assert_eq!(validate(&i), Err(field("amount", Problem::InvalidNumber)));
        let mut i = input();
        i.close_date = "sutra".into();
        assert_eq!(validate(&i), Err(field("close_date", Problem::InvalidDate)));
        let mut i = input();
        i.account_id.clear();
        assert_eq!(validate(&i), Err(field("account_id", Problem::Required)));
        let mut i = input();
        i.probability = "150".into();
        assert_eq!(validate(&i), Err(field("probability", Problem::OutOfRange(0, 100))));
    }
}
