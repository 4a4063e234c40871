//! What an import looks up in the database, a batch at a time (never a query per row for exact keys):
//! owners by e-mail, the account a contact belongs to (by PIB or name), existing records a row duplicates,
//! and the current values of those records.

use super::prepare::{fuzzy_match, Prepared};
use crate::db::sql::Sql;
use crate::db::Db;
use crate::domain::identity::Identity;
use crate::domain::imports::ImportEntity;
use crate::domain::normalize::company_key;
use crate::domain::text::search_key;
use crate::error::{AppError, Problem};
use crate::services::{visibility, Actor};
use std::collections::HashMap;

/// Active users by e-mail, with their team: who may own imported records.
pub struct Owners {
    by_email: HashMap<String, (i64, Option<i64>)>,
}

impl Owners {
    pub async fn load(db: &Db) -> Result<Owners, AppError> {
        let rows = sqlx::query_as::<_, (i64, String, Option<i64>)>("SELECT id, email, team_id FROM users WHERE active = 1")
            .fetch_all(&db.pool)
            .await?;
        Ok(Owners { by_email: rows.into_iter().map(|(id, e, t)| (e.to_lowercase(), (id, t))).collect() })
    }

    /// The owner a row names (the importing user when none), if `actor` may assign records to them.
    pub fn resolve(&self, actor: &Actor, email: Option<&str>) -> Result<(i64, Option<i64>), Problem> {
        match email {
            None => Ok((actor.id, actor.team_id)),
            Some(e) => match self.by_email.get(&e.to_lowercase()) {
                Some(&(id, team)) if visibility::can_assign(actor, id, team) => Ok((id, team)),
                _ => Err(Problem::NotFoundByName),
            },
        }
    }
}

/// What rows name by words and the database keeps as ids: lead sources and deal stages.
pub struct Names {
    /// Active lead sources by the search key of their code and labels.
    pub sources: HashMap<String, i64>,
    /// Active open stages by the search key of their name, and the first of them.
    pub stages: HashMap<String, i64>,
    pub first_stage: Option<i64>,
}

impl Names {
    pub async fn load(db: &Db) -> Result<Names, AppError> {
        let (stages, first_stage) = open_stages(db).await?;
        Ok(Names { sources: lead_sources(db).await?, stages, first_stage })
    }
}

/// The active lead sources, by the search key of their code and of each label.
async fn lead_sources(db: &Db) -> Result<HashMap<String, i64>, AppError> {
    let rows = sqlx::query_as::<_, (i64, String, String, String)>(
        "SELECT id, code, label_en, label_sr FROM picklist_values WHERE list = $1 AND active = 1 ORDER BY position, id",
    )
    .bind(crate::domain::LIST_LEAD_SOURCE)
    .fetch_all(&db.pool)
    .await?;
    let mut out = HashMap::new();
    for (id, code, en, sr) in rows {
        for k in [code.replace('_', " "), en, sr] {
            out.entry(search_key(&k)).or_insert(id);
        }
    }
    Ok(out)
}

/// The stages a deal can be imported into (active, open), by the search key of their name; and the
/// pipeline's first, for rows that name none.
async fn open_stages(db: &Db) -> Result<(HashMap<String, i64>, Option<i64>), AppError> {
    let rows = sqlx::query_as::<_, (i64, String)>("SELECT id, name FROM stages WHERE active = 1 AND kind = 'open' ORDER BY position, id")
        .fetch_all(&db.pool)
        .await?;
    let first = rows.first().map(|(id, _)| *id);
    Ok((rows.into_iter().map(|(id, name)| (search_key(&name), id)).collect(), first))
}

/// Visible contacts by e-mail (lower case), each with its account.
pub async fn contacts_by_email(db: &Db, actor: &Actor, emails: &[String]) -> Result<HashMap<String, Vec<(i64, Option<i64>)>>, AppError> {
    let mut out: HashMap<String, Vec<(i64, Option<i64>)>> = HashMap::new();
    if emails.is_empty() {
        return Ok(out);
    }
    let mut sql = Sql::for_rows(db.backend, "SELECT c.id, c.email, c.account_id FROM contacts c WHERE c.email IN ");
    push_list(&mut sql, emails);
    visibility::restrict(&mut sql, actor, "c");
    sql.push(" ORDER BY c.id");
    for (id, email, account) in sql.query_as::<(i64, String, Option<i64>)>().fetch_all(&db.pool).await? {
        out.entry(email.to_lowercase()).or_default().push((id, account));
    }
    Ok(out)
}

