//! The user guide inside the app (`/help`, `/help/<page>`): the pages of `docs/guide/`, opened from the
//! help link in the top bar, which names the guide page of the page the user is on.

use crate::api::help::get_guide_page;
use crate::components::context::{t, use_lang};
use crate::components::Loading;
use crate::i18n::labels::error_text;
use crate::i18n::{Lang, M};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

#[component]
pub fn HelpPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let page = Memo::new(move |_| params.with(|p| p.get("page").unwrap_or_default()));
    let guide = Resource::new(move || page.get(), get_guide_page);
    view! {
        <Transition fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match guide.await {
                    Ok(g) => view! {
                        <Title text=g.title.clone()/>
                        <nav class="guide-nav" aria-label=lang.t(M::Help)>
                            <A href="/help">{t(M::GuideContents)}</A>
                            {(lang != Lang::En).then(|| view! { <span class="muted">{t(M::GuideInEnglish)}</span> })}
                        </nav>
                        <article class="guide" inner_html=g.html></article>
                    }
                    .into_any(),
                    Err(e) => view! {
                        <Title text=t(M::Help)/>
                        <p class="banner banner-error">{error_text(lang, &e)}</p>
                        <A href="/help">{t(M::GuideContents)}</A>
                    }
                    .into_any(),
                }
            })}
        </Transition>
    }
}
