//! What every page reads from its surroundings: the language, the signed-in user, and the browser's
//! own confirmations and navigations. Provided once by the shell (`crate::shell::App`).

use crate::api::session::SessionInfo;
use crate::domain::SessionUser;
use crate::error::AppError;
use crate::i18n::{Lang, M};
use leptos::prelude::*;

/// The language of this page (provided by `App`).
pub fn use_lang() -> Lang {
    use_context::<Lang>().unwrap_or_default()
}

/// Shorthand for a catalog text in the page's language.
pub fn t(m: M) -> &'static str {
    use_lang().t(m)
}

/// The language of the page: on the server from the request, in the browser from `<html lang>`
/// (which the server wrote), so both sides render the same text.
pub fn detect_lang() -> Lang {
    #[cfg(feature = "ssr")]
    {
        crate::api::ctx::request_lang()
    }
    #[cfg(not(feature = "ssr"))]
    {
        #[cfg(feature = "hydrate")]
        {
            web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.document_element())
                .and_then(|e| e.get_attribute("lang"))
                .and_then(|l| Lang::parse(&l))
                .unwrap_or_default()
        }
        #[cfg(not(feature = "hydrate"))]
        {
            Lang::default()
        }
    }
}

pub type SessionResource = Resource<Result<SessionInfo, AppError>>;

/// The signed-in user, read from the session resource `App` provides (resolved before any page
/// inside the signed-in layout renders: see `Layout`).
pub fn session_user() -> Option<SessionUser> {
    use_context::<SessionResource>()?.get_untracked()?.ok()?.user
}

/// After sign-in, setup or sign-out, loads `path` afresh so that nothing cached from the previous
/// session (the session itself, lists, lookups) survives.
pub fn reload_on_success(succeeded: impl Fn() -> bool + 'static, path: &'static str) {
    Effect::new(move || {
        if succeeded() {
            go_to(path);
        }
    });
}

/// Loads `path` as a new page (not a client-side navigation).
pub fn go_to(path: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(w) = web_sys::window() {
        let _ = w.location().set_href(path);
    }
    let _ = path;
}

/// Asks the browser's confirm dialog; on the server (no dialog) it answers no.
pub fn confirm(text: &str) -> bool {
    #[cfg(feature = "hydrate")]
    {
        web_sys::window().and_then(|w| w.confirm_with_message(text).ok()).unwrap_or(false)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = text;
        false
    }
}