fn push_list(sql: &mut Sql, values: &[String]) {
    sql.push("(");
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.bind(v.clone());
    }
    sql.push(")");
}

/// Values per `IN` list of a duplicate lookup. SQLite probes its index once per value however long the
/// list; Postgres estimates the matches from its statistics, and for a column with common values (a
/// person's name) a long list made it scan the table where a short one keeps it on the index
/// (docs/performance.md, W5).
fn in_list_size(db: &Db) -> usize {
    match db.backend {
        crate::db::Backend::Postgres => 100,
        crate::db::Backend::Sqlite => 1_000,
    }
}

/// Runs `build(values)` for the distinct `values`, a list of [`in_list_size`] at a time; the rows of
/// each value come together and in the order the query gives them.
async fn fetch_in<T>(db: &Db, values: &[String], build: impl Fn(&[String]) -> Sql) -> Result<Vec<T>, AppError>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    let mut distinct = values.to_vec();
    distinct.sort();
    distinct.dedup();
    let mut out = Vec::new();
    for part in distinct.chunks(in_list_size(db)) {
        out.extend(build(part).query_as::<T>().fetch_all(&db.pool).await?);
    }
    Ok(out)
}

/// The accounts that contacts' "account" cells name: a 9-digit PIB, or a name (exact search key, then a
/// unique account whose name without legal form matches). Keyed by the cell's search key.
pub async fn accounts_for(db: &Db, actor: &Actor, refs: &[String]) -> Result<HashMap<String, i64>, AppError> {
    let mut found = HashMap::new();
    let mut keys: Vec<String> = refs.iter().map(|r| search_key(r)).collect();
    keys.sort();
    keys.dedup();
    if keys.is_empty() {
        return Ok(found);
    }
    let pibs: Vec<String> = keys.iter().filter(|k| k.len() == 9 && k.bytes().all(|b| b.is_ascii_digit())).cloned().collect();
    let mut sql = Sql::for_rows(db.backend, "SELECT a.id, a.search_key, a.pib FROM accounts a WHERE (a.search_key IN ");
    push_list(&mut sql, &keys);
    if !pibs.is_empty() {
        sql.push(" OR a.pib IN ");
        push_list(&mut sql, &pibs);
    }
    sql.push(")");
    visibility::restrict(&mut sql, actor, "a");
    sql.push(" ORDER BY a.id");
    for (id, key, pib) in sql.query_as::<(i64, String, Option<String>)>().fetch_all(&db.pool).await? {
        found.entry(key).or_insert(id);
        if let Some(p) = pib {
            found.entry(p).or_insert(id);
        }
    }
    let missing: Vec<String> = keys.iter().filter(|k| !found.contains_key(*k)).cloned().collect();
    for k in missing {
        let ck = company_key(&k);
        if ck.is_empty() {
            continue;
        }
        let mut sql = Sql::for_rows(db.backend, "SELECT a.id, a.name FROM accounts a WHERE a.search_key >= ");
        sql.bind(ck.clone()).push(" AND a.search_key < ").bind(format!("{ck}\u{10FFFF}"));
        visibility::restrict(&mut sql, actor, "a");
        sql.push(" ORDER BY a.id LIMIT 20");
        let hits: Vec<i64> = sql
            .query_as::<(i64, String)>()
            .fetch_all(&db.pool)
            .await?
            .into_iter()
            .filter(|(_, n)| company_key(n) == ck)
            .map(|(id, _)| id)
            .collect();
        if hits.len() == 1 {
            found.insert(k, hits[0]);
        }
    }
    Ok(found)
}

/// A record already in the database that a row duplicates: its id, how it matched, how alike (below
/// 100 only for similar names: a suggestion, never an update by itself), and its identifiers.
#[derive(Clone, Debug, PartialEq)]
pub struct Existing {
    pub id: i64,
    pub matched_by: String,
    pub similarity: u8,
    pub identity: Identity,
}

impl Existing {
    /// Found by an identifier or by the same name, not only by a similar one.
    pub fn is_exact(&self) -> bool {
        self.similarity >= 100
    }
}

