//! Competitors: the list (threat, latest market share, observations, our win rate against each) and
//! a competitor's page — profile, market-share trend, their products against ours with observed
//! prices, observations, the deals where they compete, loss reasons and why customers choose them.

use crate::api::competitors::{
    delete_market_share, delete_observation, get_competitor, get_observation_choices, list_competitors, AddMarketShare,
    SaveCompetitorProduct, SaveCompetitorProfile,
};
use crate::components::charts::{Bar, BarChart, LineChart, Series};
use crate::components::context::{t, use_lang};
use crate::components::fields::{SelectField, TextArea, TextField};
use crate::components::observation::{ObservationForm, ObservationTable};
use crate::components::toast::use_toasts;
use crate::components::{ErrorBanner, Loading, RecordError};
use crate::domain::competition::{format_bp, CompetitorPage as Page, CompetitorProduct, Threat, WinRecord};
use crate::domain::money::{minor_to_input, Currency};
use crate::domain::StageKind;
use crate::i18n::labels::error_text;
use crate::i18n::{format_date, format_money, Lang, M};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

fn rate_text(lang: Lang, r: &WinRecord) -> String {
    match r.rate_bp() {
        Some(bp) => format!("{} ({} / {})", format_bp(bp), r.won, r.won + r.lost),
        None => lang.t(M::NoClosedDeals).to_string(),
    }
}

fn threat_badge(lang: Lang, t: Option<Threat>) -> impl IntoView {
    t.map(|t| view! { <span class=format!("badge threat-{}", t.code())>{t.label(lang)}</span> })
}

