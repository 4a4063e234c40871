//! Accounts (companies we deal with): validation, visibility-checked reads, versioned writes with
//! audit, and deletion that refuses to orphan contacts or opportunities.

use super::listing::{self, SortColumn};
use super::{audit, parse_id, parse_opt_id, visibility, Actor};
use crate::db::sql::{Sql, Val};
use crate::db::write::{self, Stamp};
use crate::db::{now, Backend, Db, Tx};
use crate::domain::ids::{mb_is_valid, pib_is_valid};
use crate::domain::marketing::flag_text;
use crate::domain::text::{search_key, search_text};
use crate::domain::validate::{checkbox, field, optional, optional_digits_id, optional_email, optional_phone, optional_website, required};
use crate::domain::{Account, AccountInput, AccountRow, Category, Choice, ListQuery, Page, RelationshipType};
use crate::error::{AppError, Problem};
use sqlx::Row;

/// A validated account, ready to store.
#[derive(Clone, Debug, PartialEq)]
pub struct Valid {
    pub name: String,
    pub types: Vec<RelationshipType>,
    pub category: Option<Category>,
    pub industry: Option<String>,
    pub region: Option<String>,
    pub city: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
    pub pib: Option<String>,
    pub mb: Option<String>,
    pub notes: Option<String>,
    /// No longer worked with: left out of campaigns.
    pub inactive: bool,
    pub owner_id: Option<i64>,
}

/// What an account is found by: name, e-mail, phone, PIB, MB and city (the one recipe, also for the
/// re-index at start-up).
pub(crate) fn search_text_of(
    name: &str,
    email: Option<&str>,
    phone: Option<&str>,
    pib: Option<&str>,
    mb: Option<&str>,
    city: Option<&str>,
) -> String {
    search_text(&[Some(name), email, phone, pib, mb, city])
}

impl Valid {
    pub fn search_text(&self) -> String {
        search_text_of(
            &self.name,
            self.email.as_deref(),
            self.phone.as_deref(),
            self.pib.as_deref(),
            self.mb.as_deref(),
            self.city.as_deref(),
        )
    }
}

/// The columns an account's write fills, in the order of [`row`]: its data with the keys derived from
/// it (the name's sort key, the search text), whether it is inactive, then its owner. Every write of an account — create, edit,
/// merge, import (many rows to a statement) and import undo — goes
/// through [`TABLE`], so a new column is added here and nowhere else.
const COLUMNS: [&str; 17] = [
    "name",
    "search_key",
    "category",
    "industry",
    "region",
    "city",
    "address",
    "phone",
    "email",
    "website",
    "pib",
    "mb",
    "notes",
    "search_text",
    "inactive",
    "owner_id",
    "team_id",
];

/// An account's values in [`COLUMNS`]' order, owned by `(owner, team)`.
fn row(v: &Valid, (owner, team): write::Owner) -> Vec<Val> {
    let mut row = vec![Val::from(v.name.clone()), Val::from(search_key(&v.name)), Val::from(v.category.map(|c| c.code().to_string()))];
    row.extend(
        [&v.industry, &v.region, &v.city, &v.address, &v.phone, &v.email, &v.website, &v.pib, &v.mb, &v.notes]
            .map(|f| Val::from(f.clone())),
    );
    row.extend([Val::from(v.search_text()), Val::from(v.inactive as i64), Val::from(owner), Val::from(team)]);
    row
}

/// Every write of an account: [`COLUMNS`] filled by [`row`].
pub(crate) const TABLE: write::Table<Valid> = write::Table { name: "accounts", columns: &COLUMNS, row };

impl Valid {
    /// An account's data as stored (codes as the database keeps them), for writing it back unchanged
    /// in meaning: an import's undo restores what the import overwrote. Relationship types are not
    /// part of it.
    pub(crate) fn from_stored(get: impl Fn(&str) -> Option<String>) -> Valid {
        Valid {
            name: get("name").unwrap_or_default(),
            types: Vec::new(),
            category: get("category").as_deref().and_then(Category::parse),
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
            inactive: get("inactive").as_deref() == Some("1"),
            owner_id: None,
        }
    }
}

