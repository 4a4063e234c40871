//! The user guide inside the app: the pages of `docs/guide/` (compiled into the server, so what the
//! app shows is the guide of its own version) rendered to HTML for `/help`. Links between guide pages
//! become `/help/<page>` links and screenshots are served from `public/guide/`.

use crate::error::AppError;
use pulldown_cmark::{html, CowStr, Event, Options, Parser, Tag};

/// The guide's pages: (name in the URL, markdown).
const PAGES: &[(&str, &str)] = &[
    ("", include_str!("../../../docs/guide/README.md")),
    ("getting-started", include_str!("../../../docs/guide/getting-started.md")),
    ("accounts", include_str!("../../../docs/guide/accounts.md")),
    ("contacts", include_str!("../../../docs/guide/contacts.md")),
    ("leads", include_str!("../../../docs/guide/leads.md")),
    ("opportunities", include_str!("../../../docs/guide/opportunities.md")),
    ("activities", include_str!("../../../docs/guide/activities.md")),
    ("products", include_str!("../../../docs/guide/products.md")),
    ("competitors", include_str!("../../../docs/guide/competitors.md")),
    ("reports", include_str!("../../../docs/guide/reports.md")),
    ("import", include_str!("../../../docs/guide/import.md")),
    ("search", include_str!("../../../docs/guide/search.md")),
    ("bulk-actions", include_str!("../../../docs/guide/bulk-actions.md")),
    ("find", include_str!("../../../docs/guide/find.md")),
    ("admin", include_str!("../../../docs/guide/admin.md")),
    ("quick-campaigns", include_str!("../../../docs/guide/quick-campaigns.md")),
    ("trash", include_str!("../../../docs/guide/trash.md")),
    ("personal-data", include_str!("../../../docs/guide/personal-data.md")),
    ("marketing-lists", include_str!("../../../docs/guide/marketing-lists.md")),
];

/// Where a link of the guide points inside the app: another guide page, a screenshot, or as written.
fn in_app(dest: &str) -> String {
    if let Some(image) = dest.strip_prefix("../../public/guide/") {
        return format!("/guide/{image}");
    }
    let (file, anchor) = dest.split_once('#').map(|(f, a)| (f, format!("#{a}"))).unwrap_or((dest, String::new()));
    match file.strip_suffix(".md") {
        Some("README") => format!("/help{anchor}"),
        Some(page) if !page.contains('/') => format!("/help/{page}{anchor}"),
        _ => dest.to_string(),
    }
}

/// A guide page as (title, HTML). Raw HTML in the markdown is shown as text, never passed through.
pub fn page(name: &str) -> Result<(String, String), AppError> {
    let (_, markdown) = PAGES.iter().find(|(n, _)| *n == name).ok_or(AppError::NotFound)?;
    let title = markdown.lines().find_map(|l| l.strip_prefix("# ")).unwrap_or("Veza").trim().to_string();
    let events = Parser::new_ext(markdown, Options::ENABLE_TABLES).map(|e| match e {
        Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
            Event::Start(Tag::Link { link_type, dest_url: CowStr::from(in_app(&dest_url)), title, id })
        }
        Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
            Event::Start(Tag::Image { link_type, dest_url: CowStr::from(in_app(&dest_url)), title, id })
        }
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        other => other,
    });
    let mut out = String::new();
    html::push_html(&mut out, events);
    Ok((title, out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_guide_page_renders_with_links_inside_the_app() {
        for (name, _) in PAGES {
            let (title, html) = page(name).unwrap();
            assert!(!title.is_empty() && html.contains("<h1>"), "{name}");
            assert!(!html.contains(".md\""), "{name}: a link to a guide file was not turned into /help: {html}");
            assert!(!html.contains("../../public"), "{name}: a screenshot path was not turned into /guide");
        }
        assert_eq!(page("nope"), Err(AppError::NotFound));
        assert_eq!(in_app("leads.md#qualify"), "/help/leads#qualify");
        assert_eq!(in_app("README.md"), "/help");
        assert_eq!(in_app("../../public/guide/board.png"), "/guide/board.png");
        assert_eq!(in_app("https://example.com/a.md"), "https://example.com/a.md");
    }
}