/// The columns a record's identifiers are read from (after its id and the matched value).
fn identity_columns(entity: ImportEntity) -> &'static str {
    match entity {
        ImportEntity::Account => ", a.pib AS id_pib, a.mb AS id_mb, a.email AS id_email",
        ImportEntity::Contact => ", NULL AS id_pib, NULL AS id_mb, c.email AS id_email",
        ImportEntity::Lead => ", l.pib AS id_pib, NULL AS id_mb, l.email AS id_email",
        _ => ", NULL AS id_pib, NULL AS id_mb, NULL AS id_email",
    }
}

fn identity_of(entity: ImportEntity, pib: Option<String>, mb: Option<String>, email: Option<String>) -> Identity {
    match entity {
        ImportEntity::Account => Identity::company(pib.as_deref(), mb.as_deref(), email.as_deref()),
        ImportEntity::Contact => Identity::person(email.as_deref()),
        ImportEntity::Lead => Identity { pib, ..Identity::person(email.as_deref()) },
        _ => Identity::default(),
    }
}

/// A matched row of a lookup: id, the value it matched by, and its identifier columns.
type Found = (i64, Option<String>, Option<String>, Option<String>, Option<String>);

/// Where one key value leads: the records with that value, first found first.
fn by_value(entity: ImportEntity, found: Vec<Found>) -> HashMap<String, Vec<(i64, Identity)>> {
    let mut out: HashMap<String, Vec<(i64, Identity)>> = HashMap::new();
    for (id, v, pib, mb, email) in found {
        if let Some(v) = v {
            out.entry(v.to_lowercase()).or_default().push((id, identity_of(entity, pib, mb, email)));
        }
    }
    out
}

/// The first of `candidates` that the row's identifiers do not set apart.
fn first_agreeing<'a>(row: &Identity, candidates: Option<&'a Vec<(i64, Identity)>>) -> Option<&'a (i64, Identity)> {
    candidates?.iter().find(|(_, ident)| !ident.conflicts(row))
}

/// The three-letter starts a similar name may be stored under: "đ" is kept as "dj" in search keys and
/// often written "d" (or "dj" where the record has "d").
fn name_prefixes(key: &str) -> Vec<String> {
    let first3 = |s: &str| s.chars().take(3).collect::<String>();
    let mut out = vec![first3(key), first3(&key.replace("dj", "d"))];
    if let Some(i) = key.find('d').filter(|i| *i < 3 && !key[*i..].starts_with("dj")) {
        out.push(first3(&format!("{}dj{}", &key[..i], &key[i + 1..])));
    }
    out.retain(|p| p.chars().count() == 3);
    out.sort();
    out.dedup();
    out
}

