//! The deal panel of an opportunity page — its lines (priced from the price lists and discount
//! rules), the competitors on it, how it closed — and the close dialog, which the pipeline board
//! opens too when a card goes to a won or lost stage.

use super::context::use_lang;
use super::fields::{SelectField, TextArea, TextField};
use super::toast::use_toasts;
use crate::api::deals::{
    add_deal_competitor, delete_line, get_deal, remove_deal_competitor, reopen_opportunity, CloseOpportunity, SaveLine,
};
use crate::api::products::product_choices;
use crate::components::ErrorBanner;
use crate::domain::catalog::{bp_to_input, quantity_to_input, OpportunityLine, PriceSource};
use crate::domain::competition::{format_bp, Deal, Outcome};
use crate::domain::money::{minor_to_input, Currency};
use crate::domain::{Choice, Opportunity, PicklistValue, Stage, StageKind};
use crate::error::AppError;
use crate::i18n::labels::{error_text, field_message};
use crate::i18n::{format_date, format_money, M};
use leptos::prelude::*;

/// Asks for what closing needs: won — the actual value and date; lost — the reason, who won and the
/// lessons learned. Calls `on_done` with the opportunity's new version.
#[component]
pub fn CloseDialog(
    id: i64,
    version: i64,
    #[prop(into)] name: String,
    amount_minor: i64,
    currency: Currency,
    outcome: Outcome,
    competitors: Vec<Choice>,
    reasons: Vec<PicklistValue>,
    #[prop(into)] today: String,
    on_done: Callback<i64>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let lang = use_lang();
    let action = ServerAction::<CloseOpportunity>::new();
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    Effect::new(move || {
        if let Some(Ok(v)) = action.value().get() {
            on_done.run(v);
        }
    });
    let won = outcome == Outcome::Won;
    let title = format!("{}: {}", lang.t(if won { M::CloseWonTitle } else { M::CloseLostTitle }), name);
    let reason_options: Vec<(String, String)> =
        reasons.iter().filter(|r| r.active).map(|r| (r.id.to_string(), r.label(lang).to_string())).collect();
    let competitor_options: Vec<(String, String)> = competitors.iter().map(|c| (c.id.to_string(), c.label.clone())).collect();
    const FIELDS: &[&str] = &["amount", "close_date", "reason_id", "won_by_id", "notes", "outcome"];
    view! {
        <div class="composer close-dialog" role="dialog" aria-modal="false" aria-labelledby=format!("close-title-{id}")
            on:keydown=move |ev| if ev.key() == "Escape" { on_cancel.run(()) }>
            <h3 id=format!("close-title-{id}")>{title}</h3>
            <ActionForm action=action attr:class="form-grid" attr:novalidate=true>
                <ErrorBanner error=error fields=FIELDS/>
                <input type="hidden" name="input[id]" value=id.to_string()/>
                <input type="hidden" name="input[version]" value=version.to_string()/>
                <input type="hidden" name="input[outcome]" value=outcome.code()/>
                {if won {
                    view! {
                        <TextField label=M::ActualValue key="amount" value=minor_to_input(amount_minor) error=error required=true form="close-"
                            hint=if currency == Currency::EUR { M::InEur } else { M::InRsd }/>
                        <TextField label=M::ActualCloseDate key="close_date" value=today.clone() kind="date" error=error required=true form="close-"/>
                        <TextArea label=M::WhyWeWon key="notes" value="" error=error/>
                    }
                    .into_any()
                } else {
                    view! {
                        <SelectField label=M::LossReason key="reason_id" options=reason_options.clone() selected="" empty=M::ChooseOne error=error required=true form="close-"/>
                        <SelectField label=M::WonBy key="won_by_id" options=competitor_options.clone() selected="" empty=M::NoCompetitorWon error=error form="close-"/>
                        <TextField label=M::LostOn key="close_date" value=today.clone() kind="date" error=error form="close-"/>
                        <TextArea label=M::LessonsLearned key="notes" value="" error=error/>
                    }
                    .into_any()
                }}
                <div class="form-actions">
                    <button type="submit" class=if won { "btn btn-primary" } else { "btn btn-danger" } disabled=move || action.pending().get()>
                        {lang.t(if won { M::CloseAsWon } else { M::CloseAsLost })}
                    </button>
                    <button type="button" class="btn btn-ghost" on:click=move |_| on_cancel.run(())>{lang.t(M::Cancel)}</button>
                </div>
            </ActionForm>
        </div>
    }
}

