//! Contacts: people at accounts, with their role in buying. Same rules as accounts: visibility,
//! versioned writes with audit, no orphaning deletes.

use super::listing::{self, SortColumn};
use super::{audit, parse_id, parse_opt_id, visibility, Actor};
use crate::db::sql::{Sql, Val};
use crate::db::write::{self, Stamp};
use crate::db::{now, Backend, Db, Tx};
use crate::domain::marketing::ContactPreferences;
use crate::domain::text::{search_key, search_text};
use crate::domain::validate::{field, optional, optional_email, optional_phone, required};
use crate::domain::{BuyingRole, Choice, Contact, ContactInput, ContactRow, ListQuery, Page};
use crate::error::{AppError, Problem};
use sqlx::Row;

#[derive(Clone, Debug, PartialEq)]
pub struct Valid {
    pub first_name: String,
    pub last_name: String,
    pub account_id: Option<i64>,
    pub job_title: Option<String>,
    pub buying_role: Option<BuyingRole>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub mobile: Option<String>,
    /// Do not e-mail, call or send mail.
    pub preferences: ContactPreferences,
    pub owner_id: Option<i64>,
}

/// What a contact is found by: name, e-mail and phones (the one recipe, also for the re-index at
/// start-up).
pub(crate) fn search_text_of(first_name: &str, last_name: &str, email: Option<&str>, phone: Option<&str>, mobile: Option<&str>) -> String {
    search_text(&[Some(&format!("{first_name} {last_name}")), email, phone, mobile])
}

impl Valid {
    pub fn search_text(&self) -> String {
        search_text_of(&self.first_name, &self.last_name, self.email.as_deref(), self.phone.as_deref(), self.mobile.as_deref())
    }
}

/// The columns a contact's write fills, in the order of [`row`]: its data with the keys derived from
/// it (the name's sort key, the search text), its contact preferences, its account, then its owner. Every write of a contact —
/// create, edit, merge, import (many rows to a statement) and import undo — goes through [`TABLE`], so
/// a new column is added here and nowhere else.
const COLUMNS: [&str; 15] = [
    "first_name",
    "last_name",
    "search_key",
    "job_title",
    "buying_role",
    "email",
    "phone",
    "mobile",
    "search_text",
    "do_not_email",
    "do_not_call",
    "do_not_mail",
    "account_id",
    "owner_id",
    "team_id",
];

/// A contact's values in [`COLUMNS`]' order, owned by `(owner, team)`.
fn row(v: &Valid, (owner, team): write::Owner) -> Vec<Val> {
    let mut row = vec![
        Val::from(v.first_name.clone()),
        Val::from(v.last_name.clone()),
        Val::from(search_key(&format!("{} {}", v.first_name, v.last_name))),
        Val::from(v.job_title.clone()),
        Val::from(v.buying_role.map(|r| r.code().to_string())),
    ];
    row.extend([&v.email, &v.phone, &v.mobile].map(|f| Val::from(f.clone())));
    row.push(Val::from(v.search_text()));
    row.extend(v.preferences.flags().map(|on| Val::from(on as i64)));
    row.extend([Val::from(v.account_id), Val::from(owner), Val::from(team)]);
    row
}

/// Every write of a contact: [`COLUMNS`] filled by [`row`].
pub(crate) const TABLE: write::Table<Valid> = write::Table { name: "contacts", columns: &COLUMNS, row };

impl Valid {
    /// A contact's data as stored (codes as the database keeps them) with its account, for writing it
    /// back unchanged in meaning: an import's undo restores what the import overwrote.
    pub(crate) fn from_stored(get: impl Fn(&str) -> Option<String>, account_id: Option<i64>) -> Valid {
        Valid {
            first_name: get("first_name").unwrap_or_default(),
            last_name: get("last_name").unwrap_or_default(),
            account_id,
            job_title: get("job_title"),
            buying_role: get("buying_role").as_deref().and_then(BuyingRole::parse),
            email: get("email"),
            phone: get("phone"),
            mobile: get("mobile"),
            preferences: ContactPreferences::from_values(&get),
            owner_id: None,
        }
    }
}

