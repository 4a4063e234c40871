//! Members from a file: a CSV or XLSX (read like an import's file, `services::imports::file`) with a
//! column of e-mail addresses, PIBs or Veza ids — found by its header, or by its values when the header
//! is unknown or missing. Each key is looked up among the records of the list's kind that the user may
//! see (500 to a statement); rows whose key finds nothing are reported by their line in the file.

use super::load_for_change;
use super::members::{add_in, remove_in};
use crate::db::sql::Sql;
use crate::db::Db;
use crate::domain::marketing::{key_column, KeyColumn, MemberChange, MemberKind, MAX_FILE_BYTES, MAX_FILE_ROWS, MAX_REPORTED_ROWS};
use crate::domain::validate::field;
use crate::error::{AppError, Problem};
use crate::services::imports::file::recognise;
use crate::services::{visibility, Actor};
use std::collections::HashMap;

/// Adds the file's records to list `list_id` (with `remove`, removes them).
pub async fn change_by_file(
    db: &Db,
    actor: &Actor,
    list_id: i64,
    file_name: &str,
    bytes: Vec<u8>,
    remove: bool,
) -> Result<MemberChange, AppError> {
    let list = super::get(db, actor, list_id).await?;
    list.members_change()?;
    if bytes.len() > MAX_FILE_BYTES {
        return Err(field("file", Problem::FileTooLarge((MAX_FILE_BYTES >> 20) as i64)));
    }
    let rows = read_rows(file_name, bytes)?;
    let cells: Vec<Vec<String>> = rows.iter().take(21).map(|(_, c)| c.clone()).collect();
    let (col, key, header) = key_column(list.member_kind, &cells).ok_or_else(|| field("file", Problem::NoKeyColumn))?;
    let keyed: Vec<(i64, Option<String>)> =
        rows.iter().skip(usize::from(header)).map(|(line, cells)| (*line, cells.get(col).and_then(|c| key.normalize(c)))).collect();
    let mut distinct: Vec<String> = keyed.iter().filter_map(|(_, k)| k.clone()).collect();
    distinct.sort_unstable();
    distinct.dedup();
    let found = lookup(db, actor, list.member_kind, key, &distinct).await?;
    let mut ids = Vec::new();
    let mut unmatched = Vec::new();
    for (line, k) in &keyed {
        match k.as_ref().and_then(|k| found.get(k)) {
            Some(matches) => ids.extend(matches),
            None => unmatched.push(*line),
        }
    }
    let mut tx = db.begin().await?;
    let (list, _) = load_for_change(&mut tx, actor, list_id).await?;
    list.members_change()?;
    let mut change = if remove { remove_in(&mut tx, actor, &list, &ids).await? } else { add_in(&mut tx, actor, &list, &ids).await? };
    tx.commit().await?;
    change.unmatched = unmatched.len() as i64;
    change.unmatched_rows = unmatched.into_iter().take(MAX_REPORTED_ROWS).collect();
    Ok(change)
}

/// The file's rows that are not blank, each with its line in the file.
fn read_rows(file_name: &str, bytes: Vec<u8>) -> Result<Vec<(i64, Vec<String>)>, AppError> {
    let file = recognise(file_name, bytes)?;
    let mut reader = csv::ReaderBuilder::new().delimiter(file.delimiter).has_headers(false).flexible(true).from_reader(&file.bytes[..]);
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|_| field("file", Problem::FileTypeNotAllowed))?;
        let cells: Vec<String> = record.iter().map(str::to_string).collect();
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if rows.len() > MAX_FILE_ROWS {
            return Err(field("file", Problem::OutOfRange(1, MAX_FILE_ROWS as i64)));
        }
        let line = record.position().map(|p| p.line() as i64).unwrap_or(rows.len() as i64 + 1);
        rows.push((line, cells));
    }
    if rows.is_empty() {
        return Err(field("file", Problem::EmptyFile));
    }
    Ok(rows)
}

/// The records of `kind` that `actor` may see whose `key` is one of `keys`, by key (several records may
/// share an e-mail address or a PIB: each is a member). The keys are looked up first and the matches'
/// visibility checked by id after: with visibility in the same statement SQLite may walk the owner's or
/// the team's records instead of the key's index.
async fn lookup(db: &Db, actor: &Actor, kind: MemberKind, key: KeyColumn, keys: &[String]) -> Result<HashMap<String, Vec<i64>>, AppError> {
    let x = kind.alias();
    let column = match key {
        KeyColumn::Id => format!("CAST({x}.id AS TEXT)"),
        KeyColumn::Email => format!("{x}.email"),
        KeyColumn::Pib => format!("{x}.pib"),
    };
    let mut found: Vec<(i64, String)> = Vec::new();
    for chunk in keys.chunks(500) {
        let mut sql = Sql::new(&format!("SELECT {x}.id, {column} FROM {} {x} WHERE ", kind.table()));
        match key {
            KeyColumn::Id => {
                let ids: Vec<i64> = chunk.iter().filter_map(|k| k.parse().ok()).collect();
                sql.push(&format!("{x}.id IN (")).bind_list(&ids).push(")")
            }
            KeyColumn::Email => sql.push(&format!("{x}.email IN (")).bind_list(chunk).push(")"),
            KeyColumn::Pib => sql.push(&format!("{x}.pib IN (")).bind_list(chunk).push(")"),
        };
        found.extend(sql.query_as::<(i64, String)>().fetch_all(&db.pool).await?);
    }
    let mut ids: Vec<i64> = found.iter().map(|(id, _)| *id).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut visible = std::collections::HashSet::new();
    for chunk in ids.chunks(500) {
        let mut sql = Sql::new(&format!("SELECT {x}.id FROM {} {x} WHERE {x}.id IN (", kind.table()));
        sql.bind_list(chunk).push(")");
        visibility::restrict(&mut sql, actor, x);
        visible.extend(sql.query_as::<(i64,)>().fetch_all(&db.pool).await?.into_iter().map(|(id,)| id));
    }
    let mut out: HashMap<String, Vec<i64>> = HashMap::new();
    for (id, k) in found.into_iter().filter(|(id, _)| visible.contains(id)) {
        out.entry(k).or_default().push(id);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_keep_their_line_in_the_file() {
        let rows = read_rows("clanovi.csv", b"Ime;E-posta\nAna;ana@firma.rs\n\n;\nIva;iva@firma.rs\n".to_vec()).unwrap();
        assert_eq!(rows.iter().map(|(l, _)| *l).collect::<Vec<_>>(), vec![1, 2, 5]);
        assert_eq!(rows[2].1, vec!["Iva".to_string(), "iva@firma.rs".to_string()]);
        assert_eq!(read_rows("prazno.csv", b"\n;\n".to_vec()), Err(field("file", Problem::EmptyFile)));
        assert_eq!(read_rows("slika.png", b"\x89PNG".to_vec()), Err(field("file", Problem::FileTypeNotAllowed)));
    }
}
