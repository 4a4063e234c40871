//! Competitor intelligence. A competitor is an account with the competitor relationship; competitors,
//! their profiles, market shares, products and the field observations about them are company-wide
//! knowledge every user reads and records. What stays private follows the usual visibility rule: the
//! customer named in an observation is shown only to users who may see that customer, and the deals
//! (and win rates) on a competitor's page are the viewer's visible deals.

use super::analysis::{rsd_sum, win_record_select};
use super::opportunities::competitors::check_competitor;
use super::{audit, parse_id, parse_opt_id, visibility, Actor};
use crate::db::sql::Sql;
use crate::db::{now, today, Db};
use crate::domain::catalog::{parse_money, parse_percent_bp};
use crate::domain::competition::*;
use crate::domain::money::{minor_to_input, Currency};
use crate::domain::text::search_key;
use crate::domain::validate::{field, optional, required, required_date};
use crate::domain::{Choice, Role};
use crate::error::{AppError, Problem};
use sqlx::Row;

/// Who may edit a competitor's profile and remove market-share entries: managers, admins and the
/// account's owner or team. Market shares, their products and observations anyone records.
async fn can_edit_profile(db: &Db, actor: &Actor, id: i64) -> Result<bool, AppError> {
    if matches!(actor.role, Role::Admin | Role::Manager) {
        return Ok(true);
    }
    let r = sqlx::query("SELECT owner_id, team_id FROM accounts WHERE id = $1").bind(id).fetch_one(&db.pool).await?;
    Ok(visibility::can_edit(actor, r.try_get("owner_id")?, r.try_get("team_id")?))
}

