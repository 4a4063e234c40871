//! Documents attached to a record: offers, contracts, invoices. Handled so that a file can never run in
//! the browser: only listed office, PDF, image and text types are accepted — judged by the file's own
//! first bytes as well as its name, never by what the browser claims —, files are capped in size, and
//! they are always served as downloads with a fixed content type (see the server's `/files` route).

use super::{activities, audit, Actor};
use crate::db::{now, Db};
use crate::domain::validate::field;
use crate::domain::RegardingKind;
use crate::error::{AppError, Problem};
use sha2::{Digest, Sha256};
use sqlx::Row;

/// Largest accepted file.
pub const MAX_BYTES: usize = crate::domain::MAX_UPLOAD_BYTES;

/// What a file's content must start with to be what its extension says.
enum Magic {
    Pdf,
    Zip,
    OldOffice,
    Png,
    Jpeg,
    Text,
}

/// Accepted extensions, the content type they are served with, and the bytes they must start with.
const TYPES: &[(&str, &str, Magic)] = &[
    ("pdf", "application/pdf", Magic::Pdf),
    ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", Magic::Zip),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Magic::Zip),
    ("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", Magic::Zip),
    ("odt", "application/vnd.oasis.opendocument.text", Magic::Zip),
    ("ods", "application/vnd.oasis.opendocument.spreadsheet", Magic::Zip),
    ("doc", "application/msword", Magic::OldOffice),
    ("xls", "application/vnd.ms-excel", Magic::OldOffice),
    ("png", "image/png", Magic::Png),
    ("jpg", "image/jpeg", Magic::Jpeg),
    ("jpeg", "image/jpeg", Magic::Jpeg),
    ("txt", "text/plain; charset=utf-8", Magic::Text),
    ("csv", "text/csv; charset=utf-8", Magic::Text),
];

/// The content type to store and serve for `file_name` with `bytes`, or the reason it is refused.
pub fn classify(file_name: &str, bytes: &[u8]) -> Result<&'static str, AppError> {
    if bytes.is_empty() {
        return Err(field("file", Problem::Required));
    }
    if bytes.len() > MAX_BYTES {
        return Err(field("file", Problem::FileTooLarge((MAX_BYTES / (1024 * 1024)) as i64)));
    }
    let ext = file_name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    let (_, content_type, magic) = TYPES.iter().find(|(e, _, _)| *e == ext).ok_or_else(|| field("file", Problem::FileTypeNotAllowed))?;
    let ok = match magic {
        Magic::Pdf => bytes.starts_with(b"%PDF-"),
        Magic::Zip => bytes.starts_with(b"PK\x03\x04"),
        Magic::OldOffice => bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]),
        Magic::Png => bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        Magic::Jpeg => bytes.starts_with(&[0xFF, 0xD8, 0xFF]),
        // Text must be UTF-8 and must not be markup a browser would render if it ever sniffed it.
        Magic::Text => std::str::from_utf8(bytes).is_ok_and(|t| {
            let head = t.trim_start().get(..t.trim_start().len().min(512)).unwrap_or("").to_ascii_lowercase();
            !(head.starts_with('<') || head.contains("<script") || head.contains("<html") || head.contains("<svg"))
        }),
    };
    if ok {
        Ok(content_type)
    } else {
        Err(field("file", Problem::FileTypeNotAllowed))
    }
}

/// A file name safe to store and show: no path, no control characters, at most 200 characters.
pub fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base.chars().filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>')).take(200).collect();
    let cleaned = cleaned.trim().to_string();
    if cleaned.is_empty() {
        "document".into()
    } else {
        cleaned
    }
}

