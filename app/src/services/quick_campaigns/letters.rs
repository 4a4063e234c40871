//! A letter campaign's letters: one per member reached, as one PDF (a page or more each, to print in one
//! go) or a ZIP of one PDF per member; and its mail-merge — name, company, address, city, e-mail, the
//! letter's subject and text, the sender — as CSV or XLSX for a word processor's mail merge.

use super::{get, name_sql, table_of};
use crate::db::sql::Sql;
use crate::db::Db;
use crate::domain::marketing::MemberKind;
use crate::domain::quick_campaign::merge;
use crate::error::AppError;
use crate::i18n::{Lang, M};
use crate::services::export::{Cell, Sheet};
use crate::services::pdf::Letter;
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

/// The most letters one PDF or ZIP holds.
pub const MAX_PDF_LETTERS: i64 = 10_000;

/// Each reached member's letter of a campaign `actor` may see, with its file name: the campaign's
/// subject and text filled in for the member (the fields of `domain::quick_campaign::merge`), from its
/// assignee, dated today.
pub async fn letters(db: &Db, actor: &Actor, id: i64, lang: Lang) -> Result<(String, Vec<(String, Letter)>), AppError> {
    let c = get(db, actor, id).await?;
    let kind = MemberKind::parse(&c.member_kind).ok_or(AppError::Internal)?;
    let table = table_of(kind);
    let (first, last, company, address, city) = match kind {
        MemberKind::Account => ("NULL", "NULL", "x.name", "x.address", "x.city"),
        MemberKind::Contact => ("x.first_name", "x.last_name", "a.name", "a.address", "a.city"),
        MemberKind::Lead => ("x.first_name", "x.last_name", "x.company", "NULL", "x.city"),
    };
    let account_join = if kind == MemberKind::Contact { " LEFT JOIN accounts a ON a.id = x.account_id" } else { "" };
    let mut sql = Sql::new(&format!(
        "SELECT m.member_id, {first} AS first_name, {last} AS last_name, {company} AS company, {address} AS address, {city} AS city, \
         u.name AS sender, u.email AS sender_email, u.signature FROM quick_campaign_members m JOIN {table} x ON x.id = m.member_id{account_join} \
         LEFT JOIN users u ON u.id = m.assignee_id WHERE m.campaign_id = "
    ));
    sql.bind(id).push(" AND m.outcome = 'created' ORDER BY m.member_id LIMIT ").bind(MAX_PDF_LETTERS + 1);
    let rows = sql.query().fetch_all(&db.pool).await?;
    if rows.len() as i64 > MAX_PDF_LETTERS {
        return Err(crate::domain::validate::field("letters", crate::error::Problem::OutOfRange(1, MAX_PDF_LETTERS)));
    }
    let date = crate::i18n::format_date(lang, &crate::clock::today().to_string());
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let get = |col: &str| -> Result<String, AppError> { Ok(r.try_get::<Option<String>, _>(col)?.unwrap_or_default()) };
        let (first, last, company, sender, sender_email) =
            (get("first_name")?, get("last_name")?, get("company")?, get("sender")?, get("sender_email")?);
        let name = format!("{first} {last}").trim().to_string();
        let signature = Some(get("signature")?).filter(|s| !s.trim().is_empty()).unwrap_or_else(|| sender.clone());
        let values = [
            ("first_name", first.as_str()),
            ("last_name", last.as_str()),
            ("name", if name.is_empty() { company.as_str() } else { name.as_str() }),
            ("account", company.as_str()),
            ("owner", sender.as_str()),
            ("owner_email", sender_email.as_str()),
            ("signature", signature.as_str()),
        ];
        let recipient = if kind == MemberKind::Account { vec![company.clone()] } else { vec![name.clone(), company.clone()] };
        let letter = Letter {
            sender: vec![sender.clone(), sender_email.clone()],
            recipient: recipient.into_iter().chain([get("address")?, get("city")?]).collect(),
            date: date.clone(),
            subject: merge(&c.subject, &values),
            body: merge(c.description.as_deref().unwrap_or_default(), &values),
            closing: signature.lines().map(str::to_string).collect(),
        };
        let member: i64 = r.try_get("member_id")?;
        let label: String = if name.is_empty() { company.clone() } else { name.clone() };
        out.push((format!("{member:06}-{}.pdf", file_safe(&label)), letter));
    }
    Ok((c.name, out))
}

/// A name fit for a file in a ZIP: letters and digits (Serbian ones in Latin script), the rest "-".
fn file_safe(name: &str) -> String {
    let latin = crate::domain::normalize::cyrillic_to_latin(name);
    let s: String = latin.chars().map(|c| if c.is_alphanumeric() { c } else { '-' }).take(60).collect();
    let s = s.split('-').filter(|p| !p.is_empty()).collect::<Vec<_>>().join("-");
    if s.is_empty() {
        "letter".into()
    } else {
        s
    }
}

/// All letters of a campaign as one PDF, each from a new page.
pub async fn pdf(db: &Db, actor: &Actor, id: i64, lang: Lang) -> Result<Vec<u8>, AppError> {
    let (title, letters) = letters(db, actor, id, lang).await?;
    let all: Vec<Letter> = letters.into_iter().map(|(_, l)| l).collect();
    Ok(crate::services::pdf::letters(&title, &all))
}

/// A ZIP of one PDF per letter.
pub async fn zip(db: &Db, actor: &Actor, id: i64, lang: Lang) -> Result<Vec<u8>, AppError> {
    use std::io::Write;
    let (_, letters) = letters(db, actor, id, lang).await?;
    let broken = |e: &dyn std::fmt::Display| {
        tracing::error!(error = %e, campaign = id, "letters zip");
        AppError::Internal
    };
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let deflated = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, letter) in &letters {
        zip.start_file(name.as_str(), deflated).map_err(|e| broken(&e))?;
        zip.write_all(&crate::services::pdf::letters(&letter.subject, std::slice::from_ref(letter))).map_err(|e| broken(&e))?;
    }
    Ok(zip.finish().map_err(|e| broken(&e))?.into_inner())
}

#[cfg(test)]
mod tests {
    #[test]
    fn file_names_are_safe() {
        assert_eq!(super::file_safe("Đorđe Perić / \"Mlekara\""), "Đorđe-Perić-Mlekara");
        assert_eq!(super::file_safe("../.."), "letter");
        assert_eq!(super::file_safe("Љубица"), "Ljubica");
    }
}