async fn check_edit_profile(db: &Db, actor: &Actor, id: i64) -> Result<(), AppError> {
    if can_edit_profile(db, actor, id).await? {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

async fn is_competitor(db: &Db, id: i64) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    check_competitor(&mut tx, id, "competitor_id").await.map_err(|_| AppError::NotFound)?;
    tx.commit().await?;
    Ok(())
}

fn rating(name: &str, s: &str) -> Result<Option<i64>, AppError> {
    match s.trim() {
        "" => Ok(None),
        v => match v.parse::<i64>() {
            Ok(n) if (1..=5).contains(&n) => Ok(Some(n)),
            _ => Err(field(name, Problem::OutOfRange(1, 5))),
        },
    }
}

// ---------------------------------------------------------------- profile

pub async fn profile(db: &Db, id: i64) -> Result<CompetitorProfile, AppError> {
    is_competitor(db, id).await?;
    type P =
        (String, Option<String>, Option<String>, Option<String>, Option<String>, Option<String>, Option<i64>, Option<String>, Option<i64>);
    let r: P = sqlx::query_as(
        "SELECT a.name, a.website, p.strengths, p.weaknesses, p.threat, p.regions, p.potential_minor, p.potential_currency, p.version \
         FROM accounts a LEFT JOIN competitor_profiles p ON p.account_id = a.id WHERE a.id = $1",
    )
    .bind(id)
    .fetch_one(&db.pool)
    .await?;
    Ok(CompetitorProfile {
        account_id: id,
        name: r.0,
        website: r.1,
        strengths: r.2,
        weaknesses: r.3,
        threat: r.4.as_deref().and_then(Threat::parse),
        regions: r.5.map(|s| s.lines().map(str::to_string).collect()).unwrap_or_default(),
        potential_minor: r.6,
        potential_currency: r.7.as_deref().and_then(Currency::parse).unwrap_or(Currency::RSD),
        version: r.8.unwrap_or(0),
    })
}

fn profile_fields(p: &CompetitorProfile) -> audit::Fields {
    vec![
        ("strengths", p.strengths.clone()),
        ("weaknesses", p.weaknesses.clone()),
        ("threat", p.threat.map(|t| t.code().to_string())),
        ("regions", (!p.regions.is_empty()).then(|| p.regions.join(", "))),
        ("potential", p.potential_minor.map(|v| format!("{} {}", minor_to_input(v), p.potential_currency.code()))),
    ]
}

/// Saves the profile; returns its new version.
pub async fn save_profile(db: &Db, actor: &Actor, i: &ProfileInput) -> Result<i64, AppError> {
    let id = parse_id("account_id", &i.account_id)?;
    let version = parse_id("version", &i.version).unwrap_or(0);
    let old = profile(db, id).await?;
    check_edit_profile(db, actor, id).await?;
    let threat = match i.threat.trim() {
        "" => None,
        t => Some(Threat::parse(t).ok_or_else(|| field("threat", Problem::InvalidChoice))?),
    };
    let regions: Vec<String> = i.regions.split(['\n', ',']).map(|r| r.trim().to_string()).filter(|r| !r.is_empty()).collect();
    if regions.iter().any(|r| r.chars().count() > 100) {
        return Err(field("regions", Problem::TooLong(100)));
    }
    let new = CompetitorProfile {
        strengths: optional("strengths", &i.strengths, 5000)?,
        weaknesses: optional("weaknesses", &i.weaknesses, 5000)?,
        threat,
        regions,
        potential_minor: if i.potential.trim().is_empty() { None } else { Some(parse_money("potential", &i.potential)?) },
        potential_currency: if i.potential_currency.trim().is_empty() {
            Currency::RSD
        } else {
            Currency::parse(&i.potential_currency).ok_or_else(|| field("potential_currency", Problem::InvalidChoice))?
        },
        ..old.clone()
    };
    let mut tx = db.begin().await?;
    let ts = now();
    let regions = (!new.regions.is_empty()).then(|| new.regions.join("\n"));
    if old.version == 0 {
        if version != 0 {
            return Err(AppError::Conflict);
        }
        sqlx::query(
            "INSERT INTO competitor_profiles (account_id, strengths, weaknesses, threat, regions, potential_minor, potential_currency, updated_at, updated_by, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1)",
        )
        .bind(id)
        .bind(&new.strengths)
        .bind(&new.weaknesses)
        .bind(new.threat.map(|t| t.code()))
        .bind(&regions)
        .bind(new.potential_minor)
        .bind(new.potential_currency.code())
        .bind(&ts)
        .bind(actor.id)
        .execute(&mut *tx)
        .await?;
    } else {
        let n = sqlx::query(
            "UPDATE competitor_profiles SET strengths = $1, weaknesses = $2, threat = $3, regions = $4, potential_minor = $5, potential_currency = $6, \
             updated_at = $7, updated_by = $8, version = version + 1 WHERE account_id = $9 AND version = $10",
        )
        .bind(&new.strengths)
        .bind(&new.weaknesses)
        .bind(new.threat.map(|t| t.code()))
        .bind(&regions)
        .bind(new.potential_minor)
        .bind(new.potential_currency.code())
        .bind(&ts)
        .bind(actor.id)
        .bind(id)
        .bind(version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        crate::db::write::changed_one(n)?;
    }
    audit::updated(&mut tx, "account", id, Some(actor), &profile_fields(&old), &profile_fields(&new)).await?;
    tx.commit().await?;
    Ok(old.version + 1)
}

// ---------------------------------------------------------------- market share

pub async fn add_market_share(db: &Db, actor: &Actor, i: &MarketShareInput) -> Result<i64, AppError> {
    let id = parse_id("competitor_id", &i.competitor_id)?;
    is_competitor(db, id).await?;
    if i.share.trim().is_empty() {
        return Err(field("share", Problem::Required));
    }
    let share = parse_percent_bp("share", &i.share)?;
    let as_of = required_date("as_of", &i.as_of)?.format("%Y-%m-%d").to_string();
    let region = optional("region", &i.region, 100)?;
    let family = optional("family", &i.family, 100)?;
    let source = optional("source", &i.source, 200)?;
    let mut tx = db.begin().await?;
    let new_id: i64 = sqlx::query(
        "INSERT INTO market_shares (competitor_id, share_bp, region, family, as_of, source, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(id)
    .bind(share)
    .bind(&region)
    .bind(&family)
    .bind(&as_of)
    .bind(&source)
    .bind(now())
    .bind(actor.id)
    .fetch_one(&mut *tx)
    .await?
    .try_get("id")?;
    let text = format!("{} · {} · {}", format_bp(share), as_of, [region, family].into_iter().flatten().collect::<Vec<_>>().join(" · "));
    audit::updated(&mut tx, "account", id, Some(actor), &vec![("market_share", None)], &vec![("market_share", Some(text))]).await?;
    tx.commit().await?;
    Ok(new_id)
}

pub async fn delete_market_share(db: &Db, actor: &Actor, competitor: i64, share_id: i64) -> Result<(), AppError> {
    check_edit_profile(db, actor, competitor).await?;
    let mut tx = db.begin().await?;
    let r = sqlx::query("SELECT share_bp, as_of FROM market_shares WHERE id = $1 AND competitor_id = $2")
        .bind(share_id)
        .bind(competitor)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(AppError::NotFound)?;
    let text = format!("{} · {}", format_bp(r.try_get("share_bp")?), r.try_get::<String, _>("as_of")?);
    sqlx::query("DELETE FROM market_shares WHERE id = $1").bind(share_id).execute(&mut *tx).await?;
    audit::updated(&mut tx, "account", competitor, Some(actor), &vec![("market_share", Some(text))], &vec![("market_share", None)]).await?;
    tx.commit().await?;
    Ok(())
}

async fn shares(db: &Db, id: i64) -> Result<Vec<MarketShare>, AppError> {
    let rows = sqlx::query_as::<_, (i64, i64, Option<String>, Option<String>, String, Option<String>)>(
        "SELECT id, share_bp, region, family, as_of, source FROM market_shares WHERE competitor_id = $1 ORDER BY as_of, id",
    )
    .bind(id)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.into_iter().map(|r| MarketShare { id: r.0, share_bp: r.1, region: r.2, family: r.3, as_of: r.4, source: r.5 }).collect())
}

// ---------------------------------------------------------------- competitor products

pub async fn save_product(db: &Db, actor: &Actor, i: &CompetitorProductInput) -> Result<i64, AppError> {
    let competitor = parse_id("competitor_id", &i.competitor_id)?;
    is_competitor(db, competitor).await?;
    let name = required("name", &i.name, 200)?;
    let family = optional("family", &i.family, 100)?;
    let quality = rating("quality", &i.quality)?;
    let service = rating("service", &i.service)?;
    let notes = optional("notes", &i.notes, 5000)?;
    let mut counters = Vec::new();
    for c in &i.counters {
        if let Some(id) = parse_opt_id("counters", c)? {
            if !counters.contains(&id) {
                counters.push(id);
            }
        }
    }
    let mut tx = db.begin().await?;
    for c in &counters {
        let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM products WHERE id = $1").bind(*c).fetch_one(&mut *tx).await?.try_get("n")?;
        if n == 0 {
            return Err(field("counters", Problem::InvalidChoice));
        }
    }
    let ts = now();
    let (id, before) = if i.id.trim().is_empty() {
        let id: i64 = sqlx::query(
            "INSERT INTO competitor_products (competitor_id, name, search_key, family, quality, service, notes, created_at, created_by, updated_at, updated_by, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $8, $9, 1) RETURNING id",
        )
        .bind(competitor)
        .bind(&name)
        .bind(search_key(&name))
        .bind(&family)
        .bind(quality)
        .bind(service)
        .bind(&notes)
        .bind(&ts)
        .bind(actor.id)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        (id, None)
    } else {
        let id = parse_id("id", &i.id)?;
        let version = parse_id("version", &i.version)?;
        let old: (String, i64) = sqlx::query_as("SELECT name, version FROM competitor_products WHERE id = $1 AND competitor_id = $2")
            .bind(id)
            .bind(competitor)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(AppError::NotFound)?;
        crate::domain::check_version(old.1, version)?;
        let n = sqlx::query(
            "UPDATE competitor_products SET name = $1, search_key = $2, family = $3, quality = $4, service = $5, notes = $6, updated_at = $7, \
             updated_by = $8, version = version + 1 WHERE id = $9 AND version = $10",
        )
        .bind(&name)
        .bind(search_key(&name))
        .bind(&family)
        .bind(quality)
        .bind(service)
        .bind(&notes)
        .bind(&ts)
        .bind(actor.id)
        .bind(id)
        .bind(version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        crate::db::write::changed_one(n)?;
        sqlx::query("DELETE FROM competitor_product_counters WHERE competitor_product_id = $1").bind(id).execute(&mut *tx).await?;
        (id, Some(old.0))
    };
    for c in &counters {
        sqlx::query("INSERT INTO competitor_product_counters (competitor_product_id, product_id) VALUES ($1, $2)")
            .bind(id)
            .bind(*c)
            .execute(&mut *tx)
            .await?;
    }
    let describe = |q: Option<i64>, s: Option<i64>| {
        format!(
            "{name} ({}; Q {}, S {})",
            family.clone().unwrap_or_default(),
            q.map(|v| v.to_string()).unwrap_or("–".into()),
            s.map(|v| v.to_string()).unwrap_or("–".into())
        )
    };
    audit::updated(
        &mut tx,
        "account",
        competitor,
        Some(actor),
        &vec![("competitor_product", before)],
        &vec![("competitor_product", Some(describe(quality, service)))],
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

async fn products_of(db: &Db, id: i64) -> Result<Vec<CompetitorProduct>, AppError> {
    type R = (i64, String, Option<String>, Option<i64>, Option<i64>, Option<String>, i64);
    let rows: Vec<R> = sqlx::query_as(
        "SELECT id, name, family, quality, service, notes, version FROM competitor_products WHERE competitor_id = $1 ORDER BY search_key, id",
    )
    .bind(id)
    .fetch_all(&db.pool)
    .await?;
    let counters = sqlx::query_as::<_, (i64, i64, String, i64, String)>(
        "SELECT c.competitor_product_id, p.id, p.name, p.list_price_minor, p.currency FROM competitor_product_counters c \
         JOIN competitor_products cp ON cp.id = c.competitor_product_id JOIN products p ON p.id = c.product_id \
         WHERE cp.competitor_id = $1 ORDER BY p.search_key",
    )
    .bind(id)
    .fetch_all(&db.pool)
    .await?;
    // Observed prices of all its products in one query, oldest first (the chart's order).
    let prices = sqlx::query_as::<_, (i64, String, i64, String, Option<i64>)>(
        "SELECT competitor_product_id, observed_on, price_minor, currency, rebate_bp FROM field_observations \
         WHERE competitor_id = $1 AND competitor_product_id IS NOT NULL AND price_minor IS NOT NULL ORDER BY observed_on, id",
    )
    .bind(id)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| CompetitorProduct {
            id: r.0,
            name: r.1,
            family: r.2,
            quality: r.3,
            service: r.4,
            notes: r.5,
            counters: counters
                .iter()
                .filter(|c| c.0 == r.0)
                .map(|c| Counter {
                    product_id: c.1,
                    name: c.2.clone(),
                    list_price_minor: c.3,
                    currency: Currency::parse(&c.4).unwrap_or(Currency::RSD),
                })
                .collect(),
            prices: prices
                .iter()
                .filter(|p| p.0 == r.0)
                .map(|p| PricePoint {
                    on: p.1.clone(),
                    price_minor: p.2,
                    currency: Currency::parse(&p.3).unwrap_or(Currency::RSD),
                    rebate_bp: p.4,
                })
                .collect(),
            version: r.6,
        })
        .collect())
}

// ---------------------------------------------------------------- field observations

/// Records what a salesperson saw at a customer; returns its id.
pub async fn record_observation(db: &Db, actor: &Actor, i: &ObservationInput) -> Result<i64, AppError> {
    let competitor = parse_opt_id("competitor_id", &i.competitor_id)?.ok_or_else(|| field("competitor_id", Problem::Required))?;
    let product = parse_opt_id("competitor_product_id", &i.competitor_product_id)?;
    let customer = parse_opt_id("customer_id", &i.customer_id)?;
    let opportunity = parse_opt_id("opportunity_id", &i.opportunity_id)?;
    let observed_on = if i.observed_on.trim().is_empty() {
        today()
    } else {
        required_date("observed_on", &i.observed_on)?.format("%Y-%m-%d").to_string()
    };
    if observed_on > today() {
        return Err(field("observed_on", Problem::InFuture));
    }
    let price = if i.price.trim().is_empty() { None } else { Some(parse_money("price", &i.price)?) };
    let currency = match (price, i.currency.trim()) {
        (None, _) => None,
        (Some(_), "") => Some(Currency::RSD),
        (Some(_), c) => Some(Currency::parse(c).ok_or_else(|| field("currency", Problem::InvalidChoice))?),
    };
    let rebate = if i.rebate.trim().is_empty() { None } else { Some(parse_percent_bp("rebate", &i.rebate)?) };
    let quality = rating("quality", &i.quality)?;
    let service = rating("service", &i.service)?;
    let region = optional("region", &i.region, 100)?;
    let terms = optional("payment_terms", &i.payment_terms, 200)?;
    let why = optional("why_liked", &i.why_liked, 5000)?;
    let note = optional("note", &i.note, 5000)?;
    if price.is_none() && rebate.is_none() && quality.is_none() && service.is_none() && terms.is_none() && why.is_none() && note.is_none() {
        // An observation with nothing observed is a mistake, not a record.
        return Err(field("price", Problem::Required));
    }
    let mut tx = db.begin().await?;
    check_competitor(&mut tx, competitor, "competitor_id").await?;
    if let Some(p) = product {
        let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM competitor_products WHERE id = $1 AND competitor_id = $2")
            .bind(p)
            .bind(competitor)
            .fetch_one(&mut *tx)
            .await?
            .try_get("n")?;
        if n == 0 {
            return Err(field("competitor_product_id", Problem::InvalidChoice));
        }
    }
    let mut region = region;
    if let Some(c) = customer {
        // The customer must be one the recorder may see; its region is the default.
        let mut sql = Sql::new("SELECT a.region FROM accounts a WHERE a.id = ");
        sql.bind(c);
        visibility::restrict(&mut sql, actor, "a");
        let r = sql.query().fetch_optional(&mut *tx).await?.ok_or_else(|| field("customer_id", Problem::InvalidChoice))?;
        if region.is_none() {
            region = r.try_get("region")?;
        }
    }
    if let Some(o) = opportunity {
        let mut sql = Sql::new("SELECT o.account_id FROM opportunities o WHERE o.id = ");
        sql.bind(o);
        visibility::restrict(&mut sql, actor, "o");
        sql.query().fetch_optional(&mut *tx).await?.ok_or_else(|| field("opportunity_id", Problem::InvalidChoice))?;
    }
    let ts = now();
    let id: i64 = sqlx::query(
        "INSERT INTO field_observations (competitor_id, competitor_product_id, customer_id, opportunity_id, observed_on, region, price_minor, currency, \
         rebate_bp, payment_terms, quality, service, why_liked, note, owner_id, team_id, created_at, created_by, updated_at, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $15, $17, 1) RETURNING id",
    )
    .bind(competitor)
    .bind(product)
    .bind(customer)
    .bind(opportunity)
    .bind(&observed_on)
    .bind(&region)
    .bind(price)
    .bind(currency.map(|c| c.code()))
    .bind(rebate)
    .bind(&terms)
    .bind(quality)
    .bind(service)
    .bind(&why)
    .bind(&note)
    .bind(actor.id)
    .bind(actor.team_id)
    .bind(&ts)
    .fetch_one(&mut *tx)
    .await?
    .try_get("id")?;
    audit::created(
        &mut tx,
        "observation",
        id,
        Some(actor),
        &vec![
            ("competitor_id", Some(competitor.to_string())),
            ("competitor_product_id", product.map(|p| p.to_string())),
            ("customer_id", customer.map(|p| p.to_string())),
            ("observed_on", Some(observed_on.clone())),
            ("price", price.map(|p| format!("{} {}", minor_to_input(p), currency.map(|c| c.code()).unwrap_or("")))),
            ("rebate", rebate.map(format_bp)),
            ("payment_terms", terms.clone()),
            ("why_liked", why.clone()),
            ("note", note.clone()),
        ],
    )
    .await?;
    // A deal named on the observation now lists the competitor (with its history row).
    if let Some(o) = opportunity {
        super::opportunities::competitors::link_competitor(&mut tx, actor, o, competitor).await?;
    }
    tx.commit().await?;
    Ok(id)
}

#[derive(sqlx::FromRow)]
struct ObsDb {
    id: i64,
    competitor_id: i64,
    competitor_name: String,
    product_id: Option<i64>,
    product_name: Option<String>,
    customer_id: Option<i64>,
    customer_name: Option<String>,
    observed_on: String,
    region: Option<String>,
    price_minor: Option<i64>,
    currency: Option<String>,
    rebate_bp: Option<i64>,
    payment_terms: Option<String>,
    quality: Option<i64>,
    service: Option<i64>,
    why_liked: Option<String>,
    note: Option<String>,
    recorded_by: String,
    owner_id: i64,
    /// The customer the observation was recorded at, whether or not the viewer may see it.
    linked_customer: Option<i64>,
}

/// Observations, newest first, with the customer named only where the viewer may see it; the note,
/// free text that may well speak of the customer, goes with it. `scope` is a filter like
/// " AND f.competitor_id = " followed by its bound value.
async fn observations(db: &Db, actor: &Actor, column: &str, id: i64, limit: i64) -> Result<Vec<Observation>, AppError> {
    observations_on(&mut *db.pool.acquire().await?, actor, column, id, limit).await
}

async fn observations_on(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    column: &str,
    id: i64,
    limit: i64,
) -> Result<Vec<Observation>, AppError> {
    let mut sql = Sql::new(
        "SELECT f.id, f.competitor_id, c.name AS competitor_name, f.competitor_product_id AS product_id, cp.name AS product_name, \
         cu.id AS customer_id, cu.name AS customer_name, f.observed_on, f.region, f.price_minor, f.currency, f.rebate_bp, f.payment_terms, \
         f.quality, f.service, f.why_liked, f.note, u.name AS recorded_by, f.owner_id, f.customer_id AS linked_customer FROM field_observations f \
         JOIN accounts c ON c.id = f.competitor_id JOIN users u ON u.id = f.owner_id \
         LEFT JOIN competitor_products cp ON cp.id = f.competitor_product_id \
         LEFT JOIN accounts cu ON cu.id = f.customer_id",
    );
    visibility::restrict(&mut sql, actor, "cu");
    sql.push(&format!(" WHERE f.{column} = ")).bind(id);
    if column == "customer_id" {
        // On a customer's page the customer itself must be visible.
        sql.push(" AND cu.id IS NOT NULL");
    }
    sql.push(" ORDER BY f.observed_on DESC, f.id DESC LIMIT ").bind(limit);
    let rows = sql.query_as::<ObsDb>().fetch_all(conn).await?;
    Ok(rows
        .into_iter()
        .map(|r| Observation {
            id: r.id,
            competitor_id: r.competitor_id,
            competitor_name: r.competitor_name,
            product_id: r.product_id,
            product_name: r.product_name,
            customer_id: r.customer_id,
            customer_name: r.customer_name,
            observed_on: r.observed_on,
            region: r.region,
            price_minor: r.price_minor,
            currency: r.currency.as_deref().and_then(Currency::parse),
            rebate_bp: r.rebate_bp,
            payment_terms: r.payment_terms,
            quality: r.quality,
            service: r.service,
            why_liked: r.why_liked,
            note: if r.linked_customer.is_some() && r.customer_id.is_none() { None } else { r.note },
            recorded_by: r.recorded_by,
            can_delete: may_delete_observation(actor, r.owner_id),
        })
        .collect())
}

/// Who may remove an observation: whoever recorded it, managers and admins.
fn may_delete_observation(actor: &Actor, owner: i64) -> bool {
    owner == actor.id || matches!(actor.role, Role::Admin | Role::Manager)
}

/// Removes an observation recorded by mistake (its recorder, managers and admins); the audit keeps it.
pub async fn delete_observation(db: &Db, actor: &Actor, id: i64) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    let r = sqlx::query("SELECT owner_id, competitor_id, observed_on FROM field_observations WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(AppError::NotFound)?;
    if !may_delete_observation(actor, r.try_get("owner_id")?) {
        return Err(AppError::Forbidden);
    }
    let label = format!("{} · {}", r.try_get::<i64, _>("competitor_id")?, r.try_get::<String, _>("observed_on")?);
    sqlx::query("DELETE FROM field_observations WHERE id = $1").bind(id).execute(&mut *tx).await?;
    audit::deleted(&mut tx, "observation", id, Some(actor), &label).await?;
    tx.commit().await?;
    Ok(())
}

/// The latest observations made at a customer (for its account page).
pub async fn observations_at(db: &Db, actor: &Actor, customer: i64) -> Result<Vec<Observation>, AppError> {
    observations(db, actor, "customer_id", customer, 20).await
}

/// The competition panel of an account's page: the observations made at the account and the cross-sell
/// hints, on one connection.
pub async fn account_panel(db: &Db, actor: &Actor, account_id: i64) -> Result<(Vec<Observation>, Vec<CrossSell>), AppError> {
    let mut conn = db.pool.acquire().await?;
    let hints = super::analysis::cross_sell_on(&mut conn, db.backend, actor, account_id).await?;
    let seen = observations_on(&mut conn, actor, "customer_id", account_id, 20).await?;
    Ok((seen, hints))
}

/// What the observation form offers: competitors and their products, and the regions.
pub async fn observation_choices(db: &Db) -> Result<ObservationChoices, AppError> {
    let competitors = super::opportunities::competitors::competitor_choices(db).await?;
    let products = sqlx::query_as::<_, (i64, i64, String)>(
        "SELECT cp.competitor_id, cp.id, cp.name FROM competitor_products cp JOIN account_types t ON t.account_id = cp.competitor_id AND t.type = 'competitor' \
         ORDER BY cp.search_key, cp.id LIMIT 2000",
    )
    .fetch_all(&db.pool)
    .await?
    .into_iter()
    .map(|(c, id, label)| (c, Choice { id, label }))
    .collect();
    let regions = super::lookups::regions(db).await?;
    Ok(ObservationChoices { competitors, products, regions })
}

// ---------------------------------------------------------------- the competitor's page and the list

pub async fn page(db: &Db, actor: &Actor, id: i64) -> Result<CompetitorPage, AppError> {
    let profile = profile(db, id).await?;
    let rate = super::currency::eur_rate(db).await?;
    let record = {
        let mut sql = win_record_select(rate);
        sql.push(" FROM opportunities o JOIN stages s ON s.id = o.stage_id WHERE (o.won_by_id = ").bind(id);
        sql.push(" OR o.id IN (SELECT oc.opportunity_id FROM opportunity_competitors oc WHERE oc.competitor_id = ").bind(id).push("))");
        visibility::restrict(&mut sql, actor, "o");
        let (won, lost, won_minor, lost_minor): (i64, i64, i64, i64) = sql.query_as().fetch_one(&db.pool).await?;
        WinRecord { key: id.to_string(), label: profile.name.clone(), won, lost, won_minor, lost_minor }
    };
    // Deals lost to this competitor, by reason.
    let mut reasons_sql = Sql::new("SELECT o.close_reason_id, COUNT(*) AS n, ");
    rsd_sum(&mut reasons_sql, "o.amount_minor", "o.currency", rate);
    reasons_sql.push(" AS v FROM opportunities o WHERE o.won_by_id = ").bind(id).push(" AND o.close_reason_id IS NOT NULL");
    visibility::restrict(&mut reasons_sql, actor, "o");
    reasons_sql.push(" GROUP BY o.close_reason_id ORDER BY n DESC");
    let reason_rows: Vec<(i64, i64, i64)> = reasons_sql.query_as().fetch_all(&db.pool).await?;
    let picklists = super::picklists::load(db).await?;
    let loss_reasons = reason_rows
        .into_iter()
        .filter_map(|(r, n, v)| {
            picklists.loss_reasons.iter().find(|p| p.id == r).map(|p| ReasonCount { reason: p.clone(), count: n, value_minor: v })
        })
        .collect();
    // The latest deals where they compete: the opportunity list's own query, filtered by competitor.
    let deals = crate::domain::ListQuery { competitor: id.to_string(), sort: "close".into(), dir: "desc".into(), ..Default::default() };
    let mut opportunities = super::opportunities::list(db, actor, &deals).await?.rows;
    opportunities.truncate(12);
    let observations = observations(db, actor, "competitor_id", id, 100).await?;
    let why_liked = observations.iter().filter_map(|o| o.why_liked.clone()).take(20).collect();
    Ok(CompetitorPage {
        profile,
        shares: shares(db, id).await?,
        products: products_of(db, id).await?,
        observations,
        opportunities,
        record,
        loss_reasons,
        why_liked,
        can_edit: can_edit_profile(db, actor, id).await?,
        our_products: super::products::catalog::all_choices(db).await?,
        families: super::products::catalog::families(db).await?,
    })
}

/// Every competitor with its threat, latest market share, observations and the viewer's win record.
pub async fn list(db: &Db, actor: &Actor) -> Result<Vec<CompetitorSummary>, AppError> {
    let rate = super::currency::eur_rate(db).await?;
    type Row = (i64, String, Option<String>, Option<i64>, i64);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT a.id, a.name, p.threat, \
         (SELECT m.share_bp FROM market_shares m WHERE m.competitor_id = a.id ORDER BY m.as_of DESC, m.id DESC LIMIT 1) AS share, \
         (SELECT COUNT(*) FROM field_observations f WHERE f.competitor_id = a.id) AS observations \
         FROM accounts a JOIN account_types t ON t.account_id = a.id AND t.type = 'competitor' \
         LEFT JOIN competitor_profiles p ON p.account_id = a.id ORDER BY a.search_key, a.id LIMIT 500",
    )
    .fetch_all(&db.pool)
    .await?;
    // Win records of all competitors in one grouped query over the deals they were on.
    let mut sql = Sql::new("SELECT c.competitor_id, ");
    super::analysis::win_record_columns(&mut sql, rate);
    sql.push(
        " FROM (SELECT oc.competitor_id, oc.opportunity_id FROM opportunity_competitors oc \
         UNION SELECT o2.won_by_id, o2.id FROM opportunities o2 WHERE o2.won_by_id IS NOT NULL) c \
         JOIN opportunities o ON o.id = c.opportunity_id JOIN stages s ON s.id = o.stage_id WHERE 1=1",
    );
    visibility::restrict(&mut sql, actor, "o");
    sql.push(" GROUP BY c.competitor_id");
    let records: Vec<(i64, i64, i64, i64, i64)> = sql.query_as().fetch_all(&db.pool).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let rec = records.iter().find(|x| x.0 == r.0);
            CompetitorSummary {
                id: r.0,
                name: r.1.clone(),
                threat: r.2.as_deref().and_then(Threat::parse),
                latest_share_bp: r.3,
                observations: r.4,
                record: WinRecord {
                    key: r.0.to_string(),
                    label: r.1,
                    won: rec.map(|x| x.1).unwrap_or(0),
                    lost: rec.map(|x| x.2).unwrap_or(0),
                    won_minor: rec.map(|x| x.3).unwrap_or(0),
                    lost_minor: rec.map(|x| x.4).unwrap_or(0),
                },
            }
        })
        .collect())
}
