//! `/duplicates`: sets of accounts or contacts that share a key (readable without JavaScript, paged), and
//! `/duplicates/merge`: merge a set into one record, choosing the survivor and each field's value.

use crate::api::duplicates::{get_merge, merge_records, scan_duplicates, SaveDuplicateRule};
use crate::components::context::{t, use_lang};
use crate::components::list::DataTabs;
use crate::components::toast::use_toasts;
use crate::components::Loading;
use crate::domain::dedup::{DuplicateRules, MergeInput, MergeView};
use crate::i18n::labels::{error_text, field_label};
use crate::i18n::{format_int, M};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Form, A};
use leptos_router::hooks::{use_navigate, use_query_map};

fn key_label(k: &str) -> M {
    match k {
        "email" => M::Email,
        "pib" => M::Pib,
        "mb" => M::Mb,
        "similar" => M::SimilarName,
        _ => M::Name,
    }
}

#[component]
pub fn DuplicatesPage() -> impl IntoView {
    let lang = use_lang();
    let qm = use_query_map();
    let params = Memo::new(move |_| {
        qm.with(|m| {
            (m.get("entity").unwrap_or_else(|| "account".into()), m.get("key").unwrap_or_default(), m.get("after").unwrap_or_default())
        })
    });
    let scan = Resource::new(move || params.get(), |(e, k, a)| scan_duplicates(e, k, a));
    let save_rule = ServerAction::<SaveDuplicateRule>::new();
    let toasts = use_toasts();
    Effect::new(move |_| {
        if let Some(Ok(())) = save_rule.value().get() {
            toasts.push(lang.t(M::Saved), false);
            scan.refetch();
        }
    });
    view! {
        <Title text=t(M::Duplicates)/>
        <div class="page-head"><h1>{t(M::ImportData)}</h1></div>
        <DataTabs current="duplicates"/>
        <Transition fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match scan.await {
                    Err(e) => view! { <p class="banner banner-error">{error_text(lang, &e)}</p> }.into_any(),
                    Ok(s) => {
                        let entity = s.entity.clone();
                        let is_account = entity == "account";
                        let set_entity = entity.clone();
                        let base = if entity == "contact" { "/contacts" } else { "/accounts" };
                        let next = s.next.clone().map(|n| format!("/duplicates?entity={}&key={}&after={}", entity, s.key, crate::domain::text::urlencode(&n)));
                        view! {
                            <p class="muted">{t(M::DuplicatesHelp)}</p>
                            <Form method="GET" action="/duplicates" attr:class="filters">
                                <select name="entity" aria-label=lang.t(M::ImportWhat)>
                                    <option value="account" selected=is_account>{lang.t(M::Accounts)}</option>
                                    <option value="contact" selected=!is_account>{lang.t(M::Contacts)}</option>
                                </select>
                                <select name="key" aria-label=lang.t(M::DuplicateKey)>
                                    {s.keys.iter().map(|k| view! { <option value=k.clone() selected=*k == s.key>{lang.t(M::DuplicateKey)}": "{lang.t(key_label(k))}</option> }).collect_view()}
                                </select>
                                <button type="submit" class="btn">{lang.t(M::Filter)}</button>
                            </Form>
                            {s.sets.is_empty().then(|| view! { <p class="muted">{t(M::NoDuplicates)}</p> })}
                            {s.sets.into_iter().map(|set| {
                                let entity = set_entity.clone();
                                let ids = set.records.iter().map(|r| r.id.to_string()).collect::<Vec<_>>().join(",");
                                view! {
                                    <section class="card dup-set">
                                        <div class="page-head">
                                            <h2>{set.records.first().map(|r| r.label.clone()).unwrap_or_default()}" ("{set.records.len()}")"</h2>
                                            <A href=format!("/duplicates/merge?entity={entity}&ids={ids}") attr:class="btn">{t(M::MergeRecords)}</A>
                                        </div>
                                        <ul class="plain-list">
                                            {set.records.into_iter().map(|r| view! {
                                                <li><a href=format!("{base}/{}", r.id)>{r.label}</a>" · "<span class="muted">{r.detail}" · "{r.owner_name}</span></li>
                                            }).collect_view()}
                                        </ul>
                                    </section>
                                }
                            }).collect_view()}
                            {next.map(|n| view! { <p><a href=n class="btn">{t(M::MoreSets)}</a></p> })}
                            <RulesTable rules=s.rules.clone() editable=s.can_edit_rules save=save_rule/>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

fn rule_field_label(f: &str) -> M {
    match f {
        "email" => M::Email,
        "pib" => M::Pib,
        "mb" => M::Mb,
        "phone" => M::Phone,
        _ => M::Name,
    }
}

/// The duplicate rules: which keys find duplicates; names exact or from a similarity. Administrators
/// change them here.
#[component]
fn RulesTable(rules: DuplicateRules, editable: bool, save: ServerAction<SaveDuplicateRule>) -> impl IntoView {
    let lang = use_lang();
    let error = move || save.value().get().and_then(|r| r.err());
    view! {
        <section class="card" id="duplicate-rules">
            <h2>{t(M::DuplicateRules)}</h2>
            <p class="muted">{t(M::DuplicateRulesHelp)}</p>
            {move || error().map(|e| view! { <div class="banner banner-error" role="alert">{error_text(lang, &e)}</div> })}
            <div class="table-wrap">
            <table class="table">
                <thead><tr><th>{t(M::ImportWhat)}</th><th>{t(M::ImportField)}</th><th>{t(M::Active)}</th><th>{t(M::SimilarNames)}</th><th>{t(M::Threshold)}</th><th></th></tr></thead>
                <tbody>
                    {rules.rules.into_iter().map(|r| {
                        let form_id = format!("rule-{}", r.id);
                        let what = if r.entity == "contact" { M::Contacts } else { M::Accounts };
                        let label = format!("{} — {}", lang.t(what), lang.t(rule_field_label(&r.field)));
                        view! {
                            <tr>
                                <td>{lang.t(what)}</td>
                                <td>{lang.t(rule_field_label(&r.field))}</td>
                                <td><input type="checkbox" name="active" value="on" form=form_id.clone() checked=r.active disabled=!editable aria-label=format!("{} · {}", lang.t(M::Active), label)/></td>
                                <td>{(r.field == "name").then(|| view! { <input type="checkbox" name="fuzzy" value="on" form=form_id.clone() checked=r.fuzzy disabled=!editable aria-label=format!("{} · {}", lang.t(M::SimilarNames), label)/> })}</td>
                                <td>{(r.field == "name").then(|| view! { <input type="number" name="threshold" min="70" max="100" class="narrow-input" form=form_id.clone() value=r.threshold.to_string() disabled=!editable aria-label=format!("{} · {}", lang.t(M::Threshold), label)/> })}</td>
                                <td>
                                    {editable.then(|| view! {
                                        <ActionForm action=save attr:id=form_id.clone()>
                                            <input type="hidden" name="id" value=r.id.to_string()/>
                                            {(r.field != "name").then(|| view! { <input type="hidden" name="threshold" value="100"/> })}
                                            <button type="submit" class="btn btn-small" aria-label=format!("{} · {}", lang.t(M::Save), label)>{t(M::Save)}</button>
                                        </ActionForm>
                                    })}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            </div>
        </section>
    }
}

#[component]
pub fn MergePage() -> impl IntoView {
    let lang = use_lang();
    let qm = use_query_map();
    let params = Memo::new(move |_| qm.with(|m| (m.get("entity").unwrap_or_default(), m.get("ids").unwrap_or_default())));
    let data = Resource::new(move || params.get(), |(e, ids)| get_merge(e, ids));
    view! {
        <Title text=t(M::MergeTitle)/>
        <p class="crumbs"><A href="/duplicates">{t(M::Duplicates)}</A></p>
        <div class="page-head"><h1>{t(M::MergeTitle)}</h1></div>
        <Transition fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <p class="banner banner-error">{error_text(lang, &e)}</p> }.into_any(),
                    Ok(v) => view! { <MergeForm v=v/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The record whose value a field keeps unless the user picks another: the survivor's if it has one,
/// else the first record that has one.
fn default_choice(records: &[crate::domain::dedup::MergeRecord], field: usize, survivor: i64) -> i64 {
    let has = |rid: i64| {
        records
            .iter()
            .find(|x| x.id == rid)
            .and_then(|x| x.values.get(field))
            .and_then(|(_, v)| v.clone())
            .is_some_and(|s| !s.trim().is_empty())
    };
    if has(survivor) {
        survivor
    } else {
        records.iter().map(|x| x.id).find(|x| has(*x)).unwrap_or(survivor)
    }
}

#[component]
fn MergeForm(v: MergeView) -> impl IntoView {
    let lang = use_lang();
    let navigate = use_navigate();
    let first = v.records.first().map(|r| r.id).unwrap_or(0);
    // The survivor: the record with the most related records, else the first.
    let best = v.records.iter().max_by_key(|r| (r.related, -r.id)).map(|r| r.id).unwrap_or(first);
    let survivor = RwSignal::new(best);
    // Per field: the record whose value stays (default: the survivor's if it has one).
    let choices: RwSignal<Vec<(String, i64)>> = RwSignal::new(Vec::new());
    let error = RwSignal::new(None::<crate::error::AppError>);
    let busy = RwSignal::new(false);
    let entity = v.entity.clone();
    let ids: Vec<i64> = v.records.iter().map(|r| r.id).collect();
    let versions: Vec<i64> = v.records.iter().map(|r| r.version).collect();
    let base = if entity == "contact" { "/contacts" } else { "/accounts" };
    let submit = {
        let entity = entity.clone();
        let records = v.records.clone();
        let fields = v.fields.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            busy.set(true);
            let input = MergeInput {
                entity: entity.clone(),
                survivor: survivor.get_untracked(),
                ids: ids.clone(),
                versions: versions.clone(),
                // Every field's choice is sent, so the server keeps exactly what the page shows.
                choices: fields
                    .iter()
                    .enumerate()
                    .map(|(i, f)| {
                        let chosen = choices.with_untracked(|c| c.iter().find(|(x, _)| x == f).map(|(_, v)| *v));
                        format!("{f}:{}", chosen.unwrap_or_else(|| default_choice(&records, i, survivor.get_untracked())))
                    })
                    .collect(),
            };
            let navigate = navigate.clone();
            leptos::task::spawn_local(async move {
                match merge_records(input).await {
                    Ok(id) => navigate(&format!("{base}/{id}"), Default::default()),
                    Err(e) => {
                        busy.set(false);
                        error.set(Some(e));
                    }
                }
            });
        }
    };
    let records = v.records.clone();
    view! {
        <form class="card" on:submit=submit>
            <p class="muted">{t(M::MergeHelp)}</p>
            <div class="table-wrap">
            <table class="table merge">
                <thead>
                    <tr>
                        <th>{t(M::ImportField)}</th>
                        {records.iter().map(|r| {
                            let id = r.id;
                            view! {
                                <th>
                                    <label class="inline">
                                        <input type="radio" name="survivor" value=id.to_string() checked=id == best on:change=move |_| survivor.set(id)/>
                                        {t(M::Survivor)}
                                    </label>
                                    <div><a href=format!("{base}/{id}") target="_blank">{r.label.clone()}</a></div>
                                </th>
                            }
                        }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {v.fields.iter().enumerate().map(|(i, f)| {
                        let f = f.clone();
                        view! {
                            <tr>
                                <td>{lang.t(field_label(&f))}</td>
                                {records.iter().map(|r| {
                                    let id = r.id;
                                    let value = r.values.get(i).and_then(|(_, v)| v.clone());
                                    let f2 = f.clone();
                                    let f3 = f.clone();
                                    let recs = records.clone();
                                    let default_id = move |surv: i64| default_choice(&recs, i, surv);
                                    view! {
                                        <td>
                                            <label class="inline">
                                                <input type="radio" name=format!("f-{f}") value=id.to_string()
                                                    prop:checked=move || choices.with(|c| c.iter().find(|(x, _)| *x == f2).map(|(_, v)| *v)).unwrap_or_else(|| default_id(survivor.get())) == id
                                                    on:change=move |_| { let f = f3.clone(); choices.update(|c| { c.retain(|(x, _)| *x != f); c.push((f, id)); }) }/>
                                                {value.unwrap_or_default()}
                                            </label>
                                        </td>
                                    }
                                }).collect_view()}
                            </tr>
                        }
                    }).collect_view()}
                    <tr>
                        <td>{t(M::RelatedRecords)}</td>
                        {records.iter().map(|r| view! { <td class="num">{format_int(lang, r.related)}</td> }).collect_view()}
                    </tr>
                </tbody>
            </table>
            </div>
            {move || error.get().map(|e| view! { <div class="banner banner-error" role="alert">{error_text(lang, &e)}</div> })}
            <button type="submit" class="btn btn-primary" disabled=move || busy.get()>{t(M::MergeButton)}</button>
        </form>
    }
}