pub fn validate(i: &AccountInput) -> Result<Valid, AppError> {
    let mut types = Vec::new();
    for t in &i.types {
        let t = RelationshipType::parse(t.trim()).ok_or_else(|| field("types", Problem::InvalidChoice))?;
        if !types.contains(&t) {
            types.push(t);
        }
    }
    types.sort_by_key(|t| RelationshipType::ALL.iter().position(|x| x == t));
    if types.is_empty() {
        return Err(field("types", Problem::Required));
    }
    let category = match i.category.trim() {
        "" => None,
        c => Some(Category::parse(c).ok_or_else(|| field("category", Problem::InvalidChoice))?),
    };
    Ok(Valid {
        name: required("name", &i.name, 200)?,
        types,
        category,
        industry: optional("industry", &i.industry, 100)?,
        region: optional("region", &i.region, 100)?,
        city: optional("city", &i.city, 100)?,
        address: optional("address", &i.address, 300)?,
        phone: optional_phone("phone", &i.phone)?,
        email: optional_email("email", &i.email)?,
        website: optional_website("website", &i.website)?,
        pib: optional_digits_id("pib", &i.pib, pib_is_valid, Problem::InvalidPib)?,
        mb: optional_digits_id("mb", &i.mb, mb_is_valid, Problem::InvalidMb)?,
        notes: optional("notes", &i.notes, 10_000)?,
        inactive: checkbox("inactive", &i.inactive)?,
        owner_id: parse_opt_id("owner_id", &i.owner_id)?,
    })
}

fn audit_fields(v: &Valid, owner_id: i64) -> audit::Fields {
    vec![
        ("name", Some(v.name.clone())),
        ("types", Some(v.types.iter().map(|t| t.code()).collect::<Vec<_>>().join(", "))),
        ("category", v.category.map(|c| c.code().to_string())),
        ("industry", v.industry.clone()),
        ("region", v.region.clone()),
        ("city", v.city.clone()),
        ("address", v.address.clone()),
        ("phone", v.phone.clone()),
        ("email", v.email.clone()),
        ("website", v.website.clone()),
        ("pib", v.pib.clone()),
        ("mb", v.mb.clone()),
        ("notes", v.notes.clone()),
        ("inactive", Some(flag_text(v.inactive))),
        ("owner_id", Some(owner_id.to_string())),
    ]
}

#[derive(sqlx::FromRow)]
struct AccountDb {
    id: i64,
    name: String,
    category: Option<String>,
    industry: Option<String>,
    region: Option<String>,
    city: Option<String>,
    address: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    website: Option<String>,
    pib: Option<String>,
    mb: Option<String>,
    notes: Option<String>,
    inactive: i64,
    owner_id: i64,
    owner_name: String,
    team_id: Option<i64>,
    updated_at: String,
    version: i64,
    /// The relationship types' codes, comma-separated (read with the account, not by a second query).
    types: Option<String>,
}

/// One account with its relationship types (`string_agg` is in Postgres and in SQLite since 3.44).
const DETAIL: &str = "SELECT a.id, a.name, a.category, a.industry, a.region, a.city, a.address, a.phone, a.email, a.website, \
    a.pib, a.mb, a.notes, a.inactive, a.owner_id, u.name AS owner_name, a.team_id, a.updated_at, a.version, \
    (SELECT string_agg(t.type, ',') FROM account_types t WHERE t.account_id = a.id) AS types \
    FROM accounts a JOIN users u ON u.id = a.owner_id WHERE a.id = ";

/// The types of [`DETAIL`]'s `types` column, in the order of [`RelationshipType::ALL`].
fn parse_types(codes: Option<&str>) -> Vec<RelationshipType> {
    let mut types: Vec<RelationshipType> = codes.unwrap_or("").split(',').filter_map(RelationshipType::parse).collect();
    types.sort_by_key(|t| RelationshipType::ALL.iter().position(|x| x == t));
    types.dedup();
    types
}

async fn types_of(exec: impl sqlx::Executor<'_, Database = sqlx::Any>, ids: &[i64]) -> Result<Vec<(i64, RelationshipType)>, AppError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new("SELECT account_id, type FROM account_types WHERE account_id IN (");
    sql.bind_list(ids).push(")");
    let rows = sql.query_as::<(i64, String)>().fetch_all(exec).await?;
    let mut out: Vec<(i64, RelationshipType)> =
        rows.into_iter().filter_map(|(id, t)| RelationshipType::parse(&t).map(|t| (id, t))).collect();
    out.sort_by_key(|(id, t)| (*id, RelationshipType::ALL.iter().position(|x| x == t)));
    Ok(out)
}

