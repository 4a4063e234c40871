//! Leads: potential customers before they are qualified. A lead is worked (new → contacted), then
//! either qualified — in one transaction it becomes, or is linked to, an account, a contact and
//! optionally an opportunity that remembers the lead and its source — or disqualified with a reason.
//! Before qualifying, `matches` shows existing accounts and contacts it may already be.

use super::listing::{self, SortColumn};
use super::{audit, parse_id, parse_opt_id, picklists, visibility, Actor};
use crate::db::sql::Sql;
use crate::db::{now, Db, Tx};
use crate::domain::ids::pib_is_valid;
use crate::domain::marketing::ContactPreferences;
use crate::domain::money::{minor_to_input, parse_amount, Currency};
use crate::domain::text::{search_key, search_text};
use crate::domain::validate::{field, optional, optional_digits_id, optional_email, optional_phone};
use crate::domain::{
    AccountInput, Choice, ContactInput, DisqualifyInput, Lead, LeadColumn, LeadInput, LeadMatches, LeadRating, LeadRow, LeadStatus,
    ListQuery, MatchHit, MatchReason, OpportunityInput, Page, Qualified, QualifyInput, StageKind, LIST_DISQUALIFY_REASON, LIST_LEAD_SOURCE,
};
use crate::db::write::changed_one;
use crate::error::{AppError, Problem};
use sqlx::Row;

#[derive(Clone, Debug, PartialEq)]
pub struct Valid {
    pub company: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub title: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub pib: Option<String>,
    pub source_id: Option<i64>,
    pub rating: LeadRating,
    pub status: LeadStatus,
    pub estimated_minor: i64,
    pub currency: Currency,
    pub notes: Option<String>,
    /// Do not e-mail, call or send mail.
    pub preferences: ContactPreferences,
    pub owner_id: Option<i64>,
}

impl Valid {
    pub fn name(&self) -> String {
        crate::domain::lead_name(self.company.as_deref(), self.first_name.as_deref(), self.last_name.as_deref())
    }
    /// What the lead is found by: company, person, e-mail, phone, PIB, city.
    pub fn search_text(&self) -> String {
        let name = self.name();
        search_text(&[Some(&name), self.email.as_deref(), self.phone.as_deref(), self.pib.as_deref(), self.city.as_deref()])
    }
}

pub fn validate(i: &LeadInput) -> Result<Valid, AppError> {
    let company = optional("company", &i.company, 200)?;
    let first_name = optional("first_name", &i.first_name, 100)?;
    let last_name = optional("last_name", &i.last_name, 100)?;
    if company.is_none() && last_name.is_none() {
        // A lead is a company or a person: at least one of them names it.
        return Err(field(if first_name.is_some() { "last_name" } else { "company" }, Problem::Required));
    }
    let rating = match i.rating.trim() {
        "" => LeadRating::Warm,
        r => LeadRating::parse(r).ok_or_else(|| field("rating", Problem::InvalidChoice))?,
    };
    let status = match i.status.trim() {
        "" => LeadStatus::New,
        s => match LeadStatus::parse(s) {
            Some(st) if !st.is_closed() => st,
            _ => return Err(field("status", Problem::InvalidChoice)),
        },
    };
    let estimated_minor = if i.estimated.trim().is_empty() {
        0
    } else {
        parse_amount(&i.estimated).ok_or_else(|| field("estimated", Problem::InvalidNumber))?
    };
    if estimated_minor < 0 {
        return Err(field("estimated", Problem::OutOfRange(0, i64::MAX / 100)));
    }
    let currency = match i.currency.trim() {
        "" => Currency::RSD,
        c => Currency::parse(c).ok_or_else(|| field("currency", Problem::InvalidChoice))?,
    };
    Ok(Valid {
        company,
        first_name,
        last_name,
        title: optional("title", &i.title, 120)?,
        email: optional_email("email", &i.email)?,
        phone: optional_phone("phone", &i.phone)?,
        city: optional("city", &i.city, 100)?,
        region: optional("region", &i.region, 100)?,
        pib: optional_digits_id("pib", &i.pib, pib_is_valid, Problem::InvalidPib)?,
        source_id: parse_opt_id("source_id", &i.source_id)?,
        rating,
        status,
        estimated_minor,
        currency,
        notes: optional("notes", &i.notes, 10_000)?,
        preferences: ContactPreferences::parse(&i.do_not_email, &i.do_not_call, &i.do_not_mail)?,
        owner_id: parse_opt_id("owner_id", &i.owner_id)?,
    })
}

fn audit_fields(v: &Valid, owner: i64) -> audit::Fields {
    let mut fields = vec![
        ("company", v.company.clone()),
        ("first_name", v.first_name.clone()),
        ("last_name", v.last_name.clone()),
        ("title", v.title.clone()),
        ("email", v.email.clone()),
        ("phone", v.phone.clone()),
        ("city", v.city.clone()),
        ("region", v.region.clone()),
        ("pib", v.pib.clone()),
        ("source_id", v.source_id.map(|s| s.to_string())),
        ("rating", Some(v.rating.code().to_string())),
        ("status", Some(v.status.code().to_string())),
        ("estimated", Some(minor_to_input(v.estimated_minor))),
        ("currency", Some(v.currency.code().to_string())),
        ("notes", v.notes.clone()),
    ];
    fields.extend(v.preferences.audit_values());
    fields.push(("owner_id", Some(owner.to_string())));
    fields
}