pub fn validate(i: &ContactInput) -> Result<Valid, AppError> {
    let buying_role = match i.buying_role.trim() {
        "" => None,
        r => Some(BuyingRole::parse(r).ok_or_else(|| field("buying_role", Problem::InvalidChoice))?),
    };
    Ok(Valid {
        first_name: required("first_name", &i.first_name, 100)?,
        last_name: required("last_name", &i.last_name, 100)?,
        account_id: parse_opt_id("account_id", &i.account_id)?,
        job_title: optional("job_title", &i.job_title, 120)?,
        buying_role,
        email: optional_email("email", &i.email)?,
        phone: optional_phone("phone", &i.phone)?,
        mobile: optional_phone("mobile", &i.mobile)?,
        preferences: ContactPreferences::parse(&i.do_not_email, &i.do_not_call, &i.do_not_mail)?,
        owner_id: parse_opt_id("owner_id", &i.owner_id)?,
    })
}

fn audit_fields(v: &Valid, owner: i64) -> audit::Fields {
    let mut fields = vec![
        ("first_name", Some(v.first_name.clone())),
        ("last_name", Some(v.last_name.clone())),
        ("account_id", v.account_id.map(|a| a.to_string())),
        ("job_title", v.job_title.clone()),
        ("buying_role", v.buying_role.map(|r| r.code().to_string())),
        ("email", v.email.clone()),
        ("phone", v.phone.clone()),
        ("mobile", v.mobile.clone()),
    ];
    fields.extend(v.preferences.audit_values());
    fields.push(("owner_id", Some(owner.to_string())));
    fields
}

#[derive(sqlx::FromRow)]
struct ContactDb {
    id: i64,
    first_name: String,
    last_name: String,
    account_id: Option<i64>,
    account_name: Option<String>,
    job_title: Option<String>,
    buying_role: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    mobile: Option<String>,
    do_not_email: i64,
    do_not_call: i64,
    do_not_mail: i64,
    owner_id: i64,
    owner_name: String,
    team_id: Option<i64>,
    updated_at: String,
    version: i64,
}

const DETAIL: &str = "SELECT c.id, c.first_name, c.last_name, c.account_id, a.name AS account_name, c.job_title, c.buying_role, \
    c.email, c.phone, c.mobile, c.do_not_email, c.do_not_call, c.do_not_mail, c.owner_id, u.name AS owner_name, c.team_id, c.updated_at, c.version \
    FROM contacts c JOIN users u ON u.id = c.owner_id LEFT JOIN accounts a ON a.id = c.account_id WHERE c.id = ";

fn to_contact(r: ContactDb) -> Contact {
    Contact {
        id: r.id,
        first_name: r.first_name,
        last_name: r.last_name,
        account_id: r.account_id,
        account_name: r.account_name,
        job_title: r.job_title,
        buying_role: r.buying_role.as_deref().and_then(BuyingRole::parse),
        email: r.email,
        phone: r.phone,
        mobile: r.mobile,
        preferences: ContactPreferences::from_flags([r.do_not_email, r.do_not_call, r.do_not_mail].map(|f| f != 0)),
        owner_id: r.owner_id,
        owner_name: r.owner_name,
        updated_at: r.updated_at,
        version: r.version,
    }
}

pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<Contact, AppError> {
    let mut sql = Sql::new(DETAIL);
    sql.bind(id);
    visibility::restrict(&mut sql, actor, "c");
    sql.query_as::<ContactDb>().fetch_optional(&db.pool).await?.map(to_contact).ok_or(AppError::NotFound)
}

/// Checks that `account` exists and is visible to `actor` (a contact cannot be attached to a hidden account).
pub(crate) async fn check_account(tx: &mut Tx, actor: &Actor, account: i64, field_name: &str) -> Result<(), AppError> {
    let mut sql = Sql::new("SELECT COUNT(*) AS n FROM accounts a WHERE a.id = ");
    sql.bind(account);
    visibility::restrict(&mut sql, actor, "a");
    let n: i64 = sql.query().fetch_one(&mut **tx).await?.try_get("n")?;
    if n == 0 {
        return Err(field(field_name, Problem::InvalidChoice));
    }
    Ok(())
}