fn to_account(r: AccountDb, types: Vec<RelationshipType>) -> Account {
    Account {
        id: r.id,
        name: r.name,
        types,
        category: r.category.as_deref().and_then(Category::parse),
        industry: r.industry,
        region: r.region,
        city: r.city,
        address: r.address,
        phone: r.phone,
        email: r.email,
        website: r.website,
        pib: r.pib,
        mb: r.mb,
        notes: r.notes,
        inactive: r.inactive != 0,
        owner_id: r.owner_id,
        owner_name: r.owner_name,
        updated_at: r.updated_at,
        version: r.version,
    }
}

/// One account, if `actor` may see it; otherwise NotFound.
pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<Account, AppError> {
    let mut sql = Sql::new(DETAIL);
    sql.bind(id);
    visibility::restrict(&mut sql, actor, "a");
    let row = sql.query_as::<AccountDb>().fetch_optional(&db.pool).await?.ok_or(AppError::NotFound)?;
    let types = parse_types(row.types.as_deref());
    Ok(to_account(row, types))
}

async fn get_for_update(tx: &mut Tx, actor: &Actor, id: i64) -> Result<(Account, Option<i64>), AppError> {
    let mut sql = Sql::new(DETAIL);
    sql.bind(id);
    visibility::restrict(&mut sql, actor, "a");
    let row = sql.query_as::<AccountDb>().fetch_optional(&mut **tx).await?.ok_or(AppError::NotFound)?;
    let team = row.team_id;
    let types = parse_types(row.types.as_deref());
    Ok((to_account(row, types), team))
}

async fn write_types(tx: &mut Tx, id: i64, types: &[RelationshipType]) -> Result<(), AppError> {
    sqlx::query("DELETE FROM account_types WHERE account_id = $1").bind(id).execute(&mut **tx).await?;
    for t in types {
        sqlx::query("INSERT INTO account_types (account_id, type) VALUES ($1, $2)").bind(id).bind(t.code()).execute(&mut **tx).await?;
    }
    Ok(())
}

pub async fn create(db: &Db, actor: &Actor, input: &AccountInput) -> Result<i64, AppError> {
    let v = validate(input)?;
    let mut tx = db.begin().await?;
    let id = insert(&mut tx, actor, &v, false).await?;
    tx.commit().await?;
    Ok(id)
}

/// Inserts a validated account inside `tx` (also used by the demo loader).
pub async fn insert(tx: &mut Tx, actor: &Actor, v: &Valid, demo: bool) -> Result<i64, AppError> {
    let (owner, team) = visibility::resolve_owner(tx, actor, v.owner_id).await?;
    let ts = now();
    let origin = write::Origin { at: &ts, by: actor.id, demo, import_id: None };
    let mut insert = TABLE.insert(Backend::of(tx), &[(v, (owner, team))], &origin);
    let (id,): (i64,) = insert.push(" RETURNING id").query_as().fetch_one(&mut **tx).await?;
    write_types(tx, id, &v.types).await?;
    // An active account's history does not say so: like an empty field, the default is left out.
    let fields: audit::Fields =
        audit_fields(v, owner).into_iter().filter(|(f, value)| !(*f == "inactive" && value.as_deref() == Some("0"))).collect();
    audit::created(tx, "account", id, Some(actor), &fields).await?;
    Ok(id)
}