#[derive(sqlx::FromRow)]
struct LeadDb {
    id: i64,
    company: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    title: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    city: Option<String>,
    region: Option<String>,
    pib: Option<String>,
    source_id: Option<i64>,
    rating: String,
    status: String,
    estimated_minor: i64,
    currency: String,
    notes: Option<String>,
    disqualify_reason_id: Option<i64>,
    disqualify_note: Option<String>,
    account_id: Option<i64>,
    account_name: Option<String>,
    contact_id: Option<i64>,
    contact_name: Option<String>,
    opportunity_id: Option<i64>,
    opportunity_name: Option<String>,
    closed_at: Option<String>,
    do_not_email: i64,
    do_not_call: i64,
    do_not_mail: i64,
    owner_id: i64,
    owner_name: String,
    team_id: Option<i64>,
    created_at: String,
    version: i64,
}

const DETAIL: &str = "SELECT l.id, l.company, l.first_name, l.last_name, l.title, l.email, l.phone, l.city, l.region, l.pib, l.source_id, \
    l.rating, l.status, l.estimated_minor, l.currency, l.notes, l.disqualify_reason_id, l.disqualify_note, \
    l.account_id, a.name AS account_name, l.contact_id, CASE WHEN c.id IS NULL THEN NULL ELSE c.first_name || ' ' || c.last_name END AS contact_name, \
    l.opportunity_id, o.name AS opportunity_name, l.closed_at, l.do_not_email, l.do_not_call, l.do_not_mail, l.owner_id, u.name AS owner_name, l.team_id, l.created_at, l.version \
    FROM leads l JOIN users u ON u.id = l.owner_id LEFT JOIN accounts a ON a.id = l.account_id \
    LEFT JOIN contacts c ON c.id = l.contact_id LEFT JOIN opportunities o ON o.id = l.opportunity_id WHERE l.id = ";

fn choice(id: Option<i64>, label: Option<String>) -> Option<Choice> {
    id.map(|id| Choice { id, label: label.unwrap_or_default() })
}

fn to_lead(r: LeadDb) -> Lead {
    Lead {
        id: r.id,
        company: r.company,
        first_name: r.first_name,
        last_name: r.last_name,
        title: r.title,
        email: r.email,
        phone: r.phone,
        city: r.city,
        region: r.region,
        pib: r.pib,
        source_id: r.source_id,
        rating: LeadRating::parse(&r.rating).unwrap_or(LeadRating::Warm),
        status: LeadStatus::parse(&r.status).unwrap_or(LeadStatus::New),
        estimated_minor: r.estimated_minor,
        currency: Currency::parse(&r.currency).unwrap_or(Currency::RSD),
        notes: r.notes,
        disqualify_reason_id: r.disqualify_reason_id,
        disqualify_note: r.disqualify_note,
        account: choice(r.account_id, r.account_name),
        contact: choice(r.contact_id, r.contact_name),
        opportunity: choice(r.opportunity_id, r.opportunity_name),
        closed_at: r.closed_at,
        preferences: ContactPreferences::from_flags([r.do_not_email, r.do_not_call, r.do_not_mail].map(|f| f != 0)),
        owner_id: r.owner_id,
        owner_name: r.owner_name,
        created_at: r.created_at,
        version: r.version,
    }
}

fn to_valid(l: &Lead) -> Valid {
    Valid {
        company: l.company.clone(),
        first_name: l.first_name.clone(),
        last_name: l.last_name.clone(),
        title: l.title.clone(),
        email: l.email.clone(),
        phone: l.phone.clone(),
        city: l.city.clone(),
        region: l.region.clone(),
        pib: l.pib.clone(),
        source_id: l.source_id,
        rating: l.rating,
        status: l.status,
        estimated_minor: l.estimated_minor,
        currency: l.currency,
        notes: l.notes.clone(),
        preferences: l.preferences,
        owner_id: Some(l.owner_id),
    }
}

pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<Lead, AppError> {
    let mut sql = Sql::new(DETAIL);
    sql.bind(id);
    visibility::restrict(&mut sql, actor, "l");
    sql.query_as::<LeadDb>().fetch_optional(&db.pool).await?.map(to_lead).ok_or(AppError::NotFound)
}

/// Loads a lead for a write inside `tx` and checks the version the user saw.
async fn get_for_update(tx: &mut Tx, actor: &Actor, id: i64, version: i64) -> Result<(Lead, Option<i64>), AppError> {
    let mut sql = Sql::new(DETAIL);
    sql.bind(id);
    visibility::restrict(&mut sql, actor, "l");
    let row = sql.query_as::<LeadDb>().fetch_optional(&mut **tx).await?.ok_or(AppError::NotFound)?;
    if !visibility::can_edit(actor, row.owner_id, row.team_id) {
        return Err(AppError::NotFound);
    }
    let team = row.team_id;
    crate::domain::check_version(row.version, version)?;
    Ok((to_lead(row), team))
}