/// For each row, the first visible existing record it duplicates: by exact keys (e-mail, PIB, MB, phone;
/// a contact's name at the same account), then for accounts by the same or a similar name in the same
/// city. A record whose identifiers differ from the row's (`domain::identity`) is never its match.
pub async fn match_existing(
    db: &Db,
    actor: &Actor,
    entity: ImportEntity,
    rows: &[&Prepared],
    account_ids: &[Option<i64>],
    threshold: u8,
) -> Result<Vec<Option<Existing>>, AppError> {
    let mut out: Vec<Option<Existing>> = vec![None; rows.len()];
    let (table, alias) = (entity.table(), entity.alias());
    for col in entity.exact_columns() {
        let prefix = format!("{col}:");
        let values: Vec<String> =
            rows.iter().flat_map(|r| r.exact.iter().filter_map(|k| k.strip_prefix(&prefix).map(str::to_string))).collect();
        if values.is_empty() {
            continue;
        }
        // E-mails are stored lower-case by every form, PIB and MB as digits: the plain column keeps its index.
        // Product codes are unique whatever their case (the catalog is small: no index is needed for it).
        let expr = if entity == ImportEntity::Product { format!("LOWER({alias}.{col})") } else { format!("{alias}.{col}") };
        let ids = identity_columns(entity);
        let found = fetch_in::<Found>(db, &values, |part| {
            let mut sql =
                Sql::for_rows(db.backend, &format!("SELECT {alias}.id, {alias}.{col}{ids} FROM {table} {alias} WHERE {expr} IN "));
            push_list(&mut sql, part);
            restrict(&mut sql, actor, entity);
            sql.push(&format!(" ORDER BY {alias}.id"));
            sql
        })
        .await?;
        let by_value = by_value(entity, found);
        for (i, r) in rows.iter().enumerate() {
            if out[i].is_some() {
                continue;
            }
            let hit = r.exact.iter().filter_map(|k| k.strip_prefix(&prefix)).find_map(|v| first_agreeing(&r.identity, by_value.get(v)));
            if let Some((id, identity)) = hit {
                out[i] = Some(Existing { id: *id, matched_by: col.to_string(), similarity: 100, identity: identity.clone() });
            }
        }
    }
    // Phones: the digits in international form, by the phone index of accounts and contacts.
    let phone_columns: &[&str] = match entity {
        ImportEntity::Account => &["phone"],
        ImportEntity::Contact => &["phone", "mobile"],
        _ => &[],
    };
    let phones: Vec<String> =
        rows.iter().flat_map(|r| r.exact.iter().filter_map(|k| k.strip_prefix("phone:").map(str::to_string))).collect();
    for col in phone_columns.iter().filter(|_| !phones.is_empty()) {
        let key = crate::db::sql::phone_key(&format!("{alias}.{col}"));
        // SQLite's phone indexes leave out records without that phone (migration 0010): the condition says so.
        let ids = identity_columns(entity);
        let found = fetch_in::<Found>(db, &phones, |part| {
            let mut sql = Sql::for_rows(
                db.backend,
                &format!("SELECT {alias}.id, {key} AS k{ids} FROM {table} {alias} WHERE {alias}.{col} IS NOT NULL AND {key} IN "),
            );
            push_list(&mut sql, part);
            restrict(&mut sql, actor, entity);
            sql.push(&format!(" ORDER BY {alias}.id"));
            sql
        })
        .await?;
        let by_key = by_value(entity, found);
        for (i, r) in rows.iter().enumerate() {
            if out[i].is_some() {
                continue;
            }
            let hit = r.exact.iter().filter_map(|k| k.strip_prefix("phone:")).find_map(|v| first_agreeing(&r.identity, by_key.get(v)));
            if let Some((id, identity)) = hit {
                out[i] = Some(Existing { id: *id, matched_by: "phone".into(), similarity: 100, identity: identity.clone() });
            }
        }
    }
    match entity {
        ImportEntity::Lead | ImportEntity::Product => {}
        ImportEntity::Activity => {
            // The same activity: its kind, start and subject (folded) at the same account.
            let starts: Vec<Option<String>> = rows
                .iter()
                .map(|r| {
                    let keyed = r.exact.iter().any(|k| k.starts_with("same:"));
                    r.get("starts_at").filter(|_| keyed).and_then(|s| crate::clock::parse_local("starts_at", s).ok())
                })
                .collect();
            let wanted: Vec<String> = starts.iter().flatten().cloned().collect();
            if !wanted.is_empty() {
                let mut sql = Sql::for_rows(
                    db.backend,
                    "SELECT act.id, act.kind, act.subject, act.starts_at, act.account_id FROM activities act WHERE act.starts_at IN ",
                );
                push_list(&mut sql, &wanted);
                restrict(&mut sql, actor, entity);
                sql.push(" ORDER BY act.id");
                let found = sql.query_as::<(i64, String, String, String, Option<i64>)>().fetch_all(&db.pool).await?;
                for (i, start) in starts.iter().enumerate() {
                    let (Some(start), Some(kind), Some(subject)) = (start, rows[i].get("kind"), rows[i].get("subject")) else { continue };
                    let subject = search_key(subject);
                    let account = account_ids.get(i).copied().flatten();
                    if let Some((id, ..)) =
                        found.iter().find(|(_, k, s, st, a)| st == start && k == kind && search_key(s) == subject && *a == account)
                    {
                        out[i] = Some(Existing { id: *id, matched_by: "same".into(), similarity: 100, identity: Identity::default() });
                    }
                }
            }
        }
        ImportEntity::Opportunity => {
            // The same deal: its name (folded) at the same account, among open deals.
            let names: Vec<String> = rows.iter().map(|r| search_key(r.get("name").unwrap_or(""))).collect();
            let keyed = |i: usize| rows[i].exact.iter().any(|k| k.starts_with("name:")) && account_ids.get(i).copied().flatten().is_some();
            let wanted: Vec<String> = names.iter().enumerate().filter(|(i, _)| keyed(*i)).map(|(_, n)| n.clone()).collect();
            if !wanted.is_empty() {
                let found = fetch_in::<(i64, String, i64)>(db, &wanted, |part| {
                    let mut sql =
                        Sql::for_rows(db.backend, "SELECT o.id, o.search_key, o.account_id FROM opportunities o WHERE o.search_key IN ");
                    push_list(&mut sql, part);
                    restrict(&mut sql, actor, entity);
                    sql.push(" ORDER BY o.id");
                    sql
                })
                .await?;
                for (i, name) in names.iter().enumerate() {
                    if !keyed(i) {
                        continue;
                    }
                    let account = account_ids[i];
                    if let Some((id, _, _)) = found.iter().find(|(_, k, a)| k == name && Some(*a) == account) {
                        out[i] = Some(Existing { id: *id, matched_by: "name".into(), similarity: 100, identity: Identity::default() });
                    }
                }
            }
        }
        ImportEntity::Contact => {
            // The same person (name folded) at the same account.
            let names: Vec<String> = rows
                .iter()
                .map(|r| search_key(&format!("{} {}", r.get("first_name").unwrap_or(""), r.get("last_name").unwrap_or(""))))
                .collect();
            // Only rows whose name is a key (the rule may switch names off).
            let keyed = |i: usize| rows[i].exact.iter().any(|k| k.starts_with("name:"));
            let wanted: Vec<String> =
                names.iter().enumerate().filter(|(i, _)| out[*i].is_none() && keyed(*i)).map(|(_, n)| n.clone()).collect();
            if !wanted.is_empty() {
                let found = fetch_in::<(i64, String, Option<i64>, Option<String>)>(db, &wanted, |part| {
                    let mut sql = Sql::for_rows(
                        db.backend,
                        "SELECT c.id, c.search_key, c.account_id, c.email FROM contacts c WHERE c.search_key IN ",
                    );
                    push_list(&mut sql, part);
                    visibility::restrict(&mut sql, actor, "c");
                    sql.push(" ORDER BY c.id");
                    sql
                })
                .await?;
                for (i, name) in names.iter().enumerate() {
                    if out[i].is_some() || !keyed(i) {
                        continue;
                    }
                    let account = account_ids.get(i).copied().flatten();
                    // The same name with another e-mail address is another person.
                    let hit = found
                        .iter()
                        .map(|(id, k, a, e)| (id, k, a, Identity::person(e.as_deref())))
                        .find(|(_, k, a, ident)| *k == name && **a == account && !ident.conflicts(&rows[i].identity));
                    if let Some((id, _, _, identity)) = hit {
                        out[i] = Some(Existing { id: *id, matched_by: "name".into(), similarity: 100, identity });
                    }
                }
            }
        }
        ImportEntity::Account => {
            for (i, r) in rows.iter().enumerate() {
                let (Some(fz), None) = (&r.fuzzy, &out[i]) else { continue };
                let prefixes = name_prefixes(&fz.0);
                if prefixes.is_empty() {
                    continue;
                }
                let mut sql = Sql::for_rows(db.backend, "SELECT a.id, a.name, a.city, a.pib, a.mb, a.email FROM accounts a WHERE (");
                for (n, prefix) in prefixes.iter().enumerate() {
                    sql.push(if n == 0 { "(a.search_key >= " } else { " OR (a.search_key >= " });
                    sql.bind(prefix.clone()).push(" AND a.search_key < ").bind(format!("{prefix}\u{10FFFF}")).push(")");
                }
                sql.push(")");
                visibility::restrict(&mut sql, actor, "a");
                sql.push(" ORDER BY a.id LIMIT 200");
                let mut best: Option<Existing> = None;
                #[allow(clippy::type_complexity)]
                let found = sql
                    .query_as::<(i64, String, Option<String>, Option<String>, Option<String>, Option<String>)>()
                    .fetch_all(&db.pool)
                    .await?;
                for (id, name, city, pib, mb, email) in found {
                    let identity = Identity::company(pib.as_deref(), mb.as_deref(), email.as_deref());
                    // Different identifiers: a different company, however alike the names.
                    if identity.conflicts(&r.identity) {
                        continue;
                    }
                    let other = (company_key(&name), search_key(city.as_deref().unwrap_or("")));
                    if let Some(s) = fuzzy_match(fz, &other, threshold) {
                        if best.as_ref().is_none_or(|b| s > b.similarity) {
                            best = Some(Existing { id, matched_by: "name".into(), similarity: s, identity });
                        }
                    }
                }
                out[i] = best;
            }
        }
    }
    Ok(out)
}