/// Saves an edit made on version `input.version`; a newer version in the database is a Conflict.
pub async fn update(db: &Db, actor: &Actor, input: &AccountInput) -> Result<i64, AppError> {
    let id = parse_id("id", &input.id)?;
    let version = parse_id("version", &input.version)?;
    let v = validate(input)?;
    let mut tx = db.begin().await?;
    let (old, old_team) = get_for_update(&mut tx, actor, id).await?;
    if !visibility::can_edit(actor, old.owner_id, old_team) {
        return Err(AppError::NotFound);
    }
    crate::domain::check_version(old.version, version)?;
    let (owner, team) = visibility::resolve_owner(&mut tx, actor, v.owner_id.or(Some(old.owner_id))).await?;
    let ts = now();
    TABLE.write(&mut tx, (id, version), &v, (owner, team), Stamp { at: &ts, by: actor.id }).await?;
    write_types(&mut tx, id, &v.types).await?;
    let old_valid = Valid {
        name: old.name,
        types: old.types,
        category: old.category,
        industry: old.industry,
        region: old.region,
        city: old.city,
        address: old.address,
        phone: old.phone,
        email: old.email,
        website: old.website,
        pib: old.pib,
        mb: old.mb,
        notes: old.notes,
        inactive: old.inactive,
        owner_id: Some(old.owner_id),
    };
    audit::updated(&mut tx, "account", id, Some(actor), &audit_fields(&old_valid, old.owner_id), &audit_fields(&v, owner)).await?;
    tx.commit().await?;
    Ok(version + 1)
}

/// Moves an account to the trash with its own activities, notes, documents and competitor data; an
/// account that other records stand on (contacts, opportunities, leads, observations, deals naming it
/// as competitor) is refused.
pub async fn delete(db: &Db, actor: &Actor, id: i64, version: i64) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    delete_in(&mut tx, actor, id, version).await?;
    tx.commit().await?;
    Ok(())
}

/// [`delete`] inside the caller's transaction (a batch of a bulk delete), with the same refusals.
pub(crate) async fn delete_in(tx: &mut Tx, actor: &Actor, id: i64, version: i64) -> Result<(), AppError> {
    let (old, team) = get_for_update(tx, actor, id).await?;
    if !visibility::can_edit(actor, old.owner_id, team) {
        return Err(AppError::NotFound);
    }
    crate::domain::check_version(old.version, version)?;
    let deps: i64 = sqlx::query(
        "SELECT CAST((SELECT COUNT(*) FROM contacts WHERE account_id = $1) + (SELECT COUNT(*) FROM opportunities WHERE account_id = $1) \
         + (SELECT COUNT(*) FROM field_observations WHERE customer_id = $1 OR competitor_id = $1) \
         + (SELECT COUNT(*) FROM opportunity_competitors WHERE competitor_id = $1) \
         + (SELECT COUNT(*) FROM opportunities WHERE won_by_id = $1) + (SELECT COUNT(*) FROM leads WHERE account_id = $1) \
         + (SELECT COUNT(*) FROM activities WHERE account_id = $1 AND regarding_kind <> 'account') \
         + (SELECT COUNT(*) FROM notes WHERE account_id = $1 AND regarding_kind <> 'account') \
         + (SELECT COUNT(*) FROM documents WHERE account_id = $1 AND regarding_kind <> 'account') AS BIGINT) AS n",
    )
    .bind(id)
    .fetch_one(&mut **tx)
    .await?
    .try_get("n")?;
    if deps > 0 {
        return Err(field("delete", Problem::InUse(deps)));
    }
    super::trash::move_to_trash(tx, actor, "account", id, version, &old.name, (old.owner_id, team)).await
}

const SORTS: &[SortColumn] = &[
    SortColumn { key: "name", expr: "a.search_key", numeric: false },
    SortColumn { key: "updated", expr: "a.updated_at", numeric: false },
];

/// The list's conditions after `WHERE 1=1`, in one place for its page, its count, its export and its
/// bulk actions (`services::bulk` walks them by id, batch after batch).
pub(crate) fn filters(sql: &mut Sql, text: &listing::TextSearch, actor: &Actor, q: &ListQuery) {
    visibility::restrict(sql, actor, "a");
    text.filter(sql, "accounts", "a");
    listing::ids_filter(sql, "a", &q.ids);
    crate::services::listing::missing_filter(sql, "accounts", &q.missing);
    if let Some(owner) = listing::id_filter(&q.owner) {
        sql.push(" AND a.owner_id = ").bind(owner);
    }
    if let Some(team) = listing::id_filter(&q.team) {
        sql.push(" AND a.team_id = ").bind(team);
    }
    if !q.region.trim().is_empty() {
        sql.push(" AND a.region = ").bind(q.region.trim());
    }
    if let Some(c) = Category::parse(q.category.trim()) {
        sql.push(" AND a.category = ").bind(c.code());
    }
    if let Some(k) = RelationshipType::parse(q.kind.trim()) {
        sql.push(" AND EXISTS (SELECT 1 FROM account_types t WHERE t.account_id = a.id AND t.type = ").bind(k.code()).push(")");
    }
}