/// The close dialog for a card of the board: loads the competitors and loss reasons first.
#[component]
pub fn CloseFromBoard(
    id: i64,
    version: i64,
    name: String,
    amount_minor: i64,
    currency: Currency,
    outcome: Outcome,
    today: String,
    on_done: Callback<i64>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let lang = use_lang();
    let deal = LocalResource::new(move || get_deal(id));
    view! {
        <Suspense fallback=|| view! { <super::Loading/> }>
            {move || {
                let (name, today) = (name.clone(), today.clone());
                Suspend::new(async move {
                    match deal.await {
                        Ok(d) => view! {
                            <CloseDialog id=id version=version name=name amount_minor=amount_minor currency=currency outcome=outcome
                                competitors=d.all_competitors reasons=d.loss_reasons today=today on_done=on_done on_cancel=on_cancel/>
                        }
                        .into_any(),
                        Err(e) => view! { <p class="banner banner-error">{error_text(lang, &e)}</p> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// Picks one of our active products by typing part of its name or code.
#[component]
pub fn ProductPicker(
    #[prop(into)] error: Signal<Option<AppError>>,
    /// The chosen product (when editing a line).
    selected: RwSignal<Option<Choice>>,
    #[prop(optional)] form: &'static str,
) -> impl IntoView {
    let lang = use_lang();
    let options = RwSignal::new(selected.get_untracked().into_iter().collect::<Vec<Choice>>());
    let current = RwSignal::new(selected.get_untracked().map(|c| c.id.to_string()).unwrap_or_default());
    // Editing another line puts its product in the picker.
    Effect::new(move || {
        if let Some(c) = selected.get() {
            let id = c.id.to_string();
            options.update(|o| {
                if !o.iter().any(|x| x.id == c.id) {
                    o.insert(0, c.clone());
                }
            });
            current.set(id);
        }
    });
    let err = move || match error.get() {
        Some(AppError::Validation { field, problem }) if field == "product_id" => Some(field_message(lang, &field, &problem)),
        _ => None,
    };
    let search = move |q: String| {
        leptos::task::spawn_local(async move {
            if let Ok(found) = product_choices(q).await {
                if !found.iter().any(|c| c.id.to_string() == current.get_untracked()) {
                    current.set(found.first().map(|c| c.id.to_string()).unwrap_or_default());
                }
                options.set(found);
            }
        });
    };
    let id = format!("f-{form}product_id");
    view! {
        <div class="field" class:has-error=move || err().is_some()>
            <label for=id.clone()>{lang.t(M::Product)}<span class="req" aria-hidden="true">" *"</span></label>
            <div class="picker">
                <input
                    type="search"
                    class="picker-search"
                    placeholder=lang.t(M::SearchProduct)
                    aria-label=format!("{}: {}", lang.t(M::Search), lang.t(M::Product))
                    on:input=move |ev| search(event_target_value(&ev))
                    on:focus=move |_| {
                        if options.with_untracked(|o| o.len() <= 1) {
                            search(String::new())
                        }
                    }
                />
                <select id=id name="input[product_id]" on:change=move |ev| current.set(event_target_value(&ev))>
                    {move || {
                        let cur = current.get();
                        let list = options.get();
                        if list.is_empty() {
                            view! { <option value="">{lang.t(M::TypeToSearch)}</option> }.into_any()
                        } else {
                            list.into_iter()
                                .map(|c| {
                                    let v = c.id.to_string();
                                    let sel = v == cur;
                                    view! { <option value=v selected=sel>{c.label}</option> }
                                })
                                .collect_view()
                                .into_any()
                        }
                    }}
                </select>
            </div>
            <small class="error" role="alert">{err}</small>
        </div>
    }
}

fn price_note(lang: crate::i18n::Lang, l: &OpportunityLine) -> String {
    match l.price_source {
        PriceSource::PriceList => l.price_list_name.clone().unwrap_or_else(|| lang.t(M::PriceList).to_string()),
        PriceSource::ListPrice => lang.t(M::ListPrice).to_string(),
        PriceSource::Manual => lang.t(M::ManualPrice).to_string(),
    }
}

fn discount_text(lang: crate::i18n::Lang, l: &OpportunityLine, currency: Currency) -> String {
    let mut parts = Vec::new();
    if l.discount_bp > 0 {
        parts.push(format_bp(l.discount_bp));
    }
    if l.discount_minor > 0 {
        parts.push(format!("−{}/{}", format_money(lang, l.discount_minor, currency.code()), l.unit));
    }
    if parts.is_empty() {
        return "—".into();
    }
    match &l.discount_rule_name {
        Some(r) => format!("{} ({r})", parts.join(" + ")),
        None => parts.join(" + "),
    }
}

/// Lines, competitors and the close of an opportunity. `on_change` reloads the page's data (the
/// opportunity's version and value change with every edit here).
#[component]
pub fn DealPanel(opportunity: Opportunity, deal: Deal, stages: Vec<Stage>, on_change: Callback<()>) -> impl IntoView {
    let lang = use_lang();
    let toasts = use_toasts();
    let o = opportunity;
    let (id, version, currency) = (o.id, o.version, o.currency);
    let open = o.stage_kind == StageKind::Open;
    let closing = RwSignal::new(None::<Outcome>);
    let observing = RwSignal::new(false);
    let account_id = o.account_id;
    let sees_cost = deal.sees_cost;
    // The line form: empty = add; a line's values = edit it.
    let editing = RwSignal::new(None::<OpportunityLine>);
    let picked = RwSignal::new(None::<Choice>);
    let action = ServerAction::<SaveLine>::new();
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    Effect::new(move || {
        if let Some(Ok(_)) = action.value().get() {
            toasts.push(lang.t(M::Saved), false);
            on_change.run(());
        }
    });
    let remove = move |line: i64| {
        leptos::task::spawn_local(async move {
            match delete_line(id, version, line).await {
                Ok(_) => on_change.run(()),
                Err(e) => toasts.push(error_text(lang, &e), true),
            }
        });
    };
    let competitor_pick = RwSignal::new(String::new());
    let add_competitor = move |_| {
        let Ok(c) = competitor_pick.get_untracked().parse::<i64>() else { return };
        leptos::task::spawn_local(async move {
            match add_deal_competitor(id, c).await {
                Ok(()) => on_change.run(()),
                Err(e) => toasts.push(error_text(lang, &e), true),
            }
        });
    };
    let drop_competitor = move |c: i64| {
        leptos::task::spawn_local(async move {
            match remove_deal_competitor(id, c).await {
                Ok(()) => on_change.run(()),
                Err(e) => toasts.push(error_text(lang, &e), true),
            }
        });
    };
    let open_stages: Vec<(String, String)> =
        stages.iter().filter(|s| s.kind == StageKind::Open && s.active).map(|s| (s.id.to_string(), s.name.clone())).collect();
    let reopen_stage = RwSignal::new(open_stages.last().map(|s| s.0.clone()).unwrap_or_default());
    let reopen = move |_| {
        let Ok(stage) = reopen_stage.get_untracked().parse::<i64>() else { return };
        leptos::task::spawn_local(async move {
            match reopen_opportunity(id, version, stage).await {
                Ok(_) => {
                    toasts.push(lang.t(M::Reopened), false);
                    on_change.run(());
                }
                Err(e) => toasts.push(error_text(lang, &e), true),
            }
        });
    };
    let total: i64 = deal.lines.iter().map(|l| l.total_minor).sum();
    let has_lines = !deal.lines.is_empty();
    let competitors_on = deal.competitors.clone();
    let others: Vec<Choice> = deal.all_competitors.iter().filter(|c| !competitors_on.iter().any(|x| x.id == c.id)).cloned().collect();
    let (all_competitors, reasons, today) = (deal.all_competitors.clone(), deal.loss_reasons.clone(), deal.today.clone());
    let name = o.name.clone();
    let amount = o.amount_minor;
    const FIELDS: &[&str] = &["product_id", "quantity", "unit_price", "discount", "discount_amount", "opportunity"];
    view! {
        <section class="card deal" aria-labelledby="deal-title">
            <div class="section-head">
                <h2 id="deal-title">{lang.t(M::DealTitle)}</h2>
                {open.then(|| view! {
                    <div class="head-actions">
                        <button class="btn btn-primary" on:click=move |_| closing.set(Some(Outcome::Won))>{lang.t(M::CloseAsWon)}</button>
                        <button class="btn btn-danger" on:click=move |_| closing.set(Some(Outcome::Lost))>{lang.t(M::CloseAsLost)}</button>
                    </div>
                })}
            </div>
            {move || closing.get().map(|outcome| {
                view! {
                    <CloseDialog id=id version=version name=name.clone() amount_minor=amount currency=currency outcome=outcome
                        competitors=all_competitors.clone() reasons=reasons.clone() today=today.clone()
                        on_done=Callback::new(move |_| { closing.set(None); toasts.push(lang.t(M::Closed), false); on_change.run(()); })
                        on_cancel=Callback::new(move |_| closing.set(None))/>
                }
            })}
            {deal.close.clone().map(|c| {
                let won = c.outcome == Outcome::Won;
                view! {
                    <div class=if won { "close-info won" } else { "close-info lost" }>
                        <p>
                            <strong>{lang.t(if won { M::OutcomeWon } else { M::OutcomeLost })}</strong>
                            " · " {format_date(lang, &o.close_date)} " · " {format_money(lang, o.amount_minor, o.currency.code())}
                            {c.reason.as_ref().map(|r| view! { " · " {lang.t(M::LossReason)} ": " <span class="reason">{r.label(lang).to_string()}</span> })}
                            {c.won_by.as_ref().map(|w| view! { " · " {lang.t(M::WonBy)} ": " <a href=format!("/competitors/{}", w.id)>{w.label.clone()}</a> })}
                        </p>
                        {c.notes.clone().map(|n| view! { <p class="notes">{n}</p> })}
                        {deal.can_reopen.then(|| view! {
                            <div class="inline-form">
                                <label for="reopen-stage">{lang.t(M::ReopenInto)}</label>
                                <select id="reopen-stage" on:change=move |ev| reopen_stage.set(event_target_value(&ev))>
                                    {open_stages.iter().map(|(v, l)| {
                                        let sel = *v == reopen_stage.get_untracked();
                                        view! { <option value=v.clone() selected=sel>{l.clone()}</option> }
                                    }).collect_view()}
                                </select>
                                <button class="btn" on:click=reopen>{lang.t(M::Reopen)}</button>
                            </div>
                        })}
                    </div>
                }
            })}
            <h3>{lang.t(M::Lines)}</h3>
            {if has_lines {
                let lines = deal.lines.clone();
                view! {
                    <div class="table-wrap">
                        <table class="table lines">
                            <thead>
                                <tr>
                                    <th>{lang.t(M::Product)}</th>
                                    <th class="num">{lang.t(M::Quantity)}</th>
                                    <th class="num">{lang.t(M::UnitPrice)}</th>
                                    <th>{lang.t(M::Discount)}</th>
                                    <th class="num">{lang.t(M::LineTotal)}</th>
                                    {sees_cost.then(|| view! { <th class="num">{lang.t(M::Margin)}</th> })}
                                    {open.then(|| view! { <th><span class="sr-only">{lang.t(M::Actions)}</span></th> })}
                                </tr>
                            </thead>
                            <tbody>
                                {lines.into_iter().map(|l| {
                                    let line_id = l.id;
                                    let for_edit = l.clone();
                                    view! {
                                        <tr>
                                            <td>{format!("{} · {}", l.code, l.name)}<div class="muted small">{l.family.clone()}</div></td>
                                            <td class="num">{format!("{} {}", quantity_to_input(l.quantity_milli), l.unit)}</td>
                                            <td class="num">{format_money(lang, l.unit_price_minor, currency.code())}<div class="muted small">{price_note(lang, &l)}</div></td>
                                            <td>{discount_text(lang, &l, currency)}</td>
                                            <td class="num">{format_money(lang, l.total_minor, currency.code())}</td>
                                            {sees_cost.then(|| view! { <td class="num">{l.margin_minor.map(|m| format_money(lang, m, currency.code())).unwrap_or_else(|| "—".into())}</td> })}
                                            {open.then(|| view! {
                                                <td class="row-actions">
                                                    <button class="btn btn-ghost btn-small" on:click=move |_| {
                                                        picked.set(Some(Choice { id: for_edit.product_id, label: format!("{} · {}", for_edit.code, for_edit.name) }));
                                                        editing.set(Some(for_edit.clone()));
                                                    }>{lang.t(M::Edit)}</button>
                                                    <button class="btn btn-ghost btn-small" aria-label=format!("{} {}", lang.t(M::Remove), l.name) on:click=move |_| remove(line_id)>{lang.t(M::Remove)}</button>
                                                </td>
                                            })}
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                            <tfoot>
                                <tr>
                                    <th colspan="4">{lang.t(M::Total)}</th>
                                    <th class="num">{format_money(lang, total, currency.code())}</th>
                                    {sees_cost.then(|| view! { <th class="num">{deal.margin_minor.map(|m| format_money(lang, m, currency.code())).unwrap_or_else(|| "—".into())}</th> })}
                                    {open.then(|| view! { <th></th> })}
                                </tr>
                            </tfoot>
                        </table>
                    </div>
                    <p class="muted small">{lang.t(M::ValueFollowsLines)}</p>
                }
                .into_any()
            } else {
                view! { <p class="muted">{lang.t(M::NoLines)}</p> }.into_any()
            }}
            {open.then(|| view! {
                <ActionForm action=action attr:class="form-grid line-form" attr:novalidate=true>
                    <ErrorBanner error=error fields=FIELDS/>
                    <input type="hidden" name="input[opportunity_id]" value=id.to_string()/>
                    <input type="hidden" name="input[opportunity_version]" value=version.to_string()/>
                    <input type="hidden" name="input[id]" prop:value=move || editing.get().map(|l| l.id.to_string()).unwrap_or_default()/>
                    <ProductPicker error=error selected=picked form="line-"/>
                    <div class="field">
                        <label for="f-line-quantity">{lang.t(M::Quantity)}<span class="req" aria-hidden="true">" *"</span></label>
                        <input id="f-line-quantity" name="input[quantity]" inputmode="decimal"
                            prop:value=move || editing.get().map(|l| quantity_to_input(l.quantity_milli)).unwrap_or_else(|| "1".into())/>
                        <small class="error" role="alert">{move || match error.get() { Some(AppError::Validation { field, problem }) if field == "quantity" => Some(field_message(lang, &field, &problem)), _ => None }}</small>
                    </div>
                    <div class="field">
                        <label for="f-line-unit_price">{lang.t(M::UnitPrice)}</label>
                        <input id="f-line-unit_price" name="input[unit_price]" inputmode="decimal" placeholder=lang.t(M::FromPriceList)
                            prop:value=move || editing.get().filter(|l| l.price_source == PriceSource::Manual).map(|l| minor_to_input(l.unit_price_minor)).unwrap_or_default()/>
                        <small class="error" role="alert">{move || match error.get() { Some(AppError::Validation { field, problem }) if field == "unit_price" => Some(field_message(lang, &field, &problem)), _ => None }}</small>
                    </div>
                    <div class="field">
                        <label for="f-line-discount">{lang.t(M::DiscountPercent)}</label>
                        <input id="f-line-discount" name="input[discount]" inputmode="decimal" placeholder=lang.t(M::FromDiscountRules)
                            prop:value=move || editing.get().filter(|l| l.discount_rule_name.is_none() && l.discount_bp > 0).map(|l| bp_to_input(l.discount_bp)).unwrap_or_default()/>
                        <small class="error" role="alert">{move || match error.get() { Some(AppError::Validation { field, problem }) if field == "discount" => Some(field_message(lang, &field, &problem)), _ => None }}</small>
                    </div>
                    <div class="form-actions">
                        <button type="submit" class="btn btn-primary" disabled=move || action.pending().get()>
                            {move || lang.t(if editing.get().is_some() { M::SaveLine } else { M::AddLine })}
                        </button>
                        {move || editing.get().is_some().then(|| view! {
                            <button type="button" class="btn btn-ghost" on:click=move |_| { editing.set(None); picked.set(None); }>{lang.t(M::Cancel)}</button>
                        })}
                    </div>
                </ActionForm>
            })}
            <h3>{lang.t(M::CompetitorsOnDeal)}</h3>
            <ul class="chips">
                {deal.competitors.iter().map(|c| {
                    let cid = c.id;
                    view! {
                        <li class="chip">
                            <a href=format!("/competitors/{cid}")>{c.label.clone()}</a>
                            <button class="chip-remove" aria-label=format!("{} {}", lang.t(M::Remove), c.label) on:click=move |_| drop_competitor(cid)>"×"</button>
                        </li>
                    }
                }).collect_view()}
                {deal.competitors.is_empty().then(|| view! { <li class="muted">{lang.t(M::NoCompetitorsOnDeal)}</li> })}
            </ul>
            <button class="btn btn-ghost" on:click=move |_| observing.set(true)>{lang.t(M::RecordObservation)}</button>
            <Show when=move || observing.get()>
                <super::observation::ObservationQuick customer_id=account_id opportunity_id=id
                    on_saved=Callback::new(move |_| { observing.set(false); on_change.run(()); })
                    on_cancel=Callback::new(move |_| observing.set(false))/>
            </Show>
            {(!others.is_empty()).then(|| view! {
                <div class="inline-form">
                    <label for="add-competitor">{lang.t(M::AddCompetitor)}</label>
                    <select id="add-competitor" on:change=move |ev| competitor_pick.set(event_target_value(&ev))>
                        <option value="">{lang.t(M::ChooseOne)}</option>
                        {others.iter().map(|c| view! { <option value=c.id.to_string()>{c.label.clone()}</option> }).collect_view()}
                    </select>
                    <button class="btn" on:click=add_competitor>{lang.t(M::Add)}</button>
                </div>
            })}
        </section>
    }
}