/// What an import may match and update: records the actor sees; of leads and deals only the open ones
/// (a qualified lead or a closed deal is history); products are the company's catalog, seen by all.
fn restrict(sql: &mut Sql, actor: &Actor, entity: ImportEntity) {
    match entity {
        ImportEntity::Product => {}
        ImportEntity::Lead => {
            sql.push(" AND l.status IN ('new', 'contacted')");
            visibility::restrict(sql, actor, "l");
        }
        // A won or lost deal is history, as a closed lead is.
        ImportEntity::Opportunity => {
            sql.push(" AND o.stage_id IN (SELECT id FROM stages WHERE kind = 'open')");
            visibility::restrict(sql, actor, "o");
        }
        // A cancelled activity is history.
        ImportEntity::Activity => {
            sql.push(" AND act.status <> 'cancelled'");
            visibility::restrict(sql, actor, "act");
        }
        _ => visibility::restrict(sql, actor, entity.alias()),
    }
}

/// The current values of an existing record, by import field.
pub type Values = HashMap<&'static str, Option<String>>;

const ACCOUNT_VALUES: &str =
    "SELECT a.id, a.name, a.category, a.industry, a.region, a.city, a.address, a.phone, a.email, a.website, a.pib, a.mb, \
    a.notes, u.email AS owner, a.inactive, a.version FROM accounts a JOIN users u ON u.id = a.owner_id WHERE a.id IN (";