pub async fn create(db: &Db, actor: &Actor, input: &ContactInput) -> Result<i64, AppError> {
    let v = validate(input)?;
    let mut tx = db.begin().await?;
    let id = insert(&mut tx, actor, &v, false).await?;
    tx.commit().await?;
    Ok(id)
}

/// A new contact's fields for its history: a preference not set is left out, like an empty field.
fn created_fields(v: &Valid, owner: i64) -> audit::Fields {
    audit_fields(v, owner)
        .into_iter()
        .filter(|(f, value)| !(ContactPreferences::FIELDS.contains(f) && value.as_deref() == Some("0")))
        .collect()
}

pub async fn insert(tx: &mut Tx, actor: &Actor, v: &Valid, demo: bool) -> Result<i64, AppError> {
    if let Some(a) = v.account_id {
        check_account(tx, actor, a, "account_id").await?;
    }
    let (owner, team) = crate::services::visibility::resolve_owner(tx, actor, v.owner_id).await?;
    let ts = now();
    let origin = write::Origin { at: &ts, by: actor.id, demo, import_id: None };
    let mut insert = TABLE.insert(Backend::of(tx), &[(v, (owner, team))], &origin);
    let (id,): (i64,) = insert.push(" RETURNING id").query_as().fetch_one(&mut **tx).await?;
    audit::created(tx, "contact", id, Some(actor), &created_fields(v, owner)).await?;
    Ok(id)
}

pub async fn update(db: &Db, actor: &Actor, input: &ContactInput) -> Result<i64, AppError> {
    let id = parse_id("id", &input.id)?;
    let version = parse_id("version", &input.version)?;
    let v = validate(input)?;
    let mut tx = db.begin().await?;
    let mut sql = Sql::new(DETAIL);
    sql.bind(id);
    visibility::restrict(&mut sql, actor, "c");
    let old = sql.query_as::<ContactDb>().fetch_optional(&mut *tx).await?.ok_or(AppError::NotFound)?;
    if !visibility::can_edit(actor, old.owner_id, old.team_id) {
        return Err(AppError::NotFound);
    }
    crate::domain::check_version(old.version, version)?;
    if let Some(a) = v.account_id {
        if Some(a) != old.account_id {
            check_account(&mut tx, actor, a, "account_id").await?;
        }
    }
    let (owner, team) = crate::services::visibility::resolve_owner(&mut tx, actor, v.owner_id.or(Some(old.owner_id))).await?;
    let ts = now();
    TABLE.write(&mut tx, (id, version), &v, (owner, team), Stamp { at: &ts, by: actor.id }).await?;
    let old = to_contact(old);
    let old_valid = Valid {
        first_name: old.first_name,
        last_name: old.last_name,
        account_id: old.account_id,
        job_title: old.job_title,
        buying_role: old.buying_role,
        email: old.email,
        phone: old.phone,
        mobile: old.mobile,
        preferences: old.preferences,
        owner_id: Some(old.owner_id),
    };
    audit::updated(&mut tx, "contact", id, Some(actor), &audit_fields(&old_valid, old.owner_id), &audit_fields(&v, owner)).await?;
    tx.commit().await?;
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
    let mut sql = Sql::new(DETAIL);
    sql.bind(id);
    visibility::restrict(&mut sql, actor, "c");
    let old = sql.query_as::<ContactDb>().fetch_optional(&mut **tx).await?.ok_or(AppError::NotFound)?;
    if !visibility::can_edit(actor, old.owner_id, old.team_id) {
        return Err(AppError::NotFound);
    }
    crate::domain::check_version(old.version, version)?;
    // A deal naming the contact stands on it: refused. Its activities, notes, documents and meeting
    // attendances go to the trash with it.
    let deps: i64 =
        sqlx::query("SELECT COUNT(*) AS n FROM opportunities WHERE contact_id = $1").bind(id).fetch_one(&mut **tx).await?.try_get("n")?;
    if deps > 0 {
        return Err(field("delete", Problem::InUse(deps)));
    }
    let name = format!("{} {}", old.first_name, old.last_name);
    super::trash::move_to_trash(tx, actor, "contact", id, version, &name, (old.owner_id, old.team_id)).await
}

