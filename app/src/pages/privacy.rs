//! The administration's list of personal-data requests handled: every export and erasure of a
//! person's data, newest first, a page at a time (from the audit trail).

use crate::api::privacy::list_personal_data_requests;
use crate::components::context::{session_user, t, use_lang};
use crate::components::{ErrorBanner, Loading};
use crate::domain::Role;
use crate::i18n::{format_timestamp, M};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

#[component]
pub fn PersonalDataRequestsPage() -> impl IntoView {
    let lang = use_lang();
    if session_user().map(|u| u.role) != Some(Role::Admin) {
        return view! { <p class="banner banner-error">{t(M::Forbidden)}</p> }.into_any();
    }
    let query = use_query_map();
    let before = Memo::new(move |_| query.with(|q| q.get("before").unwrap_or_default()));
    let page = Resource::new(move || before.get(), list_personal_data_requests);
    view! {
        <Title text=t(M::PersonalRequests)/>
        <div class="page-head">
            <div>
                <p class="crumbs"><A href="/admin">{t(M::Admin)}</A></p>
                <h1>{t(M::PersonalRequests)}</h1>
            </div>
        </div>
        <p class="muted">{t(M::PersonalRequestsHint)}</p>
        <Transition fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match page.await {
                    Err(e) => view! { <ErrorBanner error=Signal::derive(move || Some(e.clone()))/> }.into_any(),
                    Ok(p) if p.rows.is_empty() => view! { <p class="muted">{t(M::PersonalRequestsNone)}</p> }.into_any(),
                    Ok(p) => {
                        let first = !before.get_untracked().is_empty();
                        view! {
                            <div class="table-wrap card">
                                <table class="table personal-requests">
                                    <thead>
                                        <tr>
                                            <th>{t(M::When)}</th>
                                            <th>{t(M::Who)}</th>
                                            <th>{t(M::Actions)}</th>
                                            <th>{t(M::PersonalRecord)}</th>
                                            <th>{t(M::Reason)}</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {p.rows.into_iter().map(|r| {
                                            let action = if r.action == "personal_erase" { M::PersonalActionErase } else { M::PersonalActionExport };
                                            let kind = if r.entity == "lead" { M::Lead } else { M::KindContact };
                                            let href = format!("/{}s/{}", r.entity, r.record_id);
                                            let name = r.record_name.clone().unwrap_or_else(|| format!("#{} ({})", r.record_id, lang.t(M::PersonalNoLongerExists)));
                                            view! {
                                                <tr>
                                                    <td>{format_timestamp(lang, &r.at)}</td>
                                                    <td>{r.by.clone().unwrap_or_default()}</td>
                                                    <td>{t(action)}</td>
                                                    <td>{t(kind)} " " <A href=href>{name}</A></td>
                                                    <td>{r.reason.clone().unwrap_or_default()}</td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            <nav class="pager" aria-label=lang.t(M::Pagination)>
                                {first.then(|| view! { <a class="btn btn-ghost" href="/admin/personal-data">{t(M::FirstPage)}</a> })}
                                {p.next.map(|n| view! { <a class="btn" href=format!("/admin/personal-data?before={n}") rel="next">{t(M::Next)}</a> })}
                            </nav>
                        }
                        .into_any()
                    }
                }
            })}
        </Transition>
    }
    .into_any()
}