/// Stores a document about `kind`/`id`; returns its id.
pub async fn upload(
    db: &Db,
    actor: &Actor,
    kind: RegardingKind,
    regarding_id: i64,
    file_name: &str,
    bytes: &[u8],
) -> Result<i64, AppError> {
    let name = clean_name(file_name);
    let content_type = classify(&name, bytes)?;
    let mut tx = db.begin().await?;
    let (account_id, _) = activities::regarding(&mut tx, actor, kind, regarding_id).await?;
    let id: i64 = sqlx::query(
        "INSERT INTO documents (regarding_kind, regarding_id, account_id, file_name, content_type, size_bytes, sha256, owner_id, team_id, \
         created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $8) RETURNING id",
    )
    .bind(kind.code())
    .bind(regarding_id)
    .bind(account_id)
    .bind(&name)
    .bind(content_type)
    .bind(bytes.len() as i64)
    .bind(hex::encode(Sha256::digest(bytes)))
    .bind(actor.id)
    .bind(actor.team_id)
    .bind(now())
    .fetch_one(&mut *tx)
    .await?
    .try_get("id")?;
    sqlx::query("INSERT INTO document_contents (document_id, content) VALUES ($1, $2)")
        .bind(id)
        .bind(bytes.to_vec())
        .execute(&mut *tx)
        .await?;
    audit::created(
        &mut tx,
        "document",
        id,
        Some(actor),
        &vec![
            ("file_name", Some(name)),
            ("size", Some(bytes.len().to_string())),
            ("regarding", Some(format!("{}:{regarding_id}", kind.code()))),
        ],
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// A stored file for download.
pub struct Download {
    pub file_name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// The document `id` if `actor` may see the record it is attached to; NotFound otherwise.
pub async fn download(db: &Db, actor: &Actor, id: i64) -> Result<Download, AppError> {
    let row = sqlx::query("SELECT regarding_kind, regarding_id, file_name, content_type FROM documents WHERE id = $1")
        .bind(id)
        .fetch_optional(&db.pool)
        .await?
        .ok_or(AppError::NotFound)?;
    let kind = RegardingKind::parse(&row.try_get::<String, _>("regarding_kind")?).ok_or(AppError::NotFound)?;
    let regarding_id: i64 = row.try_get("regarding_id")?;
    let mut conn = db.pool.acquire().await?;
    activities::regarding(&mut conn, actor, kind, regarding_id).await.map_err(|_| AppError::NotFound)?;
    drop(conn);
    let bytes: Vec<u8> = sqlx::query("SELECT content FROM document_contents WHERE document_id = $1")
        .bind(id)
        .fetch_one(&db.pool)
        .await?
        .try_get("content")?;
    Ok(Download { file_name: row.try_get("file_name")?, content_type: row.try_get("content_type")?, bytes })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_judged_by_their_bytes_and_name() {
        assert_eq!(classify("ponuda.pdf", b"%PDF-1.7 ..."), Ok("application/pdf"));
        assert_eq!(classify("Ugovor.DOCX", b"PK\x03\x04rest").map(|t| t.contains("wordprocessingml")), Ok(true));
        assert_eq!(classify("cene.csv", "šifra;cena\n1;100".as_bytes()), Ok("text/csv; charset=utf-8"));
        let refused = Err(field("file", Problem::FileTypeNotAllowed));
        assert_eq!(classify("page.html", b"<html>"), refused);
        assert_eq!(classify("x.svg", b"<svg onload=alert(1)>"), refused);
        assert_eq!(classify("fake.pdf", b"<html><script>"), refused, "the extension lies");
        assert_eq!(classify("note.txt", b"  <script>alert(1)</script>"), refused);
        assert_eq!(classify("tool.exe", b"MZ\x90\x00"), refused);
        assert_eq!(classify("empty.pdf", b""), Err(field("file", Problem::Required)));
        let big = vec![b'a'; MAX_BYTES + 1];
        assert_eq!(classify("big.txt", &big), Err(field("file", Problem::FileTooLarge(10))));
    }

    #[test]
    fn names_lose_paths_and_markup() {
        assert_eq!(clean_name("C:\\Users\\ana\\Ponuda \"1\".pdf"), "Ponuda 1.pdf");
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("<b>.pdf"), "b.pdf");
        assert_eq!(clean_name("  "), "document");
    }
}