pub async fn create(db: &Db, actor: &Actor, input: &LeadInput) -> Result<i64, AppError> {
    let v = validate(input)?;
    let mut tx = db.begin().await?;
    let id = insert(&mut tx, actor, &v, None, false).await?;
    tx.commit().await?;
    Ok(id)
}

/// Inserts a validated lead. `created_at` overrides the creation time (demo history).
pub async fn insert(tx: &mut Tx, actor: &Actor, v: &Valid, created_at: Option<&str>, demo: bool) -> Result<i64, AppError> {
    if let Some(s) = v.source_id {
        picklists::check_active(tx, LIST_LEAD_SOURCE, s, "source_id").await?;
    }
    let (owner, team) = crate::services::visibility::resolve_owner(tx, actor, v.owner_id).await?;
    let ts = created_at.map(str::to_string).unwrap_or_else(now);
    let id: i64 = sqlx::query(
        "INSERT INTO leads (company, first_name, last_name, title, email, phone, city, region, pib, source_id, rating, status, \
         estimated_minor, currency, notes, search_key, search_text, owner_id, team_id, is_demo, created_at, created_by, updated_at, updated_by, version, \
         do_not_email, do_not_call, do_not_mail) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $21, $22, 1, $23, $24, $25) RETURNING id",
    )
    .bind(&v.company)
    .bind(&v.first_name)
    .bind(&v.last_name)
    .bind(&v.title)
    .bind(&v.email)
    .bind(&v.phone)
    .bind(&v.city)
    .bind(&v.region)
    .bind(&v.pib)
    .bind(v.source_id)
    .bind(v.rating.code())
    .bind(v.status.code())
    .bind(v.estimated_minor)
    .bind(v.currency.code())
    .bind(&v.notes)
    .bind(search_key(&v.name()))
    .bind(v.search_text())
    .bind(owner)
    .bind(team)
    .bind(demo as i64)
    .bind(&ts)
    .bind(actor.id)
    .bind(v.preferences.do_not_email as i64)
    .bind(v.preferences.do_not_call as i64)
    .bind(v.preferences.do_not_mail as i64)
    .fetch_one(&mut **tx)
    .await?
    .try_get("id")?;
    // A preference not set is left out of the new lead's history, like an empty field.
    let fields: audit::Fields = audit_fields(v, owner)
        .into_iter()
        .filter(|(f, value)| !(ContactPreferences::FIELDS.contains(f) && value.as_deref() == Some("0")))
        .collect();
    audit::created(tx, "lead", id, Some(actor), &fields).await?;
    Ok(id)
}

/// Saves an edit of an open lead. Qualified and disqualified leads are closed: they change only by
/// their own steps.
pub async fn update(db: &Db, actor: &Actor, input: &LeadInput) -> Result<i64, AppError> {
    let id = parse_id("id", &input.id)?;
    let version = parse_id("version", &input.version)?;
    let v = validate(input)?;
    let mut tx = db.begin().await?;
    let version = update_in(&mut tx, actor, (id, version), &v).await?;
    tx.commit().await?;
    Ok(version)
}

/// Saves an edit inside the caller's transaction (the form, or an import updating a lead): only an open
/// lead the user may edit, at the version they saw; the change is written to the history. Returns the
/// new version.
pub(crate) async fn update_in(tx: &mut Tx, actor: &Actor, (id, version): (i64, i64), v: &Valid) -> Result<i64, AppError> {
    let (old, _) = get_for_update(tx, actor, id, version).await?;
    if old.status.is_closed() {
        return Err(field("status", Problem::InvalidChoice));
    }
    if v.source_id.is_some() && v.source_id != old.source_id {
        picklists::check_active(tx, LIST_LEAD_SOURCE, v.source_id.unwrap_or_default(), "source_id").await?;
    }
    let (owner, team) = crate::services::visibility::resolve_owner(tx, actor, v.owner_id.or(Some(old.owner_id))).await?;
    let n = sqlx::query(
        "UPDATE leads SET company = $1, first_name = $2, last_name = $3, title = $4, email = $5, phone = $6, city = $7, region = $8, \
         pib = $9, source_id = $10, rating = $11, status = $12, estimated_minor = $13, currency = $14, notes = $15, search_key = $16, \
         search_text = $17, owner_id = $18, team_id = $19, updated_at = $20, updated_by = $21, do_not_email = $24, do_not_call = $25, \
         do_not_mail = $26, version = version + 1 WHERE id = $22 AND version = $23",
    )
    .bind(&v.company)
    .bind(&v.first_name)
    .bind(&v.last_name)
    .bind(&v.title)
    .bind(&v.email)
    .bind(&v.phone)
    .bind(&v.city)
    .bind(&v.region)
    .bind(&v.pib)
    .bind(v.source_id)
    .bind(v.rating.code())
    .bind(v.status.code())
    .bind(v.estimated_minor)
    .bind(v.currency.code())
    .bind(&v.notes)
    .bind(search_key(&v.name()))
    .bind(v.search_text())
    .bind(owner)
    .bind(team)
    .bind(now())
    .bind(actor.id)
    .bind(id)
    .bind(version)
    .bind(v.preferences.do_not_email as i64)
    .bind(v.preferences.do_not_call as i64)
    .bind(v.preferences.do_not_mail as i64)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    changed_one(n)?;
    audit::updated(tx, "lead", id, Some(actor), &audit_fields(&to_valid(&old), old.owner_id), &audit_fields(v, owner)).await?;
    Ok(version + 1)
}

