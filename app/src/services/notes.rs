//! Notes about a record, written in Markdown and shown as sanitized HTML: raw HTML in a note is shown
//! as text, and links keep only http(s) and mailto targets, so a note can never run script.

use super::{activities, audit, parse_id, Actor};
use crate::db::{now, Db};
use crate::domain::validate::{field, required};
use crate::domain::{NoteInput, RegardingKind};
use crate::error::{AppError, Problem};
use pulldown_cmark::{html, CowStr, Event, Options, Parser, Tag};
use sqlx::Row;

pub async fn create(db: &Db, actor: &Actor, input: &NoteInput) -> Result<i64, AppError> {
    let kind = RegardingKind::parse(input.regarding_kind.trim()).ok_or_else(|| field("regarding_id", Problem::Required))?;
    let regarding_id = parse_id("regarding_id", &input.regarding_id)?;
    let body = required("body", &input.body, 20_000)?;
    let mut tx = db.begin().await?;
    let (account_id, _) = activities::regarding(&mut tx, actor, kind, regarding_id).await?;
    let ts = now();
    let id: i64 = sqlx::query(
        "INSERT INTO notes (body, regarding_kind, regarding_id, account_id, owner_id, team_id, created_at, created_by, updated_at, updated_by, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $5, $7, $5, 1) RETURNING id",
    )
    .bind(&body)
    .bind(kind.code())
    .bind(regarding_id)
    .bind(account_id)
    .bind(actor.id)
    .bind(actor.team_id)
    .bind(&ts)
    .fetch_one(&mut *tx)
    .await?
    .try_get("id")?;
    audit::created(
        &mut tx,
        "note",
        id,
        Some(actor),
        &vec![("body", Some(body)), ("regarding", Some(format!("{}:{regarding_id}", kind.code())))],
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

fn safe_url(url: &str) -> bool {
    let u = url.trim().to_ascii_lowercase();
    u.starts_with("http://") || u.starts_with("https://") || u.starts_with("mailto:")
}

/// Renders Markdown to HTML that is safe to insert into a page.
pub fn render_markdown(md: &str) -> String {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_STRIKETHROUGH);
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_TASKLISTS);
    let events = Parser::new_ext(md, options).map(|e| match e {
        // Raw HTML is shown as the text it is.
        Event::Html(t) | Event::InlineHtml(t) => Event::Text(t),
        Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
            let dest_url = if safe_url(&dest_url) { dest_url } else { CowStr::Borrowed("#") };
            Event::Start(Tag::Link { link_type, dest_url, title, id })
        }
        // Images would load from anywhere (tracking pixels): shown as links instead.
        Event::Start(Tag::Image { dest_url, title, id, .. }) => {
            let dest_url = if safe_url(&dest_url) { dest_url } else { CowStr::Borrowed("#") };
            Event::Start(Tag::Link { link_type: pulldown_cmark::LinkType::Inline, dest_url, title, id })
        }
        Event::End(pulldown_cmark::TagEnd::Image) => Event::End(pulldown_cmark::TagEnd::Link),
        other => other,
    });
    let mut out = String::new();
    html::push_html(&mut out, events);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_is_rendered_and_sanitized() {
        assert_eq!(render_markdown("**Dogovoreno**: ponuda do petka"), "<p><strong>Dogovoreno</strong>: ponuda do petka</p>\n");
        let html = render_markdown("<script>alert(1)</script>\n\n[x](javascript:alert(1)) <img src=x onerror=alert(1)>");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        let html = render_markdown("![p](https://x.rs/p.png) [ok](https://veza.rs)");
        assert!(html.contains("<a href=\"https://x.rs/p.png\">p</a>"), "{html}");
        assert!(html.contains("<a href=\"https://veza.rs\">ok</a>"), "{html}");
    }
}