#[component]
pub fn CompetitorsPage() -> impl IntoView {
    let lang = use_lang();
    let list = Resource::new(|| (), |_| list_competitors());
    view! {
        <Title text=t(M::Competitors)/>
        <div class="page-head">
            <h1>{t(M::Competitors)}</h1>
            <div class="head-actions">
                <A href="/win-loss" attr:class="btn">{t(M::WinLoss)}</A>
                <A href="/accounts/new?type=competitor" attr:class="btn btn-primary">{t(M::NewCompetitor)}</A>
            </div>
        </div>
        <p class="muted">{t(M::CompetitorsHint)}</p>
        <Suspense fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match list.await {
                    Err(e) => view! { <p class="banner banner-error">{error_text(lang, &e)}</p> }.into_any(),
                    Ok(rows) if rows.is_empty() => view! { <p class="empty">{t(M::NoCompetitors)}</p> }.into_any(),
                    Ok(rows) => view! {
                        <div class="table-wrap">
                            <table class="table">
                                <thead>
                                    <tr>
                                        <th>{t(M::Name)}</th>
                                        <th>{t(M::Threat)}</th>
                                        <th class="num">{t(M::MarketShare)}</th>
                                        <th class="num hide-sm">{t(M::Observations)}</th>
                                        <th>{t(M::OurWinRate)}</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {rows.into_iter().map(|c| view! {
                                        <tr>
                                            <td><A href=format!("/competitors/{}", c.id)>{c.name.clone()}</A></td>
                                            <td>{threat_badge(lang, c.threat)}</td>
                                            <td class="num">{c.latest_share_bp.map(format_bp).unwrap_or_else(|| "—".into())}</td>
                                            <td class="num hide-sm">{c.observations}</td>
                                            <td>{rate_text(lang, &c.record)}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn CompetitorPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|s| s.parse::<i64>().ok()).unwrap_or(0)));
    let reload = RwSignal::new(0u32);
    let page = Resource::new(move || (id.get(), reload.get()), |(id, _)| get_competitor(id));
    let choices = Resource::new(move || reload.get(), |_| get_observation_choices());
    let refresh = Callback::new(move |_: ()| reload.update(|n| *n += 1));
    view! {
        <Transition fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                let choices = choices.await.unwrap_or_default();
                match page.await {
                    Err(e) => view! { <RecordError error=e/> }
                    .into_any(),
                    Ok(p) => view! { <CompetitorView page=p choices=choices refresh=refresh/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn CompetitorView(page: Page, choices: crate::domain::ObservationChoices, refresh: Callback<()>) -> impl IntoView {
    let lang = use_lang();
    let p = page;
    let id = p.profile.account_id;
    let observing = RwSignal::new(false);
    let name = p.profile.name.clone();
    let record = p.record.clone();
    // One market-share line per segment (region · family), in date order.
    let mut segments: Vec<Series> = Vec::new();
    for s in &p.shares {
        let seg = [s.region.clone(), s.family.clone()].into_iter().flatten().collect::<Vec<_>>().join(" · ");
        let seg = if seg.is_empty() { lang.t(M::Overall).to_string() } else { seg };
        let point = (s.as_of.clone(), s.share_bp, format_bp(s.share_bp));
        match segments.iter_mut().find(|x| x.name == seg) {
            Some(x) => x.points.push(point),
            None => segments.push(Series { name: seg, points: vec![point] }),
        }
    }
    let toasts = use_toasts();
    let remove_observation = Callback::new(move |obs: i64| {
        leptos::task::spawn_local(async move {
            match delete_observation(obs).await {
                Ok(()) => refresh.run(()),
                Err(e) => toasts.push(error_text(lang, &e), true),
            }
        });
    });
    // The rebates they were seen giving, oldest first.
    let rebates = Series {
        name: lang.t(M::Rebate).to_string(),
        points: p.observations.iter().rev().filter_map(|o| o.rebate_bp.map(|r| (o.observed_on.clone(), r, format_bp(r)))).collect(),
    };
    let reasons: Vec<Bar> = p
        .loss_reasons
        .iter()
        .map(|r| Bar {
            label: r.reason.label(lang).to_string(),
            value: r.count,
            text: format!("{} · {}", r.count, format_money(lang, r.value_minor, "RSD")),
            href: Some(format!("/opportunities?outcome=lost&competitor={id}&reason={}", r.reason.id)),
        })
        .collect();
    view! {
        <Title text=name.clone()/>
        <div class="page-head">
            <div>
                <p class="crumbs"><A href="/competitors">{t(M::Competitors)}</A> " · " <A href=format!("/accounts/{id}")>{t(M::AccountRecord)}</A></p>
                <h1>{name.clone()} " " {threat_badge(lang, p.profile.threat)}</h1>
                <p class="summary">
                    {t(M::OurWinRate)} ": " <strong>{rate_text(lang, &record)}</strong>
                    {p.profile.website.clone().map(|w| view! { " · " <a href=crate::domain::validate::website_href(&w) rel="noopener noreferrer" target="_blank">{w.clone()}</a> })}
                </p>
            </div>
            <div class="head-actions">
                <button class="btn btn-primary" on:click=move |_| observing.set(true)>{t(M::RecordObservation)}</button>
            </div>
        </div>
        <Show when=move || observing.get()>
            <ObservationForm choices=choices.clone() competitor_id=id
                on_saved=Callback::new(move |_| { observing.set(false); refresh.run(()); })
                on_cancel=Callback::new(move |_| observing.set(false))/>
        </Show>
        <div class="grid-2">
            <ProfileCard page=p.clone() refresh=refresh/>
            <section class="card">
                <h2>{t(M::MarketShare)}</h2>
                {if segments.is_empty() {
                    view! { <p class="muted">{t(M::NoMarketShare)}</p> }.into_any()
                } else {
                    view! { <LineChart title=lang.t(M::MarketShareTrend) series=segments/> }.into_any()
                }}
                <MarketShareTable page=p.clone() refresh=refresh/>
            </section>
        </div>
        <section class="card">
            <h2>{t(M::PriceComparison)}</h2>
            <ProductsCard page=p.clone() refresh=refresh/>
        </section>
        <div class="grid-2">
            <section class="card">
                <h2>{t(M::WhyCustomersChoose)} " " {name.clone()}</h2>
                {if reasons.is_empty() {
                    view! { <p class="muted">{t(M::NoLossesToThem)}</p> }.into_any()
                } else {
                    view! { <BarChart title=lang.t(M::LossReasonsAgainst) bars=reasons/> }.into_any()
                }}
                <ul class="quotes">
                    {p.why_liked.iter().map(|w| view! { <li>{w.clone()}</li> }).collect_view()}
                </ul>
            </section>
            <section class="card">
                <h2>{t(M::WhereTheyCompete)}</h2>
                {if p.opportunities.is_empty() {
                    view! { <p class="muted">{t(M::NoResults)}</p> }.into_any()
                } else {
                    view! {
                        <table class="table">
                            <tbody>
                                {p.opportunities.clone().into_iter().map(|o| {
                                    let class = match o.stage_kind { StageKind::Won => "badge badge-won", StageKind::Lost => "badge badge-lost", StageKind::Open => "badge" };
                                    view! {
                                        <tr>
                                            <td><A href=format!("/opportunities/{}", o.id)>{o.name.clone()}</A><div class="muted small">{o.account_name.clone()}</div></td>
                                            <td><span class=class>{o.stage_name.clone()}</span></td>
                                            <td class="num">{format_money(lang, o.amount_minor, o.currency.code())}</td>
                                            <td class="hide-sm">{format_date(lang, &o.close_date)}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                        <p><A href=format!("/opportunities?competitor={id}")>{t(M::AllTheirDeals)}</A></p>
                    }
                    .into_any()
                }}
            </section>
        </div>
        <section class="card">
            <h2>{t(M::Observations)}</h2>
            {(rebates.points.len() > 1).then(|| view! { <LineChart title=lang.t(M::RebateTrend) series=vec![rebates.clone()] height=160/> })}
            <ObservationTable rows=p.observations.clone() on_delete=remove_observation/>
        </section>
    }
}

#[component]
fn ProfileCard(page: Page, refresh: Callback<()>) -> impl IntoView {
    let lang = use_lang();
    let toasts = use_toasts();
    let pr = page.profile.clone();
    let editing = RwSignal::new(false);
    let action = ServerAction::<SaveCompetitorProfile>::new();
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    Effect::new(move || {
        if let Some(Ok(_)) = action.value().get() {
            toasts.push(lang.t(M::Saved), false);
            editing.set(false);
            refresh.run(());
        }
    });
    let threats: Vec<(String, String)> = Threat::ALL.iter().map(|t| (t.code().to_string(), t.label(lang).to_string())).collect();
    let currencies: Vec<(String, String)> = Currency::ALL.iter().map(|c| (c.code().to_string(), c.code().to_string())).collect();
    let view_pr = pr.clone();
    let strengths = pr.strengths.clone().unwrap_or_default();
    let weaknesses = pr.weaknesses.clone().unwrap_or_default();
    let threat = pr.threat.map(|t| t.code()).unwrap_or("");
    let regions = pr.regions.join("\n");
    let potential = pr.potential_minor.map(minor_to_input).unwrap_or_default();
    let potential_currency = pr.potential_currency.code();
    let (account_id, version) = (pr.account_id.to_string(), pr.version.to_string());
    const FIELDS: &[&str] = &["strengths", "weaknesses", "threat", "regions", "potential", "potential_currency"];
    view! {
        <section class="card">
            <div class="section-head">
                <h2>{t(M::Profile)}</h2>
                {page.can_edit.then(|| view! { <button class="btn btn-ghost" on:click=move |_| editing.update(|e| *e = !*e)>{t(M::Edit)}</button> })}
            </div>
            <Show when=move || editing.get() fallback=move || {
                let p = view_pr.clone();
                view! {
                    <dl class="facts">
                        <dt>{t(M::Strengths)}</dt><dd class="pre">{p.strengths.clone().unwrap_or_else(|| "—".into())}</dd>
                        <dt>{t(M::Weaknesses)}</dt><dd class="pre">{p.weaknesses.clone().unwrap_or_else(|| "—".into())}</dd>
                        <dt>{t(M::Threat)}</dt><dd>{p.threat.map(|t| t.label(lang)).unwrap_or("—")}</dd>
                        <dt>{t(M::ActiveRegions)}</dt><dd>{if p.regions.is_empty() { "—".to_string() } else { p.regions.join(", ") }}</dd>
                        <dt>{t(M::EstimatedPotential)}</dt><dd>{p.potential_minor.map(|v| format_money(lang, v, p.potential_currency.code())).unwrap_or_else(|| "—".into())}</dd>
                    </dl>
                }
            }>
                {
                    let (account_id, version, strengths, weaknesses, regions, potential, threats, currencies) = (
                        account_id.clone(), version.clone(), strengths.clone(), weaknesses.clone(), regions.clone(), potential.clone(), threats.clone(), currencies.clone(),
                    );
                    view! {
                <ActionForm action=action attr:class="form-grid" attr:novalidate=true>
                    <ErrorBanner error=error fields=FIELDS/>
                    <input type="hidden" name="input[account_id]" value=account_id/>
                    <input type="hidden" name="input[version]" value=version/>
                    <TextArea label=M::Strengths key="strengths" value=strengths error=error/>
                    <TextArea label=M::Weaknesses key="weaknesses" value=weaknesses error=error/>
                    <SelectField label=M::Threat key="threat" options=threats selected=threat empty=M::NotRated error=error/>
                    <TextArea label=M::ActiveRegions key="regions" value=regions error=error/>
                    <TextField label=M::EstimatedPotential key="potential" value=potential error=error/>
                    <SelectField label=M::Currency key="potential_currency" options=currencies selected=potential_currency error=error/>
                    <div class="form-actions">
                        <button type="submit" class="btn btn-primary" disabled=move || action.pending().get()>{t(M::Save)}</button>
                    </div>
                </ActionForm>
                    }
                }
            </Show>
        </section>
    }
}

#[component]
fn MarketShareTable(page: Page, refresh: Callback<()>) -> impl IntoView {
    let lang = use_lang();
    let toasts = use_toasts();
    let id = page.profile.account_id;
    let action = ServerAction::<AddMarketShare>::new();
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    Effect::new(move || {
        if let Some(Ok(_)) = action.value().get() {
            toasts.push(lang.t(M::Saved), false);
            refresh.run(());
        }
    });
    let remove = move |share: i64| {
        leptos::task::spawn_local(async move {
            match delete_market_share(id, share).await {
                Ok(()) => refresh.run(()),
                Err(e) => toasts.push(error_text(lang, &e), true),
            }
        });
    };
    let families: Vec<(String, String)> = page.families.iter().map(|f| (f.clone(), f.clone())).collect();
    const FIELDS: &[&str] = &["share", "as_of", "region", "family", "source"];
    view! {
        {(!page.shares.is_empty()).then(|| view! {
            <table class="table compact">
                <thead><tr><th>{t(M::AsOf)}</th><th class="num">{t(M::Share)}</th><th>{t(M::Region)}</th><th>{t(M::Family)}</th><th class="hide-sm">{t(M::SourceOfData)}</th><th></th></tr></thead>
                <tbody>
                    {page.shares.iter().rev().map(|s| {
                        let sid = s.id;
                        view! {
                            <tr>
                                <td>{format_date(lang, &s.as_of)}</td>
                                <td class="num">{format_bp(s.share_bp)}</td>
                                <td>{s.region.clone().unwrap_or_default()}</td>
                                <td>{s.family.clone().unwrap_or_default()}</td>
                                <td class="hide-sm">{s.source.clone().unwrap_or_default()}</td>
                                <td>{page.can_edit.then(|| view! { <button class="btn btn-ghost btn-small" on:click=move |_| remove(sid)>{t(M::Remove)}</button> })}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        })}
        <details class="add-details">
            <summary>{t(M::AddMarketShare)}</summary>
            <ActionForm action=action attr:class="form-grid" attr:novalidate=true>
                <ErrorBanner error=error fields=FIELDS/>
                <input type="hidden" name="input[competitor_id]" value=id.to_string()/>
                <TextField label=M::SharePercent key="share" value="" error=error required=true form="ms-"/>
                <TextField label=M::AsOf key="as_of" value="" kind="date" error=error required=true form="ms-"/>
                <TextField label=M::Region key="region" value="" error=error form="ms-"/>
                <SelectField label=M::Family key="family" options=families selected="" empty=M::AllFamilies error=error form="ms-"/>
                <TextField label=M::SourceOfData key="source" value="" error=error form="ms-"/>
                <div class="form-actions"><button type="submit" class="btn" disabled=move || action.pending().get()>{t(M::Add)}</button></div>
            </ActionForm>
        </details>
    }
}

/// Their latest observed price against our list price, as a percentage difference.
fn price_gap(lang: Lang, cp: &CompetitorProduct) -> String {
    let (Some(last), Some(ours)) = (cp.prices.last(), cp.counters.first()) else { return "—".into() };
    if last.currency != ours.currency || ours.list_price_minor == 0 {
        return "—".into();
    }
    let diff = (last.price_minor - ours.list_price_minor) as i128 * 10_000 / ours.list_price_minor as i128;
    let sign = if diff > 0 { "+" } else { "" };
    format!("{sign}{} {}", format_bp(diff as i64), lang.t(M::VsOurs))
}

#[component]
fn ProductsCard(page: Page, refresh: Callback<()>) -> impl IntoView {
    let lang = use_lang();
    let id = page.profile.account_id;
    let editing = RwSignal::new(None::<i64>);
    let families = page.families.clone();
    let ours = page.our_products.clone();
    view! {
        {if page.products.is_empty() {
            view! { <p class="muted">{t(M::NoCompetitorProducts)}</p> }.into_any()
        } else {
            view! {
                <div class="table-wrap">
                    <table class="table">
                        <thead>
                            <tr>
                                <th>{t(M::CompetitorProduct)}</th>
                                <th>{t(M::CounteredBy)}</th>
                                <th class="num">{t(M::OurListPrice)}</th>
                                <th class="num">{t(M::LatestObservedPrice)}</th>
                                <th>{t(M::PriceGap)}</th>
                                <th class="hide-sm">{t(M::QualityService)}</th>
                                <th class="hide-sm">{t(M::PriceTrend)}</th>
                                <th><span class="sr-only">{t(M::Actions)}</span></th>
                            </tr>
                        </thead>
                        <tbody>
                            {page.products.iter().map(|cp| {
                                let last = cp.prices.last().cloned();
                                let ours_first = cp.counters.first().cloned();
                                let series = vec![Series {
                                    name: cp.name.clone(),
                                    points: cp.prices.iter().map(|p| (p.on.clone(), p.price_minor, format_money(lang, p.price_minor, p.currency.code()))).collect(),
                                }];
                                let reference = ours_first.as_ref().map(|o| (o.list_price_minor, lang.t(M::OurListPrice).to_string()));
                                let cp_id = cp.id;
                                let (product, fams, our) = (cp.clone(), families.clone(), ours.clone());
                                view! {
                                    <tr>
                                        <td>{cp.name.clone()}<div class="muted small">{cp.family.clone().unwrap_or_default()}</div></td>
                                        <td>{cp.counters.iter().map(|c| c.name.clone()).collect::<Vec<_>>().join(", ")}</td>
                                        <td class="num">{ours_first.as_ref().map(|o| format_money(lang, o.list_price_minor, o.currency.code())).unwrap_or_else(|| "—".into())}</td>
                                        <td class="num">{last.as_ref().map(|p| format_money(lang, p.price_minor, p.currency.code())).unwrap_or_else(|| "—".into())}
                                            {last.as_ref().map(|p| view! { <div class="muted small">{format_date(lang, &p.on)}{p.rebate_bp.map(|r| format!(" · {} {}", lang.t(M::Rebate), format_bp(r)))}</div> })}
                                        </td>
                                        <td>{price_gap(lang, cp)}</td>
                                        <td class="hide-sm">{format!("{} / {}", cp.quality.map(|q| q.to_string()).unwrap_or("–".into()), cp.service.map(|q| q.to_string()).unwrap_or("–".into()))}</td>
                                        <td class="hide-sm spark">{(cp.prices.len() > 1).then(|| view! { <LineChart title="" series=series reference=reference.unwrap_or((0, String::new())) width=220 height=70/> })}</td>
                                        <td><button class="btn btn-ghost btn-small" aria-label=format!("{} {}", lang.t(M::Edit), cp.name) on:click=move |_| editing.set(Some(cp_id))>{t(M::Edit)}</button></td>
                                    </tr>
                                    <Show when=move || editing.get() == Some(cp_id)>
                                        <tr>
                                            <td colspan="8">
                                                <CompetitorProductForm competitor_id=id product=Some(product.clone()) families=fams.clone() our_products=our.clone()
                                                    on_saved=Callback::new(move |_| { editing.set(None); refresh.run(()); })/>
                                            </td>
                                        </tr>
                                    </Show>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }
            .into_any()
        }}
        <details class="add-details">
            <summary>{t(M::AddCompetitorProduct)}</summary>
            <CompetitorProductForm competitor_id=id product=None families=families.clone() our_products=ours.clone() on_saved=refresh/>
        </details>
    }
}

/// Adds a competitor's product (`product` None) or changes one: name, family, ratings, which of our
/// products counter it.
#[component]
fn CompetitorProductForm(
    competitor_id: i64,
    product: Option<CompetitorProduct>,
    families: Vec<String>,
    our_products: Vec<crate::domain::Choice>,
    on_saved: Callback<()>,
) -> impl IntoView {
    let lang = use_lang();
    let toasts = use_toasts();
    let action = ServerAction::<SaveCompetitorProduct>::new();
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    Effect::new(move || {
        if let Some(Ok(_)) = action.value().get() {
            toasts.push(lang.t(M::Saved), false);
            on_saved.run(());
        }
    });
    let form: &'static str = if product.is_some() { "cpe-" } else { "cp-" };
    let ratings: Vec<(String, String)> = (1..=5).map(|n| (n.to_string(), format!("{n} / 5"))).collect();
    let families: Vec<(String, String)> = families.iter().map(|f| (f.clone(), f.clone())).collect();
    let p = product.clone();
    let chosen: Vec<i64> = p.as_ref().map(|p| p.counters.iter().map(|c| c.product_id).collect()).unwrap_or_default();
    let rating = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
    const FIELDS: &[&str] = &["name", "family", "quality", "service", "notes", "counters"];
    view! {
        <ActionForm action=action attr:class="form-grid" attr:novalidate=true>
            <ErrorBanner error=error fields=FIELDS/>
            <input type="hidden" name="input[competitor_id]" value=competitor_id.to_string()/>
            <input type="hidden" name="input[id]" value=p.as_ref().map(|p| p.id.to_string()).unwrap_or_default()/>
            <input type="hidden" name="input[version]" value=p.as_ref().map(|p| p.version.to_string()).unwrap_or_default()/>
            <TextField label=M::Name key="name" value=p.as_ref().map(|p| p.name.clone()).unwrap_or_default() error=error required=true form=form/>
            <SelectField label=M::Family key="family" options=families selected=p.as_ref().and_then(|p| p.family.clone()).unwrap_or_default() empty=M::NoneChoice error=error form=form/>
            <SelectField label=M::Quality key="quality" options=ratings.clone() selected=rating(p.as_ref().and_then(|p| p.quality)) empty=M::NotRated error=error form=form/>
            <SelectField label=M::Service key="service" options=ratings selected=rating(p.as_ref().and_then(|p| p.service)) empty=M::NotRated error=error form=form/>
            <div class="field field-wide">
                <label for=format!("f-{form}counters")>{t(M::CounteredBy)}</label>
                <select id=format!("f-{form}counters") name="input[counters][]" multiple=true size="5">
                    {our_products.iter().map(|o| view! { <option value=o.id.to_string() selected=chosen.contains(&o.id)>{o.label.clone()}</option> }).collect_view()}
                </select>
            </div>
            <TextArea label=M::Note key="notes" value=p.as_ref().and_then(|p| p.notes.clone()).unwrap_or_default() error=error/>
            <div class="form-actions">
                <button type="submit" class="btn" disabled=move || action.pending().get()>{t(if product.is_some() { M::Save } else { M::Add })}</button>
            </div>
        </ActionForm>
    }
}