/// Moves a lead that was not qualified to the trash with its activities, notes and documents (restorable
/// with them); a qualified lead is history and stays.
pub async fn delete(db: &Db, actor: &Actor, id: i64, version: i64) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    delete_in(&mut tx, actor, id, version).await?;
    tx.commit().await?;
    Ok(())
}

/// [`delete`] inside the caller's transaction (a batch of a bulk delete), with the same refusals.
pub(crate) async fn delete_in(tx: &mut Tx, actor: &Actor, id: i64, version: i64) -> Result<(), AppError> {
    let (old, team) = get_for_update(tx, actor, id, version).await?;
    if old.status == LeadStatus::Qualified {
        return Err(field("delete", Problem::InUse(1)));
    }
    super::trash::move_to_trash(tx, actor, "lead", id, version, &old.display_name(), (old.owner_id, team)).await
}

// ------------------------------------------------------------------------------------------------
// Lists and the board by status
// ------------------------------------------------------------------------------------------------

const SORTS: &[SortColumn] = &[
    SortColumn { key: "created", expr: "l.created_at", numeric: false },
    SortColumn { key: "name", expr: "l.search_key", numeric: false },
    SortColumn { key: "estimated", expr: "l.estimated_minor", numeric: true },
];

/// The list's conditions after `WHERE 1=1`, in one place for its page, its count, its export and its
/// bulk actions (`services::bulk` walks them by id, batch after batch).
pub(crate) fn filters(sql: &mut Sql, text: &listing::TextSearch, actor: &Actor, q: &ListQuery) {
    visibility::restrict(sql, actor, "l");
    text.filter(sql, "leads", "l");
    listing::ids_filter(sql, "l", &q.ids);
    crate::services::listing::missing_filter(sql, "leads", &q.missing);
    if let Some(owner) = listing::id_filter(&q.owner) {
        sql.push(" AND l.owner_id = ").bind(owner);
    }
    if let Some(team) = listing::id_filter(&q.team) {
        sql.push(" AND l.team_id = ").bind(team);
    }
    if let Some(status) = LeadStatus::parse(q.status.trim()) {
        sql.push(" AND l.status = ").bind(status.code());
    }
    if let Some(rating) = LeadRating::parse(q.rating.trim()) {
        sql.push(" AND l.rating = ").bind(rating.code());
    }
    if let Some(source) = listing::id_filter(&q.source) {
        sql.push(" AND l.source_id = ").bind(source);
    }
    if let Some((older, days)) = age_filter(&q.age) {
        let since = crate::clock::stamp(chrono::Utc::now() - chrono::Duration::days(days));
        sql.push(if older { " AND l.created_at < " } else { " AND l.created_at >= " }).bind(since);
    }
}

/// "30" → created within 30 days; "o30" → older than 30 days.
fn age_filter(s: &str) -> Option<(bool, i64)> {
    let s = s.trim();
    let (older, days) = match s.strip_prefix('o') {
        Some(d) => (true, d),
        None => (false, s),
    };
    days.parse::<i64>().ok().filter(|d| (1..=3650).contains(d)).map(|d| (older, d))
}

const ROW: &str = "SELECT l.id, l.company, l.first_name, l.last_name, l.email, l.phone, l.source_id, l.rating, l.status, \
    l.estimated_minor, l.currency, u.name AS owner_name, l.created_at, l.version, \
    CAST(l.do_not_email + 2 * l.do_not_call + 4 * l.do_not_mail AS BIGINT) AS preferences";

type RowDb = (
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    String,
    String,
    i64,
    String,
    String,
    String,
    i64,
    i64,
);

fn to_row(r: RowDb) -> LeadRow {
    LeadRow {
        id: r.0,
        name: crate::domain::lead_name(r.1.as_deref(), r.2.as_deref(), r.3.as_deref()),
        email: r.4,
        phone: r.5,
        source_id: r.6,
        rating: LeadRating::parse(&r.7).unwrap_or(LeadRating::Warm),
        status: LeadStatus::parse(&r.8).unwrap_or(LeadStatus::New),
        estimated_minor: r.9,
        currency: Currency::parse(&r.10).unwrap_or(Currency::RSD),
        owner_name: r.11,
        created_at: r.12,
        preferences: ContactPreferences::from_bits(r.14),
        version: r.13,
    }
}

