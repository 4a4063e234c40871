//! Recording what a salesperson saw of a competitor at a customer: price, rebate, payment terms,
//! quality and service, and why the customer likes it. Quick entry from an account, an opportunity
//! or the competitor's own page.

use super::context::use_lang;
use super::fields::{SelectField, TextArea, TextField};
use super::toast::use_toasts;
use crate::api::competitors::RecordObservation;
use crate::components::ErrorBanner;
use crate::domain::competition::{format_bp, Observation, ObservationChoices};
use crate::domain::money::Currency;
use crate::error::AppError;
use crate::i18n::labels::field_message;
use crate::i18n::{format_date, format_money, M};
use leptos::prelude::*;

fn ratings() -> Vec<(String, String)> {
    (1..=5).map(|n| (n.to_string(), format!("{n} / 5"))).collect()
}

#[component]
pub fn ObservationForm(
    choices: ObservationChoices,
    /// The customer (account page) or none.
    #[prop(optional)]
    customer_id: Option<i64>,
    #[prop(optional)] opportunity_id: Option<i64>,
    /// The competitor (its own page) or none: then the form asks.
    #[prop(optional)]
    competitor_id: Option<i64>,
    on_saved: Callback<()>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let lang = use_lang();
    let toasts = use_toasts();
    let action = ServerAction::<RecordObservation>::new();
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    Effect::new(move || {
        if let Some(Ok(_)) = action.value().get() {
            toasts.push(lang.t(M::ObservationSaved), false);
            on_saved.run(());
        }
    });
    let competitor = RwSignal::new(competitor_id.map(|c| c.to_string()).unwrap_or_default());
    let products = StoredValue::new(choices.products.clone());
    let competitor_err = move || match error.get() {
        Some(AppError::Validation { field, problem }) if field == "competitor_id" => Some(field_message(lang, &field, &problem)),
        _ => None,
    };
    let currencies: Vec<(String, String)> = Currency::ALL.iter().map(|c| (c.code().to_string(), c.code().to_string())).collect();
    let regions = choices.regions.clone();
    const FIELDS: &[&str] = &[
        "competitor_id",
        "competitor_product_id",
        "customer_id",
        "opportunity_id",
        "observed_on",
        "region",
        "price",
        "currency",
        "rebate",
        "payment_terms",
        "quality",
        "service",
        "why_liked",
        "note",
    ];
    view! {
        <div class="composer" role="region" aria-label=lang.t(M::RecordObservation) on:keydown=move |ev| if ev.key() == "Escape" { on_cancel.run(()) }>
            <h3>{lang.t(M::RecordObservation)}</h3>
            <ActionForm action=action attr:class="form-grid" attr:novalidate=true>
                <ErrorBanner error=error fields=FIELDS/>
                <input type="hidden" name="input[customer_id]" value=customer_id.map(|c| c.to_string()).unwrap_or_default()/>
                <input type="hidden" name="input[opportunity_id]" value=opportunity_id.map(|c| c.to_string()).unwrap_or_default()/>
                {match competitor_id {
                    Some(c) => view! { <input type="hidden" name="input[competitor_id]" value=c.to_string()/> }.into_any(),
                    None => view! {
                        <div class="field" class:has-error=move || competitor_err().is_some()>
                            <label for="f-obs-competitor_id">{lang.t(M::Competitor)}<span class="req" aria-hidden="true">" *"</span></label>
                            <select id="f-obs-competitor_id" name="input[competitor_id]" on:change=move |ev| competitor.set(event_target_value(&ev))>
                                <option value="">{lang.t(M::ChooseOne)}</option>
                                {choices.competitors.iter().map(|c| view! { <option value=c.id.to_string()>{c.label.clone()}</option> }).collect_view()}
                            </select>
                            <small class="error" role="alert">{competitor_err}</small>
                        </div>
                    }
                    .into_any(),
                }}
                <div class="field">
                    <label for="f-obs-competitor_product_id">{lang.t(M::CompetitorProduct)}</label>
                    <select id="f-obs-competitor_product_id" name="input[competitor_product_id]">
                        {move || {
                            let c = competitor.get().parse::<i64>().unwrap_or(0);
                            std::iter::once((0, lang.t(M::NoneChoice).to_string()))
                                .chain(products.with_value(|p| p.iter().filter(|(cid, _)| *cid == c).map(|(_, p)| (p.id, p.label.clone())).collect::<Vec<_>>()))
                                .map(|(id, label)| view! { <option value=if id == 0 { String::new() } else { id.to_string() }>{label}</option> })
                                .collect_view()
                        }}
                    </select>
                </div>
                <TextField label=M::ObservedOn key="observed_on" value="" kind="date" error=error form="obs-" hint=M::TodayIfEmpty/>
                <div class="field">
                    <label for="f-obs-region">{lang.t(M::Region)}</label>
                    <input id="f-obs-region" name="input[region]" list="obs-regions"/>
                    <datalist id="obs-regions">{regions.into_iter().map(|r| view! { <option value=r/> }).collect_view()}</datalist>
                </div>
                <TextField label=M::ObservedPrice key="price" value="" error=error form="obs-"/>
                <SelectField label=M::Currency key="currency" options=currencies selected="RSD" error=error form="obs-"/>
                <TextField label=M::RebatePercent key="rebate" value="" error=error form="obs-"/>
                <TextField label=M::PaymentTerms key="payment_terms" value="" error=error form="obs-"/>
                <SelectField label=M::Quality key="quality" options=ratings() selected="" empty=M::NotRated error=error form="obs-"/>
                <SelectField label=M::Service key="service" options=ratings() selected="" empty=M::NotRated error=error form="obs-"/>
                <TextArea label=M::WhyLiked key="why_liked" value="" error=error/>
                <TextArea label=M::Note key="note" value="" error=error/>
                <div class="form-actions">
                    <button type="submit" class="btn btn-primary" disabled=move || action.pending().get()>{lang.t(M::Save)}</button>
                    <button type="button" class="btn btn-ghost" on:click=move |_| on_cancel.run(())>{lang.t(M::Cancel)}</button>
                </div>
            </ActionForm>
        </div>
    }
}

