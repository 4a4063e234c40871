//! The record forms an import fills for leads, products, deals and activities. Their rows are checked by
//! the form's own validation, created by the record's own service, and updated (by the import, or back
//! by undo) through the same edit a user makes — a deal's stage change is recorded as the board records
//! one — so an import follows every rule of the forms. (Accounts and contacts, the big imports, are
//! written many rows per statement in `apply`.)

use crate::db::Tx;
use crate::domain::imports::ImportEntity;
use crate::domain::validate::field;
use crate::domain::{AccountInput, ActivityInput, ContactInput, LeadInput, OpportunityInput, ProductInput, RegardingKind};
use crate::error::{AppError, Problem};
use crate::services::matching::lookup::Names;
use crate::services::{activities, leads, opportunities, products, Actor};
use sqlx::Row;

/// An account form filled from field values (a row of an import, a record merged with a row, or the
/// values chosen in a merge): a customer unless told otherwise, no owner (the caller's to set).
pub(crate) fn account_input(get: &dyn Fn(&str) -> String) -> AccountInput {
    AccountInput {
        name: get("name"),
        types: vec!["customer".into()],
        category: get("category"),
        industry: get("industry"),
        region: get("region"),
        city: get("city"),
        address: get("address"),
        phone: get("phone"),
        email: get("email"),
        website: get("website"),
        pib: get("pib"),
        mb: get("mb"),
        notes: get("notes"),
        inactive: get("inactive"),
        ..Default::default()
    }
}

/// A contact form filled from field values, without account or owner (the caller's to set).
pub(crate) fn contact_input(get: &dyn Fn(&str) -> String) -> ContactInput {
    ContactInput {
        first_name: get("first_name"),
        last_name: get("last_name"),
        job_title: get("job_title"),
        buying_role: get("buying_role"),
        email: get("email"),
        phone: get("phone"),
        mobile: get("mobile"),
        do_not_email: get("do_not_email"),
        do_not_call: get("do_not_call"),
        do_not_mail: get("do_not_mail"),
        ..Default::default()
    }
}

/// An activity form filled from import fields, about the record found for the row.
pub(super) fn activity_input(
    get: &dyn Fn(&str) -> Option<String>,
    (kind, id): (RegardingKind, i64),
    owner: i64,
    done: bool,
) -> ActivityInput {
    let g = |f: &str| get(f).unwrap_or_default();
    ActivityInput {
        kind: g("kind"),
        subject: g("subject"),
        description: g("description"),
        priority: g("priority"),
        starts_at: g("starts_at"),
        ends_at: g("ends_at"),
        direction: g("direction"),
        outcome: g("outcome"),
        location: g("location"),
        regarding_kind: kind.code().to_string(),
        regarding_id: id.to_string(),
        owner_id: owner.to_string(),
        completed: if done { "on".into() } else { String::new() },
        ..Default::default()
    }
}

/// What a deal's row refers to, found in the database.
#[derive(Clone, Copy)]
pub(super) struct DealRefs {
    pub account: Option<i64>,
    pub stage: Option<i64>,
    pub contact: Option<i64>,
    pub owner: i64,
}

pub(super) fn opportunity_input(get: &dyn Fn(&str) -> Option<String>, refs: DealRefs) -> OpportunityInput {
    let g = |f: &str| get(f).unwrap_or_default();
    let id = |x: Option<i64>| x.map(|v| v.to_string()).unwrap_or_default();
    OpportunityInput {
        name: g("name"),
        account_id: id(refs.account),
        contact_id: id(refs.contact),
        owner_id: refs.owner.to_string(),
        stage_id: id(refs.stage),
        probability: g("probability"),
        amount: g("amount"),
        currency: g("currency"),
        close_date: g("close_date"),
        source: g("source"),
        description: g("description"),
        forecast_category: g("forecast_category"),
        ..Default::default()
    }
}