/// Leads matching the filters; newest first unless another sort is chosen.
pub async fn list(db: &Db, actor: &Actor, q: &ListQuery) -> Result<Page<LeadRow>, AppError> {
    let dir = if q.dir.is_empty() && (q.sort.is_empty() || q.sort == "created") { "desc" } else { q.dir.as_str() };
    let (col, desc) = listing::choose(SORTS, &q.sort, dir);
    let mut sql =
        Sql::new(&format!("{ROW}, CAST({} AS TEXT) AS sort_value FROM leads l JOIN users u ON u.id = l.owner_id WHERE 1=1", col.expr));
    let text = listing::TextSearch::for_list(db, "leads", &q.q).await?;
    filters(&mut sql, &text, actor, q);
    listing::after_cursor(&mut sql, col, desc, "l.id", &q.cursor);
    listing::order_by(&mut sql, col, desc, "l.id");
    #[allow(clippy::type_complexity)]
    let rows = sql
        .query_as::<(
            i64,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<i64>,
            String,
            String,
            i64,
            String,
            String,
            String,
            i64,
            i64,
            String,
        )>()
        .fetch_all(&db.pool)
        .await?;
    let rows = rows
        .into_iter()
        .map(|r| {
            let (id, sort) = (r.0, r.15.clone());
            (to_row((r.0, r.1, r.2, r.3, r.4, r.5, r.6, r.7, r.8, r.9, r.10, r.11, r.12, r.13, r.14)), sort, id)
        })
        .collect();
    let (rows, next_cursor) = listing::finish(rows);
    let mut count = Sql::new("SELECT 1 FROM leads l WHERE 1=1");
    filters(&mut count, &text, actor, q);
    listing::page(db, count, &text, &q.cursor, rows, next_cursor).await
}

/// Cards per column of the lead board.
pub const BOARD_CARDS: i64 = 20;

/// The lead board: one column per status with its count (capped) and newest cards, under the list's filters.
pub async fn board(db: &Db, actor: &Actor, q: &ListQuery) -> Result<Vec<LeadColumn>, AppError> {
    let text = listing::TextSearch::simple(db.backend, &q.q);
    let mut out = Vec::new();
    for status in LeadStatus::ALL {
        let mut fq = q.clone();
        fq.status = status.code().to_string();
        let mut sql = Sql::new(&format!("{ROW} FROM leads l JOIN users u ON u.id = l.owner_id WHERE 1=1"));
        filters(&mut sql, &text, actor, &fq);
        sql.push(" ORDER BY l.created_at DESC, l.id DESC LIMIT ").bind(BOARD_CARDS);
        let rows = sql.query_as::<RowDb>().fetch_all(&db.pool).await?;
        let mut count = Sql::new("SELECT 1 FROM leads l WHERE 1=1");
        filters(&mut count, &text, actor, &fq);
        let n = listing::capped_count(db, count).await?;
        out.push(LeadColumn { status: *status, count: n, rows: rows.into_iter().map(to_row).collect() });
    }
    Ok(out)
}

/// Moves an open lead between "new" and "contacted" (the board's drag and its keyboard menu).
pub async fn set_status(db: &Db, actor: &Actor, id: i64, version: i64, status: LeadStatus) -> Result<i64, AppError> {
    if status.is_closed() {
        return Err(field("status", Problem::InvalidChoice));
    }
    let mut tx = db.begin().await?;
    let (old, _) = get_for_update(&mut tx, actor, id, version).await?;
    if old.status.is_closed() {
        return Err(field("status", Problem::InvalidChoice));
    }
    let n =
        sqlx::query("UPDATE leads SET status = $1, updated_at = $2, updated_by = $3, version = version + 1 WHERE id = $4 AND version = $5")
            .bind(status.code())
            .bind(now())
            .bind(actor.id)
            .bind(id)
            .bind(version)
            .execute(&mut *tx)
            .await?
            .rows_affected();
    changed_one(n)?;
    audit::updated(
        &mut tx,
        "lead",
        id,
        Some(actor),
        &vec![("status", Some(old.status.code().to_string()))],
        &vec![("status", Some(status.code().to_string()))],
    )
    .await?;
    tx.commit().await?;
    Ok(version + 1)
}

// ------------------------------------------------------------------------------------------------
// Matching, qualification, disqualification
// ------------------------------------------------------------------------------------------------

/// Legal-form words that do not tell companies apart ("Mlekara d.o.o." is "Mlekara").
const LEGAL_FORMS: &[&str] =
    &["doo", "d o o", "ad", "a d", "dd", "od", "o d", "kd", "k d", "sr", "str", "szr", "pr", "preduzece", "llc", "ltd", "gmbh"];