const CONTACT_VALUES: &str = "SELECT c.id, c.first_name, c.last_name, a.name AS account, c.account_id, c.job_title, c.buying_role, c.email, c.phone, c.mobile, \
    u.email AS owner, c.do_not_email, c.do_not_call, c.do_not_mail, c.version FROM contacts c JOIN users u ON u.id = c.owner_id LEFT JOIN accounts a ON a.id = c.account_id WHERE c.id IN (";

const LEAD_VALUES: &str = "SELECT l.id, l.company, l.first_name, l.last_name, l.title, l.email, l.phone, l.city, l.region, l.pib, \
    s.label_en AS source, l.rating, l.estimated_minor, l.currency, l.notes, u.email AS owner, l.do_not_email, l.do_not_call, \
    l.do_not_mail, l.version FROM leads l \
    JOIN users u ON u.id = l.owner_id LEFT JOIN picklist_values s ON s.id = l.source_id WHERE l.id IN (";
const PRODUCT_VALUES: &str = "SELECT p.id, p.code, p.name, p.family, p.unit, p.list_price_minor, p.currency, p.unit_cost_minor, p.active, \
    p.version FROM products p WHERE p.id IN (";

const OPPORTUNITY_VALUES: &str = "SELECT o.id, o.name, a.name AS account, o.close_date, s.name AS stage, \
    CAST(o.probability AS TEXT) AS probability, o.amount_minor, o.currency, c.email AS contact, o.source, o.description, \
    o.forecast_category, u.email AS owner, o.version FROM opportunities o JOIN accounts a ON a.id = o.account_id \
    JOIN stages s ON s.id = o.stage_id JOIN users u ON u.id = o.owner_id LEFT JOIN contacts c ON c.id = o.contact_id WHERE o.id IN (";

const ACTIVITY_VALUES: &str =
    "SELECT act.id, act.kind, act.subject, act.starts_at, act.ends_at, act.direction, act.outcome, act.location, \
    act.description, act.priority, u.email AS owner, act.version FROM activities act JOIN users u ON u.id = act.owner_id WHERE act.id IN (";

fn values_query(backend: crate::db::Backend, entity: ImportEntity, ids: &[i64]) -> Sql {
    let mut sql = Sql::for_rows(
        backend,
        match entity {
            ImportEntity::Account => ACCOUNT_VALUES,
            ImportEntity::Contact => CONTACT_VALUES,
            ImportEntity::Lead => LEAD_VALUES,
            ImportEntity::Product => PRODUCT_VALUES,
            ImportEntity::Opportunity => OPPORTUNITY_VALUES,
            ImportEntity::Activity => ACTIVITY_VALUES,
        },
    );
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.bind(*id);
    }
    sql.push(")");
    sql
}

