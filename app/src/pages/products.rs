//! The product catalog, price lists and discount rules. Everyone reads them; managers and admins
//! maintain them and alone see unit costs.

use crate::api::products::{
    get_catalog, get_price_list, get_pricing, get_product, remove_price, SaveDiscount, SavePriceList, SaveProduct, SetPrice,
};
use crate::components::context::{t, use_lang};
use crate::components::deal::ProductPicker;
use crate::components::fields::{SelectField, TextField};
use crate::components::history::{history_resource, HistoryPanel, RecordTabs};
use crate::components::toast::use_toasts;
use crate::components::{ErrorBanner, Loading, RecordError};
use crate::domain::catalog::{bp_to_input, quantity_to_input, DiscountRule, PriceList, Product, ProductQuery};
use crate::domain::competition::format_bp;
use crate::domain::imports::ImportEntity;
use crate::domain::money::{minor_to_input, Currency};
use crate::domain::{Category, Choice};
use crate::i18n::labels::error_text;
use crate::i18n::{format_date, format_money, M};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Form, A};
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

fn currencies() -> Vec<(String, String)> {
    Currency::ALL.iter().map(|c| (c.code().to_string(), c.code().to_string())).collect()
}

fn active_options(lang: crate::i18n::Lang) -> Vec<(String, String)> {
    vec![("true".into(), lang.t(M::Active).into()), ("false".into(), lang.t(M::Inactive).into())]
}

fn categories() -> Vec<(String, String)> {
    Category::ALL.iter().map(|c| (c.code().to_string(), c.code().to_string())).collect()
}

fn validity(lang: crate::i18n::Lang, from: &str, to: &Option<String>) -> String {
    match to {
        Some(t) => format!("{} – {}", format_date(lang, from), format_date(lang, t)),
        None => format!("{} {}", lang.t(M::FromDate), format_date(lang, from)),
    }
}