/// A company name reduced to what identifies it: folded, without punctuation and legal forms.
pub fn company_core(name: &str) -> String {
    let folded: String = search_key(name).chars().map(|c| if c.is_alphanumeric() { c } else { ' ' }).collect();
    let mut words: Vec<&str> = folded.split_whitespace().collect();
    // Legal forms are written as one word or letter by letter ("d.o.o." → "d o o").
    loop {
        let before = words.len();
        for form in LEGAL_FORMS {
            let parts: Vec<&str> = form.split(' ').collect();
            if words.len() > parts.len() && words[words.len() - parts.len()..] == parts[..] {
                words.truncate(words.len() - parts.len());
            }
            if words.len() > parts.len() && words[..parts.len()] == parts[..] {
                words.drain(..parts.len());
            }
        }
        if words.len() == before {
            break;
        }
    }
    words.join(" ")
}

fn add_hit(hits: &mut Vec<MatchHit>, id: i64, label: String, detail: Option<String>, reason: MatchReason) {
    match hits.iter_mut().find(|h| h.id == id) {
        Some(h) => {
            if !h.reasons.contains(&reason) {
                h.reasons.push(reason);
            }
        }
        None => hits.push(MatchHit { id, label, detail, reasons: vec![reason] }),
    }
}

const MATCH_LIMIT: i64 = 10;

/// Existing accounts and contacts (visible to `actor`) that may be the same as the lead: same e-mail,
/// phone or PIB, or a company name that contains the lead's (case, diacritics and legal form ignored).
pub async fn matches(db: &Db, actor: &Actor, id: i64) -> Result<LeadMatches, AppError> {
    let lead = get(db, actor, id).await?;
    let mut out = LeadMatches::default();
    let account_sql = "SELECT a.id, a.name, a.city FROM accounts a WHERE ";
    let mut exact: Vec<(&str, String, MatchReason)> = Vec::new();
    if let Some(p) = &lead.pib {
        exact.push(("a.pib = ", p.clone(), MatchReason::Pib));
    }
    if let Some(e) = &lead.email {
        exact.push(("a.email = ", e.clone(), MatchReason::Email));
    }
    if let Some(p) = &lead.phone {
        exact.push(("a.phone = ", p.clone(), MatchReason::Phone));
    }
    for (cond, value, reason) in exact {
        let mut sql = Sql::new(account_sql);
        sql.push(cond).bind(value);
        visibility::restrict(&mut sql, actor, "a");
        sql.push(" ORDER BY a.id LIMIT ").bind(MATCH_LIMIT);
        for (id, name, city) in sql.query_as::<(i64, String, Option<String>)>().fetch_all(&db.pool).await? {
            add_hit(&mut out.accounts, id, name, city, reason);
        }
    }
    if let Some(company) = &lead.company {
        let core = company_core(company);
        if !core.is_empty() {
            let mut sql = Sql::new(&format!("{account_sql}1=1"));
            listing::TextSearch::simple(db.backend, &core).filter(&mut sql, "accounts", "a");
            visibility::restrict(&mut sql, actor, "a");
            sql.push(" ORDER BY a.id LIMIT ").bind(MATCH_LIMIT * 5);
            for (id, name, city) in sql.query_as::<(i64, String, Option<String>)>().fetch_all(&db.pool).await? {
                // The trigram index finds the text anywhere; keep names that contain the core as whole words.
                let their = format!(" {} ", company_core(&name));
                if their.contains(&format!(" {core} ")) {
                    add_hit(&mut out.accounts, id, name, city, MatchReason::Name);
                }
            }
        }
    }
    out.accounts.truncate(MATCH_LIMIT as usize);

    let contact_sql =
        "SELECT c.id, c.first_name || ' ' || c.last_name AS name, (SELECT x.name FROM accounts x WHERE x.id = c.account_id) AS account \
                       FROM contacts c WHERE ";
    let mut exact: Vec<(&str, String, MatchReason)> = Vec::new();
    if let Some(e) = &lead.email {
        exact.push(("c.email = ", e.clone(), MatchReason::Email));
    }
    if let Some(p) = &lead.phone {
        exact.push(("c.phone = ", p.clone(), MatchReason::Phone));
    }
    if let (Some(f), Some(l)) = (&lead.first_name, &lead.last_name) {
        exact.push(("c.search_key = ", search_key(&format!("{f} {l}")), MatchReason::Name));
    }
    for (cond, value, reason) in exact {
        let mut sql = Sql::new(contact_sql);
        sql.push(cond).bind(value);
        visibility::restrict(&mut sql, actor, "c");
        sql.push(" ORDER BY c.id LIMIT ").bind(MATCH_LIMIT);
        for (id, name, account) in sql.query_as::<(i64, String, Option<String>)>().fetch_all(&db.pool).await? {
            add_hit(&mut out.contacts, id, name, account, reason);
        }
    }
    out.contacts.truncate(MATCH_LIMIT as usize);
    Ok(out)
}

