//! The language switch of the top bar and the sign-in pages.

use crate::api::session::{set_language, SetLanguage};
use crate::components::context::use_lang;
use crate::i18n::{Lang, M};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// Switches the UI language (cookie) and reloads the page in it. A plain form, like sign-out: without
/// JavaScript the browser posts it and the server sends it back to the page.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let lang = use_lang();
    let other = if lang == Lang::Sr { Lang::En } else { Lang::Sr };
    let label = if other == Lang::Sr { "SR" } else { "EN" };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        leptos::task::spawn_local(async move {
            if set_language(other.code().to_string()).await.is_ok() {
                #[cfg(feature = "hydrate")]
                if let Some(w) = web_sys::window() {
                    let _ = w.location().reload();
                }
            }
        });
    };
    view! {
        <form method="post" action=SetLanguage::url() class="lang-switch" on:submit=on_submit>
            <input type="hidden" name="lang" value=other.code()/>
            <button type="submit" class="btn btn-ghost" title=lang.t(M::Language) aria-label=format!("{}: {}", lang.t(M::Language), label)>
                {label}
            </button>
        </form>
    }
}
