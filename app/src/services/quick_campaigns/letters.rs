//! A letter campaign's mail-merge: one row per member reached — name, company, address, city, e-mail,
//! the letter's subject and text, the sender — as CSV or XLSX for a word processor's mail merge.

use super::{get, name_sql, table_of};
use crate::db::sql::Sql;
use crate::db::Db;
use crate::domain::marketing::MemberKind;
use crate::error::AppError;
use crate::i18n::{Lang, M};
use crate::services::export::{Cell, Sheet};
use crate::services::Actor;
use sqlx::Row;

/// The most rows a mail-merge file holds.
pub const MAX_ROWS: i64 = 100_000;

/// The mail-merge sheet of a campaign `actor` may see.
pub async fn sheet(db: &Db, actor: &Actor, id: i64, lang: Lang) -> Result<Sheet, AppError> {
    let c = get(db, actor, id).await?;
    let kind = MemberKind::parse(&c.member_kind).ok_or(AppError::Internal)?;
    let table = table_of(kind);
    let (company, address, city) = match kind {
        MemberKind::Account => ("x.name", "x.address", "x.city"),
        MemberKind::Contact => ("a.name", "a.address", "a.city"),
        MemberKind::Lead => ("x.company", "NULL", "x.city"),
    };
    let account_join = if kind == MemberKind::Contact { " LEFT JOIN accounts a ON a.id = x.account_id" } else { "" };
    let mut sql = Sql::new(&format!(
        "SELECT {} AS name, {company} AS company, {address} AS address, {city} AS city, x.email AS email, u.name AS sender \
         FROM quick_campaign_members m JOIN {table} x ON x.id = m.member_id{account_join} LEFT JOIN users u ON u.id = m.assignee_id \
         WHERE m.campaign_id = ",
        name_sql(kind)
    ));
    sql.bind(id).push(" AND m.outcome = 'created' ORDER BY m.member_id LIMIT ").bind(MAX_ROWS);
    let rows = sql.query().fetch_all(&db.pool).await?;
    let text = |r: &sqlx::any::AnyRow, col: &str| -> Result<Cell, AppError> {
        Ok(Cell::Text(r.try_get::<Option<String>, _>(col)?.unwrap_or_default()))
    };
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        out.push(vec![
            text(r, "name")?,
            text(r, "company")?,
            text(r, "address")?,
            text(r, "city")?,
            text(r, "email")?,
            Cell::Text(c.subject.clone()),
            Cell::Text(c.description.clone().unwrap_or_default()),
            text(r, "sender")?,
        ]);
    }
    let headers = [M::Name, M::Company, M::Address, M::City, M::Email, M::Subject, M::Description, M::QcSender]
        .iter()
        .map(|m| lang.t(*m).to_string())
        .collect();
    Ok(Sheet { name: "letters".into(), headers, rows: out })
}