/// Qualifies a lead in one transaction: links or creates the account, links or creates the contact,
/// optionally opens an opportunity carrying the lead and its source, and closes the lead with links
/// to all of it. Any failure leaves nothing behind.
pub async fn qualify(db: &Db, actor: &Actor, input: &QualifyInput) -> Result<Qualified, AppError> {
    let id = parse_id("lead_id", &input.lead_id)?;
    let version = parse_id("version", &input.version)?;
    let mut tx = db.begin().await?;
    let (lead, _) = get_for_update(&mut tx, actor, id, version).await?;
    if lead.status.is_closed() {
        return Err(field("status", Problem::InvalidChoice));
    }
    let owner = lead.owner_id.to_string();

    // The account: an existing one the user picked, or a new prospect from the lead.
    let account_id = match parse_opt_id("account_id", &input.account_id)? {
        Some(a) => {
            super::contacts::check_account(&mut tx, actor, a, "account_id").await?;
            a
        }
        None => {
            let name = lead.company.clone().unwrap_or_else(|| lead.display_name());
            let v = super::accounts::validate(&AccountInput {
                name,
                types: vec!["prospect".into()],
                region: lead.region.clone().unwrap_or_default(),
                city: lead.city.clone().unwrap_or_default(),
                pib: lead.pib.clone().unwrap_or_default(),
                phone: if lead.company.is_some() { String::new() } else { lead.phone.clone().unwrap_or_default() },
                owner_id: owner.clone(),
                ..Default::default()
            })?;
            super::accounts::insert(&mut tx, actor, &v, false).await?
        }
    };

    // The contact: an existing one, none, or a new one from the lead's person.
    let contact_id = match input.contact_id.trim() {
        "none" => None,
        "" if lead.last_name.is_none() => None,
        "" => {
            let v = super::contacts::validate(&ContactInput {
                // A contact needs a first name: the user completes the lead first.
                first_name: lead.first_name.clone().ok_or_else(|| field("first_name", Problem::Required))?,
                last_name: lead.last_name.clone().unwrap_or_default(),
                account_id: account_id.to_string(),
                job_title: lead.title.clone().unwrap_or_default(),
                email: lead.email.clone().unwrap_or_default(),
                phone: lead.phone.clone().unwrap_or_default(),
                owner_id: owner.clone(),
                ..Default::default()
            })?;
            // The person keeps what they asked for: the lead's contact preferences pass to the contact.
            let v = super::contacts::Valid { preferences: lead.preferences, ..v };
            Some(super::contacts::insert(&mut tx, actor, &v, false).await?)
        }
        c => {
            let c = parse_id("contact_id", c)?;
            let mut sql = Sql::new("SELECT c.account_id FROM contacts c WHERE c.id = ");
            sql.bind(c);
            visibility::restrict(&mut sql, actor, "c");
            let row = sql.query().fetch_optional(&mut *tx).await?.ok_or_else(|| field("contact_id", Problem::InvalidChoice))?;
            let their: Option<i64> = row.try_get("account_id")?;
            if their.is_some_and(|a| a != account_id) {
                return Err(field("contact_id", Problem::InvalidChoice));
            }
            Some(c)
        }
    };

    // The opportunity, carrying the lead's source and estimate.
    let opportunity_id = if matches!(input.create_opportunity.as_str(), "on" | "true" | "1") {
        let source_code: Option<String> = match lead.source_id {
            Some(s) => {
                sqlx::query("SELECT code FROM picklist_values WHERE id = $1").bind(s).fetch_optional(&mut *tx).await?.map(|r| r.get("code"))
            }
            None => None,
        };
        let stage_id = match input.stage_id.trim() {
            "" => first_open_stage(&mut tx).await?.to_string(),
            s => s.to_string(),
        };
        let close_date = match input.close_date.trim() {
            "" => (crate::clock::today() + chrono::Duration::days(90)).format("%Y-%m-%d").to_string(),
            d => d.to_string(),
        };
        let v = super::opportunities::validate(&OpportunityInput {
            name: if input.opportunity_name.trim().is_empty() { lead.display_name() } else { input.opportunity_name.clone() },
            account_id: account_id.to_string(),
            contact_id: contact_id.map(|c| c.to_string()).unwrap_or_default(),
            owner_id: owner.clone(),
            stage_id,
            amount: if input.amount.trim().is_empty() { minor_to_input(lead.estimated_minor) } else { input.amount.clone() },
            currency: if input.currency.trim().is_empty() { lead.currency.code().to_string() } else { input.currency.clone() },
            close_date,
            source: source_code.unwrap_or_default(),
            ..Default::default()
        })?;
        // Qualifying opens a deal; winning or losing it is a close of its own.
        let stage = super::stages::get(&mut tx, v.stage_id).await.map_err(|_| field("stage_id", Problem::InvalidChoice))?;
        if stage.kind != crate::domain::StageKind::Open {
            return Err(field("stage_id", Problem::UseClose));
        }
        let oid = super::opportunities::insert(&mut tx, actor, &v, None, false).await?;
        sqlx::query("UPDATE opportunities SET lead_id = $1 WHERE id = $2").bind(id).bind(oid).execute(&mut *tx).await?;
        Some(oid)
    } else {
        None
    };

    let ts = now();
    let n = sqlx::query(
        "UPDATE leads SET status = 'qualified', account_id = $1, contact_id = $2, opportunity_id = $3, closed_at = $4, closed_by = $5, \
         updated_at = $4, updated_by = $5, version = version + 1 WHERE id = $6 AND version = $7",
    )
    .bind(account_id)
    .bind(contact_id)
    .bind(opportunity_id)
    .bind(&ts)
    .bind(actor.id)
    .bind(id)
    .bind(version)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    changed_one(n)?;
    // The lead's activities and notes now belong to the account's timeline too.
    sqlx::query("UPDATE activities SET account_id = $1 WHERE regarding_kind = 'lead' AND regarding_id = $2")
        .bind(account_id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE notes SET account_id = $1 WHERE regarding_kind = 'lead' AND regarding_id = $2")
        .bind(account_id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    audit::updated(
        &mut tx,
        "lead",
        id,
        Some(actor),
        &vec![("status", Some(lead.status.code().to_string())), ("account_id", None), ("contact_id", None), ("opportunity_id", None)],
        &vec![
            ("status", Some("qualified".to_string())),
            ("account_id", Some(account_id.to_string())),
            ("contact_id", contact_id.map(|c| c.to_string())),
            ("opportunity_id", opportunity_id.map(|o| o.to_string())),
        ],
    )
    .await?;
    tx.commit().await?;
    Ok(Qualified { account_id, contact_id, opportunity_id })
}

async fn first_open_stage(tx: &mut Tx) -> Result<i64, AppError> {
    let row = sqlx::query("SELECT id FROM stages WHERE kind = $1 AND active = 1 ORDER BY position, id LIMIT 1")
        .bind(StageKind::Open.code())
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| field("stage_id", Problem::Required))?;
    Ok(row.try_get("id")?)
}

/// Closes a lead as disqualified with a reason from the configured list.
pub async fn disqualify(db: &Db, actor: &Actor, input: &DisqualifyInput) -> Result<i64, AppError> {
    let id = parse_id("lead_id", &input.lead_id)?;
    let version = parse_id("version", &input.version)?;
    if input.reason_id.trim().is_empty() {
        return Err(field("reason_id", Problem::Required));
    }
    let reason = parse_id("reason_id", &input.reason_id)?;
    let note = optional("note", &input.note, 2_000)?;
    let mut tx = db.begin().await?;
    let (lead, _) = get_for_update(&mut tx, actor, id, version).await?;
    if lead.status.is_closed() {
        return Err(field("status", Problem::InvalidChoice));
    }
    picklists::check_active(&mut tx, LIST_DISQUALIFY_REASON, reason, "reason_id").await?;
    let ts = now();
    let n = sqlx::query(
        "UPDATE leads SET status = 'disqualified', disqualify_reason_id = $1, disqualify_note = $2, closed_at = $3, closed_by = $4, \
         updated_at = $3, updated_by = $4, version = version + 1 WHERE id = $5 AND version = $6",
    )
    .bind(reason)
    .bind(&note)
    .bind(&ts)
    .bind(actor.id)
    .bind(id)
    .bind(version)
    .execute(&mut *tx)
    .await?;
    changed_one(n.rows_affected())?;
    audit::updated(
        &mut tx,
        "lead",
        id,
        Some(actor),
        &vec![("status", Some(lead.status.code().to_string())), ("disqualify_reason_id", None), ("disqualify_note", None)],
        &vec![("status", Some("disqualified".to_string())), ("disqualify_reason_id", Some(reason.to_string())), ("disqualify_note", note)],
    )
    .await?;
    tx.commit().await?;
    Ok(version + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn company_core_ignores_case_diacritics_and_legal_forms() {
        assert_eq!(company_core("MLEKARA ŠABAC d.o.o."), "mlekara sabac");
        assert_eq!(company_core("Mlekara Sabac DOO"), "mlekara sabac");
        assert_eq!(company_core("Đurđević a.d."), "djurdjevic");
        assert_eq!(company_core("DOO Mlekara"), "mlekara");
        assert_eq!(company_core("d.o.o."), "d o o");
    }

    #[test]
    fn a_lead_needs_a_company_or_a_surname() {
        let mut i = LeadInput { first_name: "Ana".into(), ..Default::default() };
        assert_eq!(validate(&i), Err(field("last_name", Problem::Required)));
        i.first_name.clear();
        assert_eq!(validate(&i), Err(field("company", Problem::Required)));
        i.company = "Mlekara".into();
        let v = validate(&i).unwrap();
        assert_eq!((v.rating, v.status), (LeadRating::Warm, LeadStatus::New));
        i.status = "qualified".into();
        assert_eq!(validate(&i), Err(field("status", Problem::InvalidChoice)));
        i.status.clear();
        i.pib = "123".into();
        assert_eq!(validate(&i), Err(field("pib", Problem::InvalidPib)));
    }

    #[test]
    fn age_filters() {
        assert_eq!(age_filter("30"), Some((false, 30)));
        assert_eq!(age_filter("o90"), Some((true, 90)));
        assert_eq!(age_filter("x"), None);
        assert_eq!(age_filter(""), None);
    }
}
