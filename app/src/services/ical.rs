//! A secret iCalendar feed per user, so Outlook or Google Calendar show Veza appointments. The URL
//! carries a random token; only its SHA-256 is stored, so a database leak does not leak feeds. A user
//! replaces or revokes their link at any time.
//!
//! The feed (RFC 5545) holds the user's activities — their own and meetings they attend — from 90
//! days back to a year ahead, cancelled ones left out. Times are UTC (`…Z`), so every client shows
//! them in its own zone. A meeting the user attends but may not see (another team's record) shows as
//! busy time only: no subject, description, place or customer.

use super::auth::token_hash;
use super::Actor;
use crate::db::{now, Db};
use crate::error::AppError;
use sqlx::Row;

/// Creates (or replaces) the actor's feed; returns the new secret token, shown once.
pub async fn create_feed(db: &Db, actor: &Actor) -> Result<String, AppError> {
    let token = hex::encode(rand::random::<[u8; 32]>());
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM calendar_feeds WHERE user_id = $1").bind(actor.id).execute(&mut *tx).await?;
    sqlx::query("INSERT INTO calendar_feeds (user_id, token_hash, created_at) VALUES ($1, $2, $3)")
        .bind(actor.id)
        .bind(token_hash(&token))
        .bind(now())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(token)
}

pub async fn revoke_feed(db: &Db, actor: &Actor) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM calendar_feeds WHERE user_id = $1").bind(actor.id).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}

/// When the actor's feed was created, if they have one.
pub async fn feed_created(db: &Db, actor: &Actor) -> Result<Option<String>, AppError> {
    Ok(sqlx::query("SELECT created_at FROM calendar_feeds WHERE user_id = $1")
        .bind(actor.id)
        .fetch_optional(&db.pool)
        .await?
        .map(|r| r.get::<String, _>("created_at")))
}

/// Escapes a TEXT value (RFC 5545 §3.3.11).
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// "2026-11-27T13:30:00.000Z" → "20261127T133000Z".
fn ical_time(stamp: &str) -> Option<String> {
    crate::clock::parse_stamp(stamp).map(|t| t.format("%Y%m%dT%H%M%SZ").to_string())
}

/// Folds a content line at 75 octets (RFC 5545 §3.1), never inside a UTF-8 character.
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

/// The feed for `token`, or None when no feed has that token (revoked or never issued).
pub async fn render(db: &Db, token: &str, host: &str) -> Result<Option<String>, AppError> {
    let Some(row) = sqlx::query(
        "SELECT f.user_id, u.name FROM calendar_feeds f JOIN users u ON u.id = f.user_id WHERE f.token_hash = $1 AND u.active = 1",
    )
    .bind(token_hash(token))
    .fetch_optional(&db.pool)
    .await?
    else {
        return Ok(None);
    };
    let user: i64 = row.try_get("user_id")?;
    let name: String = row.try_get("name")?;
    let viewer = super::auth::user_by_id(db, user).await?;
    let from = crate::clock::stamp(chrono::Utc::now() - chrono::Duration::days(90));
    let to = crate::clock::stamp(chrono::Utc::now() + chrono::Duration::days(365));
    let label = super::activities::regarding_label("x");
    let rows = sqlx::query_as::<
        _,
        (
            i64,
            String,
            String,
            Option<String>,
            String,
            Option<String>,
            Option<String>,
            Option<String>,
            String,
            i64,
            Option<String>,
            i64,
            Option<i64>,
        ),
    >(&format!(
        "SELECT x.id, x.kind, x.subject, x.description, x.starts_at, x.ends_at, x.location, x.status, x.updated_at, x.version, {label}, \
         x.owner_id, x.team_id \
         FROM activities x WHERE x.status <> 'cancelled' AND x.starts_at >= $1 AND x.starts_at < $2 \
         AND (x.owner_id = $3 OR EXISTS (SELECT 1 FROM activity_attendees t WHERE t.activity_id = x.id AND t.user_id = $3)) \
         ORDER BY x.starts_at, x.id LIMIT 5000"
    ))
    .bind(from)
    .bind(to)
    .bind(user)
    .fetch_all(&db.pool)
    .await?;
    let mut out = String::new();
    for l in ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Veza CRM//Veza//SR", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"] {
        fold(l, &mut out);
    }
    fold(&format!("X-WR-CALNAME:{}", text(&format!("Veza — {name}"))), &mut out);
    let stamp = ical_time(&now()).unwrap_or_default();
    let busy = crate::i18n::Lang::default().t(crate::i18n::M::Busy);
    for (id, kind, subject, description, starts, ends, location, status, updated, version, regarding, owner, team) in rows {
        let seen = super::visibility::can_see(&viewer, owner, team);
        let Some(start) = ical_time(&starts) else { continue };
        // Tasks and other moments without an end last 30 minutes in the calendar.
        let end = ends.as_deref().and_then(ical_time).unwrap_or_else(|| {
            crate::clock::parse_stamp(&starts)
                .map(|t| (t + chrono::Duration::minutes(30)).format("%Y%m%dT%H%M%SZ").to_string())
                .unwrap_or_default()
        });
        fold("BEGIN:VEVENT", &mut out);
        fold(&format!("UID:activity-{id}@{}", text(host)), &mut out);
        fold(&format!("DTSTAMP:{stamp}"), &mut out);
        fold(&format!("LAST-MODIFIED:{}", ical_time(&updated).unwrap_or_else(|| stamp.clone())), &mut out);
        fold(&format!("SEQUENCE:{version}"), &mut out);
        fold(&format!("DTSTART:{start}"), &mut out);
        fold(&format!("DTEND:{end}"), &mut out);
        if !seen {
            fold(&format!("SUMMARY:{}", text(busy)), &mut out);
            fold("CLASS:PRIVATE", &mut out);
        } else {
            let summary = match regarding.filter(|r| !r.trim().is_empty()) {
                Some(r) => format!("{subject} — {}", r.trim()),
                None => subject,
            };
            fold(&format!("SUMMARY:{}", text(&summary)), &mut out);
            fold(&format!("CATEGORIES:{}", text(&kind)), &mut out);
            if let Some(d) = description.filter(|d| !d.is_empty()) {
                fold(&format!("DESCRIPTION:{}", text(&d)), &mut out);
            }
            if let Some(l) = location.filter(|l| !l.is_empty()) {
                fold(&format!("LOCATION:{}", text(&l)), &mut out);
            }
        }
        fold(&format!("STATUS:{}", if status.as_deref() == Some("completed") { "CONFIRMED" } else { "TENTATIVE" }), &mut out);
        fold("END:VEVENT", &mut out);
    }
    fold("END:VCALENDAR", &mut out);
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_lines_folded() {
        assert_eq!(text("a;b,c\\d\ne"), "a\\;b\\,c\\\\d\\ne");
        let mut out = String::new();
        fold(&format!("SUMMARY:{}", "š".repeat(60)), &mut out);
        for line in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(line.len() <= 75, "{} octets: {line}", line.len());
        }
        assert_eq!(out.replace("\r\n ", ""), format!("SUMMARY:{}\r\n", "š".repeat(60)));
        assert_eq!(ical_time("2026-11-27T13:30:00.000Z").as_deref(), Some("20261127T133000Z"));
    }
}
