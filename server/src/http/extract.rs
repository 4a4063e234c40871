//! What the plain (non-Leptos) routes read from a request, in one place: the signed-in user, the
//! user's language, a multipart form; and the one way they answer with a file.

use app::api::ctx::{cookie_in, over_https, peer_of, session_token_in, AppState, LANG_COOKIE};
use app::i18n::Lang;
use app::services::Actor;
use axum::extract::{FromRequestParts, Multipart};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use std::convert::Infallible;

/// The signed-in user of the request, from the session cookie; `None` for a visitor without a valid
/// session (each route decides what that visitor gets: sign-in, or a 404 that reveals nothing).
pub struct Visitor(pub Option<Actor>);

impl FromRequestParts<AppState> for Visitor {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let https = over_https(&parts.headers, peer_of(&parts.extensions), state.secure_cookies);
        let Some(token) = session_token_in(&parts.headers, https) else { return Ok(Visitor(None)) };
        // A user whose password an administrator reset gets nothing until they choose their own, nor
        // one whose role requires two-factor sign-in until they set it up.
        let user = app::services::auth::session_user(&state.db, &token).await.ok().flatten();
        Ok(Visitor(user.filter(|u| !u.held_back())))
    }
}

/// The user's language: the language cookie, else the browser's Accept-Language.
pub struct Language(pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for Language {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Language(lang(&parts.headers)))
    }
}

fn lang(headers: &HeaderMap) -> Lang {
    if let Some(l) = cookie_in(headers, LANG_COOKIE).and_then(|c| Lang::parse(&c)) {
        return l;
    }
    headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).map(Lang::from_accept_language).unwrap_or_default()
}

/// A multipart form as read: its text fields, its `file` field (name and bytes) and whether the body or
/// the file went over the limit.
pub struct ReadForm {
    pub texts: Vec<(String, String)>,
    pub file: Option<(String, Vec<u8>)>,
    pub too_large: bool,
}

/// Reads a multipart form to the end (so the browser gets the answer), keeping at most one byte of the
/// file over `limit`.
pub async fn read_form(form: &mut Multipart, limit: usize) -> ReadForm {
    let mut out = ReadForm { texts: Vec::new(), file: None, too_large: false };
    loop {
        match form.next_field().await {
            Ok(Some(mut field)) => {
                let name = field.name().unwrap_or("").to_string();
                if name == "file" {
                    let file_name = field.file_name().unwrap_or("").to_string();
                    let mut bytes = Vec::new();
                    loop {
                        match field.chunk().await {
                            Ok(Some(chunk)) => {
                                let room = (limit + 1).saturating_sub(bytes.len());
                                bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
                            }
                            Ok(None) => break,
                            Err(_) => {
                                out.too_large = true;
                                break;
                            }
                        }
                    }
                    out.file = Some((file_name, bytes));
                } else {
                    let text = field.text().await.unwrap_or_default();
                    out.texts.push((name, text));
                }
            }
            Ok(None) => break,
            Err(_) => {
                out.too_large = true;
                break;
            }
        }
    }
    out
}

impl ReadForm {
    /// The text field `name` ("" when the form has none).
    pub fn text(&self, name: &str) -> String {
        self.texts.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone()).unwrap_or_default()
    }
}

/// Whether `path` is a path of this site ("/accounts/7?tab=files") that a redirect may go back to:
/// never another host, however written ("//evil", "/\\evil", "/\t/evil" — browsers drop tabs and
/// newlines from URLs, turning the last into "//evil").
pub fn is_local_path(path: &str) -> bool {
    path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') && !path.chars().any(|c| c.is_control() || c.is_whitespace())
}

/// A file as a download: always an attachment (the name in ASCII and in UTF-8 per RFC 6266), its type
/// as given and never sniffed, sandboxed should a browser still render it, and kept out of caches.
pub fn attachment(file_name: &str, content_type: &str, bytes: Vec<u8>) -> Response {
    let encoded: String = file_name
        .bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b"-._~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect();
    let ascii: String = file_name.chars().map(|c| if c.is_ascii_alphanumeric() || "-._ ".contains(c) { c } else { '_' }).collect();
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
            (header::CONTENT_SECURITY_POLICY, "default-src 'none'; sandbox".to_string()),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_of_this_site_are_local() {
        for ok in ["/", "/accounts/7", "/accounts/7?tab=files&x=%2F%2F"] {
            assert!(is_local_path(ok), "{ok}");
        }
        for bad in
            ["", "accounts", "//evil.example", "/\\evil.example", "/\t/evil.example", "/\n/evil.example", "https://evil.example", "/ /evil"]
        {
            assert!(!is_local_path(bad), "{bad:?}");
        }
    }

    #[test]
    fn attachments_name_the_file_safely_in_both_forms() {
        let res = attachment("Ponuda \"Čačak\"\r\n.xlsx", "application/octet-stream", vec![1]);
        let cd = res.headers().get(header::CONTENT_DISPOSITION).unwrap().to_str().unwrap().to_string();
        assert_eq!(cd, "attachment; filename=\"Ponuda __a_ak___.xlsx\"; filename*=UTF-8''Ponuda%20%22%C4%8Ca%C4%8Dak%22%0D%0A.xlsx");
        assert_eq!(res.headers().get(header::X_CONTENT_TYPE_OPTIONS).unwrap(), "nosniff");
    }
}