fn values_of(entity: ImportEntity, r: &sqlx::any::AnyRow) -> Result<(i64, Values, i64), AppError> {
    use sqlx::Row;
    let mut values: Values = HashMap::new();
    for f in entity.fields() {
        let v = match *f {
            "full_name" | "types" => continue,
            // Money as the form writes it; flags as the import reads them.
            "estimated" | "list_price" | "unit_cost" | "amount" => {
                // A lead's estimate of 0 is "not estimated".
                r.try_get::<Option<i64>, _>(format!("{f}_minor").as_str())?
                    .filter(|m| *m != 0 || *f != "estimated")
                    .map(crate::domain::money::minor_to_input)
            }
            "active" => Some((r.try_get::<i64, _>("active")? != 0).to_string()),
            // A flag not set is empty (`ImportEntity::is_flag`).
            flag if ImportEntity::is_flag(flag) => (r.try_get::<i64, _>(flag)? != 0).then(|| crate::domain::marketing::flag_text(true)),
            // What an activity is about and its status are not updated by an import.
            "account" | "contact" | "completed" if entity == ImportEntity::Activity => continue,
            // Moments as the import reads them: local date and time.
            "starts_at" | "ends_at" => r.try_get::<Option<String>, _>(*f)?.map(|t| crate::clock::to_local(&t)),
            _ => r.try_get::<Option<String>, _>(*f)?,
        };
        values.insert(f, v);
    }
    if entity == ImportEntity::Contact {
        // The account by id as well as by name: an update decides whether to keep it.
        values.insert("account_id", r.try_get::<Option<i64>, _>("account_id")?.map(|id| id.to_string()));
    }
    Ok((r.try_get("id")?, values, r.try_get("version")?))
}

/// One record's current values and version, read inside the writing transaction.
pub async fn existing_values_in(tx: &mut crate::db::Tx, entity: ImportEntity, id: i64) -> Result<Option<(Values, i64)>, AppError> {
    let sql = values_query(crate::db::Backend::of(tx), entity, &[id]);
    match sql.query().fetch_optional(&mut **tx).await? {
        Some(r) => {
            let (_, values, version) = values_of(entity, &r)?;
            Ok(Some((values, version)))
        }
        None => Ok(None),
    }
}

/// The current values and versions of many records, read inside the writing transaction; on Postgres
/// they stay locked until it commits, so the updates that follow cannot be stale.
pub async fn existing_values_many_in(
    tx: &mut crate::db::Tx,
    backend: crate::db::Backend,
    entity: ImportEntity,
    ids: &[i64],
) -> Result<HashMap<i64, (Values, i64)>, AppError> {
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let mut sql = values_query(backend, entity, chunk);
        if backend == crate::db::Backend::Postgres {
            sql.push(" FOR UPDATE OF ").push(entity.alias());
        }
        for r in sql.query().fetch_all(&mut **tx).await? {
            let (id, values, version) = values_of(entity, &r)?;
            out.insert(id, (values, version));
        }
    }
    Ok(out)
}

pub async fn existing_values(db: &Db, entity: ImportEntity, ids: &[i64]) -> Result<HashMap<i64, (String, Values)>, AppError> {
    let mut out = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    for r in values_query(db.backend, entity, ids).query().fetch_all(&db.pool).await? {
        let (id, values, _) = values_of(entity, &r)?;
        let v = |f: &str| values.get(f).cloned().flatten().unwrap_or_default();
        let label = match entity {
            ImportEntity::Account | ImportEntity::Opportunity => v("name"),
            ImportEntity::Activity => format!("{} · {}", v("subject"), v("starts_at").replace('T', " ")),
            ImportEntity::Contact => format!("{} {}", v("first_name"), v("last_name")),
            ImportEntity::Lead => crate::domain::lead_name(
                values.get("company").cloned().flatten().as_deref(),
                values.get("first_name").cloned().flatten().as_deref(),
                values.get("last_name").cloned().flatten().as_deref(),
            ),
            ImportEntity::Product => format!("{} {}", v("code"), v("name")),
        };
        out.insert(id, (label, values));
    }
    Ok(out)
}