pub async fn list(db: &Db, actor: &Actor, q: &ListQuery) -> Result<Page<AccountRow>, AppError> {
    let (col, desc) = listing::choose(SORTS, &q.sort, &q.dir);
    let mut sql = Sql::new(&format!(
        "SELECT a.id, a.name, a.category, a.region, a.city, u.name AS owner_name, a.inactive, a.version, {} AS sort_value FROM accounts a JOIN users u ON u.id = a.owner_id WHERE 1=1",
        col.expr
    ));
    let text = listing::TextSearch::for_list(db, "accounts", &q.q).await?;
    filters(&mut sql, &text, actor, q);
    listing::after_cursor(&mut sql, col, desc, "a.id", &q.cursor);
    listing::order_by(&mut sql, col, desc, "a.id");
    #[allow(clippy::type_complexity)]
    let rows = sql
        .query_as::<(i64, String, Option<String>, Option<String>, Option<String>, String, i64, i64, String)>()
        .fetch_all(&db.pool)
        .await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let types = types_of(&db.pool, &ids).await?;
    let rows = rows
        .into_iter()
        .map(|(id, name, category, region, city, owner_name, inactive, version, sort)| {
            let row = AccountRow {
                id,
                name,
                types: types.iter().filter(|(a, _)| *a == id).map(|(_, t)| *t).collect(),
                category: category.as_deref().and_then(Category::parse),
                region,
                city,
                owner_name,
                inactive: inactive != 0,
                version,
            };
            (row, sort, id)
        })
        .collect();
    let (rows, next_cursor) = listing::finish(rows);
    let mut count = Sql::new("SELECT 1 FROM accounts a WHERE 1=1");
    filters(&mut count, &text, actor, q);
    listing::page(db, count, &text, &q.cursor, rows, next_cursor).await
}

/// Accounts matching `q` for a picker (first 20 by name).
pub async fn choices(db: &Db, actor: &Actor, q: &str) -> Result<Vec<Choice>, AppError> {
    let mut sql = Sql::new("SELECT a.id, a.name FROM accounts a WHERE 1=1");
    visibility::restrict(&mut sql, actor, "a");
    listing::TextSearch::simple(db.backend, q).filter(&mut sql, "accounts", "a");
    sql.push(" ORDER BY a.search_key, a.id LIMIT 20");
    let rows = sql.query_as::<(i64, String)>().fetch_all(&db.pool).await?;
    Ok(rows.into_iter().map(|(id, label)| Choice { id, label }).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> AccountInput {
        AccountInput { name: " Delta Agrar d.o.o. ".into(), types: vec!["customer".into(), "partner".into()], ..Default::default() }
    }

    #[test]
    fn valid_input_is_trimmed() {
        let v = validate(&input()).unwrap();
        assert_eq!(v.name, "Delta Agrar d.o.o.");
        assert_eq!(v.types, vec![RelationshipType::Customer, RelationshipType::Partner]);
    }

    #[test]
    fn bad_pib_names_the_field() {
        let mut i = input();
        i.pib = "123456789".into();
        assert_eq!(validate(&i), Err(field("pib", Problem::InvalidPib)));
        i.pib = "100002887".into();
        assert!(validate(&i).is_ok());
    }

    #[test]
    fn at_least_one_relationship() {
        let mut i = input();
        i.types.clear();
        assert_eq!(validate(&i), Err(field("types", Problem::Required)));
        i.types = vec!["enemy".into()];
        assert_eq!(validate(&i), Err(field("types", Problem::InvalidChoice)));
    }

    #[test]
    fn types_read_with_the_account_come_in_a_fixed_order() {
        assert_eq!(parse_types(Some("partner,customer,unknown,partner")), vec![RelationshipType::Customer, RelationshipType::Partner]);
        assert_eq!(parse_types(None), Vec::<RelationshipType>::new());
        assert_eq!(parse_types(Some("")), Vec::<RelationshipType>::new());
    }
}