#[component]
pub fn ProductsPage() -> impl IntoView {
    let lang = use_lang();
    let qm = use_query_map();
    let query = Memo::new(move |_| {
        qm.with(|m| ProductQuery {
            q: m.get("q").unwrap_or_default(),
            family: m.get("family").unwrap_or_default(),
            show: m.get("show").unwrap_or_default(),
            cursor: m.get("cursor").unwrap_or_default(),
        })
    });
    let page = Resource::new(move || query.get(), get_catalog);
    view! {
        <Title text=t(M::Products)/>
        <Transition fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                let q = query.get();
                match page.await {
                    Err(e) => view! { <p class="banner banner-error">{error_text(lang, &e)}</p> }.into_any(),
                    Ok(c) => {
                        let next = c.next_cursor.clone().map(|cur| {
                            format!("/products?q={}&family={}&show={}&cursor={}", crate::domain::text::urlencode(&q.q), crate::domain::text::urlencode(&q.family), q.show, crate::domain::text::urlencode(&cur))
                        });
                        view! {
                            <div class="page-head">
                                <h1>{t(M::Products)}</h1>
                                <div class="head-actions">
                                    <A href="/price-lists" attr:class="btn">{t(M::PriceListsAndDiscounts)}</A>
                                    <crate::components::list::ImportLink entity=ImportEntity::Product/>
                                    {c.can_edit.then(|| view! { <A href="/products/new" attr:class="btn btn-primary">{t(M::NewProduct)}</A> })}
                                </div>
                            </div>
                            <Form method="GET" action="/products" attr:class="filters" attr:role="search">
                                <input type="search" name="q" value=q.q.clone() placeholder=lang.t(M::SearchProduct) aria-label=lang.t(M::Search)/>
                                <select name="family" aria-label=lang.t(M::Family)>
                                    <option value="">{lang.t(M::AllFamilies)}</option>
                                    {c.families.iter().map(|f| view! { <option value=f.clone() selected=*f == q.family>{f.clone()}</option> }).collect_view()}
                                </select>
                                <label class="inline"><input type="checkbox" name="show" value="all" checked=q.show == "all"/>{lang.t(M::ShowInactive)}</label>
                                <button type="submit" class="btn">{lang.t(M::Filter)}</button>
                            </Form>
                            {if c.products.is_empty() {
                                view! { <p class="empty">{t(M::NoResults)}</p> }.into_any()
                            } else {
                                view! {
                                    <div class="table-wrap">
                                        <table class="table">
                                            <thead>
                                                <tr>
                                                    <th>{t(M::Code)}</th>
                                                    <th>{t(M::Name)}</th>
                                                    <th>{t(M::Family)}</th>
                                                    <th class="hide-sm">{t(M::Unit)}</th>
                                                    <th class="num">{t(M::ListPrice)}</th>
                                                    {c.sees_cost.then(|| view! { <th class="num">{t(M::UnitCost)}</th> })}
                                                </tr>
                                            </thead>
                                            <tbody>
                                                {c.products.clone().into_iter().map(|p| view! {
                                                    <tr class:inactive=!p.active>
                                                        <td>{p.code.clone()}</td>
                                                        <td><A href=format!("/products/{}", p.id)>{p.name.clone()}</A>{(!p.active).then(|| view! { " " <span class="badge">{t(M::Inactive)}</span> })}</td>
                                                        <td>{p.family.clone()}</td>
                                                        <td class="hide-sm">{p.unit.clone()}</td>
                                                        <td class="num">{format_money(lang, p.list_price_minor, p.currency.code())}</td>
                                                        {c.sees_cost.then(|| view! { <td class="num">{p.unit_cost_minor.map(|v| format_money(lang, v, p.currency.code())).unwrap_or_else(|| "—".into())}</td> })}
                                                    </tr>
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                    </div>
                                    {next.map(|href| view! { <p><a class="btn btn-ghost" href=href>{t(M::LoadMore)}</a></p> })}
                                }
                                .into_any()
                            }}
                        }
                        .into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn ProductForm(product: Option<Product>, sees_cost: bool, #[prop(into)] on_saved: Callback<i64>) -> impl IntoView {
    let lang = use_lang();
    let action = ServerAction::<SaveProduct>::new();
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    Effect::new(move || {
        if let Some(Ok(id)) = action.value().get() {
            on_saved.run(id);
        }
    });
    let is_new = product.is_none();
    let p = product.unwrap_or(Product {
        id: 0,
        code: String::new(),
        name: String::new(),
        family: String::new(),
        unit: lang.t(M::UnitPiece).to_string(),
        list_price_minor: 0,
        currency: Currency::RSD,
        unit_cost_minor: None,
        active: true,
        version: 0,
    });
    const FIELDS: &[&str] = &["code", "name", "family", "unit", "list_price", "currency", "unit_cost"];
    view! {
        <ActionForm action=action attr:class="form-grid" attr:novalidate=true>
            <ErrorBanner error=error fields=FIELDS/>
            <input type="hidden" name="input[id]" value=if is_new { String::new() } else { p.id.to_string() }/>
            <input type="hidden" name="input[version]" value=p.version.to_string()/>
            <TextField label=M::Code key="code" value=p.code.clone() error=error required=true/>
            <TextField label=M::Name key="name" value=p.name.clone() error=error required=true/>
            <TextField label=M::Family key="family" value=p.family.clone() error=error required=true/>
            <TextField label=M::Unit key="unit" value=p.unit.clone() error=error required=true/>
            <TextField label=M::ListPrice key="list_price" value=if is_new { String::new() } else { minor_to_input(p.list_price_minor) } error=error required=true/>
            <SelectField label=M::Currency key="currency" options=currencies() selected=p.currency.code() error=error/>
            {sees_cost.then(|| view! {
                <TextField label=M::UnitCost key="unit_cost" value=p.unit_cost_minor.map(minor_to_input).unwrap_or_default() error=error hint=M::CostHint/>
            })}
            <SelectField label=M::Status key="active" options=active_options(lang) selected=p.active.to_string() error=error form="act-"/>
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" disabled=move || action.pending().get()>{move || if action.pending().get() { t(M::Saving) } else { t(M::Save) }}</button>
            </div>
        </ActionForm>
    }
}

#[component]
pub fn NewProductPage() -> impl IntoView {
    let navigate = use_navigate();
    let me = crate::components::context::session_user();
    let sees_cost = me.map(|u| matches!(u.role, crate::domain::Role::Admin | crate::domain::Role::Manager)).unwrap_or(false);
    let on_saved = Callback::new(move |id: i64| navigate(&format!("/products/{id}"), Default::default()));
    view! {
        <Title text=t(M::NewProduct)/>
        <div class="page-head"><h1>{t(M::NewProduct)}</h1></div>
        {if sees_cost {
            view! { <div class="card"><ProductForm product=None sees_cost=sees_cost on_saved=on_saved/></div> }.into_any()
        } else {
            // Only managers and administrators add products (the server refuses anyone else too).
            view! { <p class="muted">{t(M::CatalogReadOnly)}</p> }.into_any()
        }}
    }
}

#[component]
pub fn ProductPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let query = use_query_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|s| s.parse::<i64>().ok()).unwrap_or(0)));
    let on_history = Memo::new(move |_| query.with(|q| q.get("tab").unwrap_or_default()) == "history");
    let history_rows = history_resource("product", id, on_history);
    let reload = RwSignal::new(0u32);
    let product = Resource::new(move || (id.get(), reload.get()), |(id, _)| get_product(id));
    let toasts = use_toasts();
    let me = crate::components::context::session_user();
    let can_edit = me.map(|u| matches!(u.role, crate::domain::Role::Admin | crate::domain::Role::Manager)).unwrap_or(false);
    let on_saved = Callback::new(move |_| {
        toasts.push(lang.t(M::Saved), false);
        reload.update(|n| *n += 1);
    });
    view! {
        <Transition fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                let history_rows = history_rows.await;
                match product.await {
                    Err(e) => view! { <RecordError error=e/> }.into_any(),
                    Ok(p) => {
                        let history = on_history.get();
                        let id = p.id;
                        view! {
                            <Title text=p.name.clone()/>
                            <div class="page-head">
                                <div>
                                    <p class="crumbs"><A href="/products">{t(M::Products)}</A></p>
                                    <h1>{p.name.clone()}</h1>
                                    <p class="summary">{p.code.clone()} " · " {p.family.clone()} " · " {format_money(lang, p.list_price_minor, p.currency.code())} " / " {p.unit.clone()}</p>
                                </div>
                            </div>
                            <RecordTabs base=format!("/products/{id}") history=history/>
                            {if history {
                                view! { <HistoryPanel rows=history_rows/> }.into_any()
                            } else if can_edit {
                                view! { <div class="card"><ProductForm product=Some(p.clone()) sees_cost=can_edit on_saved=on_saved/></div> }.into_any()
                            } else {
                                view! { <p class="muted">{t(M::CatalogReadOnly)}</p> }.into_any()
                            }}
                        }
                        .into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
pub fn PricingPage() -> impl IntoView {
    let lang = use_lang();
    let reload = RwSignal::new(0u32);
    let data = Resource::new(move || reload.get(), |_| get_pricing());
    let refresh = Callback::new(move |_: ()| reload.update(|n| *n += 1));
    view! {
        <Title text=t(M::PriceListsAndDiscounts)/>
        <div class="page-head">
            <div><p class="crumbs"><A href="/products">{t(M::Products)}</A></p><h1>{t(M::PriceListsAndDiscounts)}</h1></div>
        </div>
        <Transition fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <p class="banner banner-error">{error_text(lang, &e)}</p> }.into_any(),
                    Ok(p) => view! {
                        <section class="card">
                            <h2>{t(M::PriceLists)}</h2>
                            <p class="muted">{t(M::PriceListHint)}</p>
                            <PriceListTable lists=p.price_lists.clone()/>
                            {p.can_edit.then(|| view! { <details class="add-details"><summary>{t(M::NewPriceList)}</summary><PriceListForm list=None on_saved=refresh/></details> })}
                        </section>
                        <section class="card">
                            <h2>{t(M::DiscountRules)}</h2>
                            <p class="muted">{t(M::DiscountHint)}</p>
                            <DiscountTable rules=p.discounts.clone() families=p.families.clone() can_edit=p.can_edit refresh=refresh/>
                            {p.can_edit.then(|| view! { <details class="add-details"><summary>{t(M::NewDiscount)}</summary><DiscountForm rule=None families=p.families.clone() on_saved=refresh/></details> })}
                        </section>
                    }
                    .into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn PriceListTable(lists: Vec<PriceList>) -> impl IntoView {
    let lang = use_lang();
    if lists.is_empty() {
        return view! { <p class="empty">{t(M::NoResults)}</p> }.into_any();
    }
    view! {
        <table class="table">
            <thead><tr><th>{t(M::Name)}</th><th>{t(M::Currency)}</th><th>{t(M::Category)}</th><th>{t(M::Validity)}</th><th class="num">{t(M::Prices)}</th></tr></thead>
            <tbody>
                {lists.into_iter().map(|l| view! {
                    <tr class:inactive=!l.active>
                        <td><A href=format!("/price-lists/{}", l.id)>{l.name.clone()}</A>{(!l.active).then(|| view! { " " <span class="badge">{t(M::Inactive)}</span> })}</td>
                        <td>{l.currency.code()}</td>
                        <td>{l.category.map(|c| c.code().to_string()).unwrap_or_else(|| lang.t(M::AllCustomers).to_string())}</td>
                        <td>{validity(lang, &l.valid_from, &l.valid_to)}</td>
                        <td class="num">{l.items}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn PriceListForm(list: Option<PriceList>, on_saved: Callback<()>) -> impl IntoView {
    let lang = use_lang();
    let toasts = use_toasts();
    let action = ServerAction::<SavePriceList>::new();
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    let navigate = use_navigate();
    let is_new = list.is_none();
    Effect::new(move || {
        if let Some(Ok(id)) = action.value().get() {
            toasts.push(lang.t(M::Saved), false);
            if is_new {
                navigate(&format!("/price-lists/{id}"), Default::default());
            } else {
                on_saved.run(());
            }
        }
    });
    let l = list.unwrap_or(PriceList {
        id: 0,
        name: String::new(),
        currency: Currency::RSD,
        category: None,
        valid_from: String::new(),
        valid_to: None,
        active: true,
        items: 0,
        version: 0,
    });
    const FIELDS: &[&str] = &["name", "currency", "category", "valid_from", "valid_to"];
    view! {
        <ActionForm action=action attr:class="form-grid" attr:novalidate=true>
            <ErrorBanner error=error fields=FIELDS/>
            <input type="hidden" name="input[id]" value=if is_new { String::new() } else { l.id.to_string() }/>
            <input type="hidden" name="input[version]" value=l.version.to_string()/>
            <TextField label=M::Name key="name" value=l.name.clone() error=error required=true form="pl-"/>
            <SelectField label=M::Currency key="currency" options=currencies() selected=l.currency.code() error=error form="pl-"/>
            <SelectField label=M::Category key="category" options=categories() selected=l.category.map(|c| c.code()).unwrap_or("") empty=M::AllCustomers error=error form="pl-"/>
            <TextField label=M::ValidFrom key="valid_from" value=l.valid_from.clone() kind="date" error=error required=true form="pl-"/>
            <TextField label=M::ValidTo key="valid_to" value=l.valid_to.clone().unwrap_or_default() kind="date" error=error form="pl-"/>
            <SelectField label=M::Status key="active" options=active_options(lang) selected=l.active.to_string() error=error form="act-"/>
            <div class="form-actions"><button type="submit" class="btn btn-primary" disabled=move || action.pending().get()>{t(M::Save)}</button></div>
        </ActionForm>
    }
}

#[component]
fn DiscountTable(rules: Vec<DiscountRule>, families: Vec<String>, can_edit: bool, refresh: Callback<()>) -> impl IntoView {
    let lang = use_lang();
    let editing = RwSignal::new(None::<i64>);
    if rules.is_empty() {
        return view! { <p class="empty">{t(M::NoResults)}</p> }.into_any();
    }
    view! {
        <table class="table">
            <thead><tr><th>{t(M::Name)}</th><th>{t(M::AppliesTo)}</th><th>{t(M::Discount)}</th><th class="hide-sm">{t(M::Validity)}</th><th></th></tr></thead>
            <tbody>
                {rules.into_iter().map(|r| {
                    let rid = r.id;
                    let target = match (&r.product_name, &r.family) {
                        (Some(p), _) => p.clone(),
                        (None, Some(f)) => format!("{}: {f}", lang.t(M::Family)),
                        _ => "—".into(),
                    };
                    let extra = [r.category.map(|c| format!("{} {}", lang.t(M::Category), c.code())), (r.min_quantity_milli > 0).then(|| format!("≥ {}", quantity_to_input(r.min_quantity_milli)))]
                        .into_iter().flatten().collect::<Vec<_>>().join(" · ");
                    let amount = match (r.percent_bp, r.amount_minor) {
                        (Some(bp), _) => format_bp(bp),
                        (None, Some(a)) => format!("−{} / {}", format_money(lang, a, r.currency.map(|c| c.code()).unwrap_or("RSD")), lang.t(M::UnitShort)),
                        _ => "—".into(),
                    };
                    let rule = r.clone();
                    let fams = families.clone();
                    view! {
                        <tr class:inactive=!r.active>
                            <td>{r.name.clone()}{(!r.active).then(|| view! { " " <span class="badge">{t(M::Inactive)}</span> })}</td>
                            <td>{target}<div class="muted small">{extra}</div></td>
                            <td>{amount}</td>
                            <td class="hide-sm">{validity(lang, &r.valid_from, &r.valid_to)}</td>
                            <td>{can_edit.then(|| view! { <button class="btn btn-ghost btn-small" on:click=move |_| editing.set(Some(rid))>{t(M::Edit)}</button> })}</td>
                        </tr>
                        <Show when=move || editing.get() == Some(rid)>
                            <tr><td colspan="5"><DiscountForm rule=Some(rule.clone()) families=fams.clone() on_saved=Callback::new(move |_| { editing.set(None); refresh.run(()); })/></td></tr>
                        </Show>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn DiscountForm(rule: Option<DiscountRule>, families: Vec<String>, on_saved: Callback<()>) -> impl IntoView {
    let lang = use_lang();
    let toasts = use_toasts();
    let action = ServerAction::<SaveDiscount>::new();
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    Effect::new(move || {
        if let Some(Ok(_)) = action.value().get() {
            toasts.push(lang.t(M::Saved), false);
            on_saved.run(());
        }
    });
    let is_new = rule.is_none();
    let form = if is_new { "dn-" } else { "de-" };
    let r = rule.unwrap_or(DiscountRule {
        id: 0,
        name: String::new(),
        product_id: None,
        product_name: None,
        family: None,
        category: None,
        min_quantity_milli: 0,
        percent_bp: None,
        amount_minor: None,
        currency: None,
        valid_from: String::new(),
        valid_to: None,
        active: true,
        version: 0,
    });
    let picked = RwSignal::new(r.product_id.map(|id| Choice { id, label: r.product_name.clone().unwrap_or_default() }));
    let fams: Vec<(String, String)> = families.iter().map(|f| (f.clone(), f.clone())).collect();
    let by_family = RwSignal::new(r.family.is_some() || is_new);
    const FIELDS: &[&str] =
        &["name", "product_id", "family", "category", "min_quantity", "percent", "amount", "currency", "valid_from", "valid_to"];
    view! {
        <ActionForm action=action attr:class="form-grid" attr:novalidate=true>
            <ErrorBanner error=error fields=FIELDS/>
            <input type="hidden" name="input[id]" value=if is_new { String::new() } else { r.id.to_string() }/>
            <input type="hidden" name="input[version]" value=r.version.to_string()/>
            <TextField label=M::Name key="name" value=r.name.clone() error=error required=true form=form/>
            <fieldset class="field field-wide segmented-field">
                <legend>{lang.t(M::AppliesTo)}</legend>
                <label class="inline"><input type="radio" name=format!("{form}scope") checked=by_family.get_untracked() on:change=move |_| by_family.set(true)/>{lang.t(M::Family)}</label>
                <label class="inline"><input type="radio" name=format!("{form}scope") checked=!by_family.get_untracked() on:change=move |_| by_family.set(false)/>{lang.t(M::Product)}</label>
            </fieldset>
            <Show when=move || by_family.get() fallback=move || view! { <ProductPicker error=error selected=picked form=form/> }>
                <SelectField label=M::Family key="family" options=fams.clone() selected=r.family.clone().unwrap_or_default() empty=M::ChooseOne error=error form=form/>
            </Show>
            <SelectField label=M::Category key="category" options=categories() selected=r.category.map(|c| c.code()).unwrap_or("") empty=M::AllCustomers error=error form=form/>
            <TextField label=M::MinQuantity key="min_quantity" value={ if r.min_quantity_milli > 0 { quantity_to_input(r.min_quantity_milli) } else { String::new() } } error=error form=form/>
            <TextField label=M::DiscountPercent key="percent" value=r.percent_bp.map(bp_to_input).unwrap_or_default() error=error form=form/>
            <TextField label=M::DiscountAmountPerUnit key="amount" value=r.amount_minor.map(minor_to_input).unwrap_or_default() error=error form=form/>
            <SelectField label=M::Currency key="currency" options=currencies() selected=r.currency.map(|c| c.code()).unwrap_or("RSD") error=error form=form/>
            <TextField label=M::ValidFrom key="valid_from" value=r.valid_from.clone() kind="date" error=error required=true form=form/>
            <TextField label=M::ValidTo key="valid_to" value=r.valid_to.clone().unwrap_or_default() kind="date" error=error form=form/>
            <SelectField label=M::Status key="active" options=active_options(lang) selected=r.active.to_string() error=error form="act-"/>
            <div class="form-actions"><button type="submit" class="btn btn-primary" disabled=move || action.pending().get()>{t(M::Save)}</button></div>
        </ActionForm>
    }
}

#[component]
pub fn PriceListPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|s| s.parse::<i64>().ok()).unwrap_or(0)));
    let reload = RwSignal::new(0u32);
    let data = Resource::new(move || (id.get(), reload.get()), |(id, _)| get_price_list(id));
    let refresh = Callback::new(move |_: ()| reload.update(|n| *n += 1));
    let toasts = use_toasts();
    let action = ServerAction::<SetPrice>::new();
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    Effect::new(move || {
        if let Some(Ok(())) = action.value().get() {
            toasts.push(lang.t(M::Saved), false);
            reload.update(|n| *n += 1);
        }
    });
    view! {
        <Transition fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <RecordError error=e/> }.into_any(),
                    Ok(p) => {
                        let l = p.list.clone();
                        let lid = l.id;
                        let remove = move |product: i64| {
                            leptos::task::spawn_local(async move {
                                match remove_price(lid, product).await {
                                    Ok(()) => refresh.run(()),
                                    Err(e) => toasts.push(error_text(lang, &e), true),
                                }
                            });
                        };
                        let picked = RwSignal::new(None::<Choice>);
                        view! {
                            <Title text=l.name.clone()/>
                            <div class="page-head">
                                <div>
                                    <p class="crumbs"><A href="/products">{t(M::Products)}</A> " · " <A href="/price-lists">{t(M::PriceListsAndDiscounts)}</A></p>
                                    <h1>{l.name.clone()}</h1>
                                    <p class="summary">{l.currency.code()} " · " {l.category.map(|c| format!("{} {}", lang.t(M::Category), c.code())).unwrap_or_else(|| lang.t(M::AllCustomers).to_string())} " · " {validity(lang, &l.valid_from, &l.valid_to)}</p>
                                </div>
                            </div>
                            <section class="card">
                                <h2>{t(M::Prices)}</h2>
                                {if p.items.is_empty() { view! { <p class="muted">{t(M::NoPricesYet)}</p> }.into_any() } else {
                                    view! {
                                        <table class="table">
                                            <thead><tr><th>{t(M::Code)}</th><th>{t(M::Name)}</th><th class="num">{t(M::Price)}</th><th class="num hide-sm">{t(M::ListPrice)}</th><th></th></tr></thead>
                                            <tbody>
                                                {p.items.clone().into_iter().map(|i| {
                                                    let pid = i.product_id;
                                                    view! {
                                                        <tr>
                                                            <td>{i.code.clone()}</td>
                                                            <td><A href=format!("/products/{pid}")>{i.name.clone()}</A></td>
                                                            <td class="num">{format_money(lang, i.price_minor, l.currency.code())}</td>
                                                            <td class="num hide-sm">{format_money(lang, i.list_price_minor, i.product_currency.code())}</td>
                                                            <td>{p.can_edit.then(|| view! { <button class="btn btn-ghost btn-small" on:click=move |_| remove(pid)>{t(M::Remove)}</button> })}</td>
                                                        </tr>
                                                    }
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                    }.into_any()
                                }}
                                {p.can_edit.then(|| view! {
                                    <ActionForm action=action attr:class="form-grid" attr:novalidate=true>
                                        <ErrorBanner error=error fields=&["product_id", "price"]/>
                                        <input type="hidden" name="input[price_list_id]" value=lid.to_string()/>
                                        <ProductPicker error=error selected=picked form="pli-"/>
                                        <TextField label=M::Price key="price" value="" error=error required=true form="pli-"/>
                                        <div class="form-actions"><button type="submit" class="btn btn-primary" disabled=move || action.pending().get()>{t(M::SetPrice)}</button></div>
                                    </ActionForm>
                                })}
                            </section>
                            {p.can_edit.then(|| view! { <section class="card"><h2>{t(M::Edit)}</h2><PriceListForm list=Some(l.clone()) on_saved=refresh/></section> })}
                        }
                        .into_any()
                    }
                }
            })}
        </Transition>
    }
}