/// A lead form filled from import fields (the source already found, the owner resolved).
pub(super) fn lead_input(get: &(dyn Fn(&str) -> Option<String> + Sync), source_id: Option<i64>, owner: i64) -> LeadInput {
    let g = |f: &str| get(f).unwrap_or_default();
    LeadInput {
        company: g("company"),
        first_name: g("first_name"),
        last_name: g("last_name"),
        title: g("title"),
        email: g("email"),
        phone: g("phone"),
        city: g("city"),
        region: g("region"),
        pib: g("pib"),
        source_id: source_id.map(|s| s.to_string()).unwrap_or_default(),
        rating: g("rating"),
        estimated: g("estimated"),
        currency: g("currency"),
        notes: g("notes"),
        owner_id: owner.to_string(),
        do_not_email: g("do_not_email"),
        do_not_call: g("do_not_call"),
        do_not_mail: g("do_not_mail"),
        ..Default::default()
    }
}

pub(super) fn product_input(get: &(dyn Fn(&str) -> Option<String> + Sync)) -> ProductInput {
    let g = |f: &str| get(f).unwrap_or_default();
    ProductInput {
        code: g("code"),
        name: g("name"),
        family: g("family"),
        unit: g("unit"),
        list_price: g("list_price"),
        currency: g("currency"),
        unit_cost: g("unit_cost"),
        active: match get("active").as_deref() {
            Some("false") => "off".into(),
            _ => "on".into(),
        },
        ..Default::default()
    }
}

/// Writes import-field values over a lead, product, deal or activity through the record's own edit (its
/// rules, its version check, its history entry): an update by the import, or undo putting the earlier
/// values back. A deal's stage change is recorded as the board records one.
pub(super) async fn write_values(
    tx: &mut Tx,
    actor: &Actor,
    entity: ImportEntity,
    (id, version): (i64, i64),
    get: &(dyn Fn(&str) -> Option<String> + Sync),
    owner: i64,
    names: &Names,
) -> Result<(), AppError> {
    match entity {
        ImportEntity::Activity => {
            // What it is about stays.
            let r = sqlx::query("SELECT regarding_kind, regarding_id FROM activities WHERE id = $1").bind(id).fetch_one(&mut **tx).await?;
            let kind = RegardingKind::parse(&r.try_get::<String, _>("regarding_kind")?).ok_or(AppError::Internal)?;
            let v = activities::validate(&activity_input(get, (kind, r.try_get("regarding_id")?), owner, false))?;
            activities::update_in(tx, actor, (id, version), &v).await?;
        }
        ImportEntity::Opportunity => {
            let account: i64 = sqlx::query("SELECT account_id FROM opportunities WHERE id = $1")
                .bind(id)
                .fetch_one(&mut **tx)
                .await?
                .try_get("account_id")?;
            let stage = match get("stage") {
                Some(s) => {
                    Some(*names.stages.get(&crate::domain::text::search_key(&s)).ok_or_else(|| field("stage", Problem::InvalidChoice))?)
                }
                None => None,
            };
            let contact: Option<i64> = match get("contact") {
                Some(email) => sqlx::query("SELECT id FROM contacts WHERE email = $1 AND account_id = $2 ORDER BY id LIMIT 1")
                    .bind(email.to_lowercase())
                    .bind(account)
                    .fetch_optional(&mut **tx)
                    .await?
                    .map(|r| r.try_get("id"))
                    .transpose()?,
                None => None,
            };
            let refs = DealRefs { account: Some(account), stage, contact, owner };
            let v = opportunities::validate(&opportunity_input(get, refs))?;
            opportunities::update_in(tx, actor, (id, version), v).await?;
        }
        ImportEntity::Lead => {
            // An import changes what the lead says, not where it is in its work.
            let status: String =
                sqlx::query("SELECT status FROM leads WHERE id = $1").bind(id).fetch_one(&mut **tx).await?.try_get("status")?;
            let source = get("source").and_then(|s| names.sources.get(&crate::domain::text::search_key(&s)).copied());
            let v = leads::validate(&LeadInput { status, ..lead_input(get, source, owner) })?;
            leads::update_in(tx, actor, (id, version), &v).await?;
        }
        ImportEntity::Product => {
            products::catalog::update_in(tx, actor, (id, version), &products::catalog::validate_product(&product_input(get))?).await?;
        }
        _ => return Err(AppError::Internal),
    }
    Ok(())
}