/// The observation form for pages that do not load the choices themselves: loads them when opened.
#[component]
pub fn ObservationQuick(
    customer_id: i64,
    #[prop(optional)] opportunity_id: Option<i64>,
    on_saved: Callback<()>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let choices = LocalResource::new(crate::api::competitors::get_observation_choices);
    view! {
        <Suspense fallback=|| view! { <super::Loading/> }>
            {move || Suspend::new(async move {
                let c = choices.await.unwrap_or_default();
                match opportunity_id {
                    Some(o) => view! { <ObservationForm choices=c customer_id=customer_id opportunity_id=o on_saved=on_saved on_cancel=on_cancel/> }.into_any(),
                    None => view! { <ObservationForm choices=c customer_id=customer_id on_saved=on_saved on_cancel=on_cancel/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Observations as a table (newest first).
#[component]
pub fn ObservationTable(
    rows: Vec<Observation>,
    #[prop(optional)] show_competitor: bool,
    /// Offers "Remove" on the rows the viewer may remove.
    #[prop(optional)]
    on_delete: Option<Callback<i64>>,
) -> impl IntoView {
    let lang = use_lang();
    if rows.is_empty() {
        return view! { <p class="muted">{lang.t(M::NoObservations)}</p> }.into_any();
    }
    view! {
        <div class="table-wrap">
            <table class="table observations">
                <thead>
                    <tr>
                        <th>{lang.t(M::ObservedOn)}</th>
                        {show_competitor.then(|| view! { <th>{lang.t(M::Competitor)}</th> })}
                        <th>{lang.t(M::CompetitorProduct)}</th>
                        <th>{lang.t(M::Customer)}</th>
                        <th class="num">{lang.t(M::ObservedPrice)}</th>
                        <th class="num">{lang.t(M::Rebate)}</th>
                        <th class="hide-sm">{lang.t(M::PaymentTerms)}</th>
                        <th class="hide-sm">{lang.t(M::QualityService)}</th>
                        <th class="hide-sm">{lang.t(M::WhyLiked)}</th>
                        <th class="hide-sm">{lang.t(M::RecordedBy)}</th>
                        {on_delete.is_some().then(|| view! { <th><span class="sr-only">{lang.t(M::Actions)}</span></th> })}
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|o| view! {
                        <tr>
                            <td>{format_date(lang, &o.observed_on)}{o.region.clone().map(|r| view! { <div class="muted small">{r}</div> })}</td>
                            {show_competitor.then(|| view! { <td><a href=format!("/competitors/{}", o.competitor_id)>{o.competitor_name.clone()}</a></td> })}
                            <td>{o.product_name.clone().unwrap_or_else(|| "—".into())}</td>
                            <td>{match (o.customer_id, o.customer_name.clone()) {
                                (Some(id), Some(n)) => view! { <a href=format!("/accounts/{id}")>{n}</a> }.into_any(),
                                _ => view! { <span class="muted">"—"</span> }.into_any(),
                            }}</td>
                            <td class="num">{match (o.price_minor, o.currency) { (Some(p), Some(c)) => format_money(lang, p, c.code()), _ => "—".into() }}</td>
                            <td class="num">{o.rebate_bp.map(format_bp).unwrap_or_else(|| "—".into())}</td>
                            <td class="hide-sm">{o.payment_terms.clone().unwrap_or_default()}</td>
                            <td class="hide-sm">{format!("{} / {}", o.quality.map(|q| q.to_string()).unwrap_or("–".into()), o.service.map(|q| q.to_string()).unwrap_or("–".into()))}</td>
                            <td class="hide-sm">{o.why_liked.clone().unwrap_or_default()}{o.note.clone().map(|n| view! { <div class="muted small">{n}</div> })}</td>
                            <td class="hide-sm">{o.recorded_by.clone()}</td>
                            {on_delete.map(|cb| {
                                let id = o.id;
                                view! {
                                    <td>
                                        {o.can_delete.then(|| view! {
                                            <button class="btn btn-ghost btn-small" aria-label=format!("{} {}", lang.t(M::Remove), format_date(lang, &o.observed_on))
                                                on:click=move |_| {
                                                    if crate::components::context::confirm(lang.t(M::ConfirmDelete)) {
                                                        cb.run(id)
                                                    }
                                                }>{lang.t(M::Remove)}</button>
                                        })}
                                    </td>
                                }
                            })}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