const SORTS: &[SortColumn] = &[
    SortColumn { key: "name", expr: "c.search_key", numeric: false },
    SortColumn { key: "updated", expr: "c.updated_at", numeric: false },
];

/// The list's conditions after `WHERE 1=1`, in one place for its page, its count, its export and its
/// bulk actions (`services::bulk` walks them by id, batch after batch).
pub(crate) fn filters(sql: &mut Sql, text: &listing::TextSearch, actor: &Actor, q: &ListQuery) {
    visibility::restrict(sql, actor, "c");
    text.filter(sql, "contacts", "c");
    listing::ids_filter(sql, "c", &q.ids);
    crate::services::listing::missing_filter(sql, "contacts", &q.missing);
    if let Some(owner) = listing::id_filter(&q.owner) {
        sql.push(" AND c.owner_id = ").bind(owner);
    }
    if let Some(team) = listing::id_filter(&q.team) {
        sql.push(" AND c.team_id = ").bind(team);
    }
    if let Some(account) = listing::id_filter(&q.account) {
        sql.push(" AND c.account_id = ").bind(account);
    }
    if let Some(role) = BuyingRole::parse(q.kind.trim()) {
        sql.push(" AND c.buying_role = ").bind(role.code());
    }
}

pub async fn list(db: &Db, actor: &Actor, q: &ListQuery) -> Result<Page<ContactRow>, AppError> {
    let (col, desc) = listing::choose(SORTS, &q.sort, &q.dir);
    let mut sql = Sql::new(&format!(
        "SELECT c.id, c.first_name, c.last_name, c.account_id, a.name AS account_name, c.job_title, c.email, c.phone, u.name AS owner_name, c.version, \
         {} AS preferences, {} AS sort_value FROM contacts c JOIN users u ON u.id = c.owner_id LEFT JOIN accounts a ON a.id = c.account_id WHERE 1=1",
        ContactPreferences::bits_sql("c"),
        col.expr
    ));
    let text = listing::TextSearch::for_list(db, "contacts", &q.q).await?;
    filters(&mut sql, &text, actor, q);
    listing::after_cursor(&mut sql, col, desc, "c.id", &q.cursor);
    listing::order_by(&mut sql, col, desc, "c.id");
    #[allow(clippy::type_complexity)]
    let rows = sql
        .query_as::<(i64, String, String, Option<i64>, Option<String>, Option<String>, Option<String>, Option<String>, String, i64, i64, String)>()
        .fetch_all(&db.pool)
        .await?;
    let rows = rows
        .into_iter()
        .map(|(id, first, last, account_id, account_name, job_title, email, phone, owner_name, version, bits, sort)| {
            let name = format!("{first} {last}");
            let preferences = ContactPreferences::from_bits(bits);
            (ContactRow { id, name, account_id, account_name, job_title, email, phone, owner_name, preferences, version }, sort, id)
        })
        .collect();
    let (rows, next_cursor) = listing::finish(rows);
    let mut count = Sql::new("SELECT 1 FROM contacts c WHERE 1=1");
    filters(&mut count, &text, actor, q);
    listing::page(db, count, &text, &q.cursor, rows, next_cursor).await
}

/// Contacts of one account for a picker.
pub async fn choices_for_account(db: &Db, actor: &Actor, account: i64) -> Result<Vec<Choice>, AppError> {
    let mut sql = Sql::new("SELECT c.id, c.first_name, c.last_name FROM contacts c WHERE c.account_id = ");
    sql.bind(account);
    visibility::restrict(&mut sql, actor, "c");
    sql.push(" ORDER BY c.search_key, c.id LIMIT 200");
    let rows = sql.query_as::<(i64, String, String)>().fetch_all(&db.pool).await?;
    Ok(rows.into_iter().map(|(id, f, l)| Choice { id, label: format!("{f} {l}") }).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_required_and_email_checked() {
        let mut i = ContactInput { first_name: "Ana".into(), last_name: "Petrović".into(), ..Default::default() };
        assert!(validate(&i).is_ok());
        i.email = "ana@".into();
        assert_eq!(validate(&i), Err(field("email", Problem::InvalidEmail)));
        i.email.clear();
        i.last_name = " ".into();
        assert_eq!(validate(&i), Err(field("last_name", Problem::Required)));
    }
}
