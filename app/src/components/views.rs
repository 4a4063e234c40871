//! The saved views of a record kind, offered on its list page: a GET form opening the chosen view in
//! advanced find (so it works without JavaScript), and a link to build a new query.

use super::context::use_lang;
use crate::api::find::list_views;
use crate::domain::find::Entity;
use crate::i18n::M;
use leptos::prelude::*;
use leptos_router::components::Form;

#[component]
pub fn ViewPicker(entity: Entity) -> impl IntoView {
    let lang = use_lang();
    let views = Resource::new(move || entity, |e| list_views(e.code().to_string()));
    let find = format!("/find?entity={}", entity.code());
    view! {
        <div class="view-picker">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let vs = views.await.unwrap_or_default();
                    (!vs.is_empty()).then(|| view! {
                        <Form method="GET" action="/find" attr:class="inline-form">
                            <select name="view" aria-label=lang.t(M::FindViews) required>
                                <option value="">{lang.t(M::FindChooseView)}</option>
                                {vs.into_iter().map(|v| view! { <option value=v.id.to_string()>{v.name}</option> }).collect_view()}
                            </select>
                            <button type="submit" class="btn btn-ghost">{lang.t(M::FindOpenView)}</button>
                        </Form>
                    })
                })}
            </Suspense>
            <a class="btn btn-ghost" href=find.clone()>{lang.t(M::FindTitle)}</a>
        </div>
    }
}
