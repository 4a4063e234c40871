//! `/find`: advanced find. A builder of nested AND / OR groups of conditions on a record kind's fields
//! and on related records; the results as a paged table with chosen columns and sort; saved views.
//! The query lives in the URL (`?query=…`, or `?view=ID` for a saved view), so results render on the
//! server and read without JavaScript; the builder edits a copy and "Find" puts it in the URL.

use crate::api::accounts::get_lookups;
use crate::api::find::{delete_view, get_view, list_views, run_find, SaveView};
use crate::components::context::{confirm, t, use_lang};
use crate::components::toast::use_toasts;
use crate::components::Loading;
use crate::domain::find::fields::{self, FieldType, Table};
use crate::domain::find::{
    Arity, Cond, Entity, FindQuery, FindResult, Group, Node, Op, Quantifier, Related, SavedView, Sharing, ViewInput, ME, MY_TEAM,
};
use crate::domain::text::urlencode;
use crate::domain::Lookups;
use crate::error::AppError;
use crate::i18n::find::{cell_text, choice_options, op_label};
use crate::i18n::labels::error_text;
use crate::i18n::{format_int, Lang, M};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Form, A};
use leptos_router::hooks::{use_navigate, use_query_map};

/// The address of a query's results (`view`: the saved view it came from, kept for "save changes").
pub fn find_href(q: &FindQuery, view: Option<i64>, cursor: &str) -> String {
    let mut href = format!("/find?query={}", urlencode(&q.to_param()));
    if let Some(v) = view {
        href.push_str(&format!("&view={v}"));
    }
    if !cursor.is_empty() {
        href.push_str(&format!("&cursor={}", urlencode(cursor)));
    }
    href
}

fn entity_label(e: Entity) -> M {
    e.table().label()
}

fn sharing_label(s: Sharing) -> M {
    match s {
        Sharing::Private => M::FindSharePrivate,
        Sharing::Team => M::FindShareTeam,
        Sharing::Everyone => M::FindShareEveryone,
    }
}

#[derive(Clone, Debug, PartialEq)]
struct FindUrl {
    entity: String,
    query: String,
    view: Option<i64>,
    cursor: String,
}

/// What the page shows: the query in force, the saved view it came from, its results.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
struct Shown {
    query: FindQuery,
    view: Option<SavedView>,
    result: FindResult,
}

async fn load(u: FindUrl) -> Result<Shown, AppError> {
    let view = match u.view {
        Some(id) => Some(get_view(id).await?),
        None => None,
    };
    let query = if !u.query.is_empty() {
        FindQuery::from_param(&u.query)?
    } else if let Some(v) = &view {
        v.query.clone()
    } else {
        FindQuery::new(Entity::parse(&u.entity).unwrap_or_default())
    };
    let result = run_find(query.to_param(), u.cursor).await?;
    Ok(Shown { query, view, result })
}

#[component]
pub fn FindPage() -> impl IntoView {
    let lang = use_lang();
    let qm = use_query_map();
    let url = Memo::new(move |_| {
        qm.with(|m| FindUrl {
            entity: m.get("entity").unwrap_or_default(),
            query: m.get("query").unwrap_or_default(),
            view: m.get("view").and_then(|v| v.parse().ok()),
            cursor: m.get("cursor").unwrap_or_default(),
        })
    });
    let saved = RwSignal::new(0u32);
    let shown = Resource::new(move || url.get(), load);
    let lookups = Resource::new(|| (), |_| get_lookups());
    let views = Resource::new(move || saved.get(), |_| list_views(String::new()));
    view! {
        <Title text=t(M::FindTitle)/>
        <div class="page-head">
            <h1>{t(M::FindTitle)}</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let vs = views.await.unwrap_or_default();
                    let current = url.get().view;
                    view! { <ViewChooser views=vs current=current/> }
                })}
            </Suspense>
        </div>
        <p class="muted">{t(M::FindIntro)}</p>
        <Transition fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                let lk = lookups.await.unwrap_or_default();
                match shown.await {
                    Err(e) => view! { <p class="banner banner-error" role="alert">{error_text(lang, &e)}</p> }.into_any(),
                    Ok(s) => {
                        let view_id = s.view.as_ref().map(|v| v.id);
                        view! {
                            <Builder initial=s.query.clone() lk=lk.clone() view=s.view.clone() on_saved=Callback::new(move |_| saved.update(|n| *n += 1))/>
                            <Results shown=s lk=lk view_id=view_id cursor=url.get_untracked().cursor/>
                        }
                        .into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// The saved views the user may run, as a GET form: works without JavaScript.
#[component]
fn ViewChooser(views: Vec<SavedView>, current: Option<i64>) -> impl IntoView {
    let lang = use_lang();
    (!views.is_empty()).then(|| {
        view! {
            <Form method="GET" action="/find" attr:class="filters view-chooser">
                <select name="view" aria-label=lang.t(M::FindViews)>
                    <option value="">{lang.t(M::FindChooseView)}</option>
                    {Entity::ALL
                        .iter()
                        .map(|e| {
                            let of_kind: Vec<&SavedView> = views.iter().filter(|v| v.entity == *e).collect();
                            (!of_kind.is_empty()).then(|| {
                                view! {
                                    <optgroup label=lang.t(entity_label(*e))>
                                        {of_kind
                                            .into_iter()
                                            .map(|v| view! { <option value=v.id.to_string() selected=current == Some(v.id)>{v.name.clone()}</option> })
                                            .collect_view()}
                                    </optgroup>
                                }
                            })
                        })
                        .collect_view()}
                </select>
                <button type="submit" class="btn">{lang.t(M::FindOpenView)}</button>
            </Form>
        }
    })
}

// ---------------------------------------------------------------------------------------------------
// The builder
// ---------------------------------------------------------------------------------------------------

/// The group at `path` (indexes of nested groups and related blocks from the root).
fn group_mut<'a>(g: &'a mut Group, path: &[usize]) -> Option<&'a mut Group> {
    let Some((first, rest)) = path.split_first() else { return Some(g) };
    match g.items.get_mut(*first)? {
        Node::Group(inner) => group_mut(inner, rest),
        Node::Related(r) => group_mut(&mut r.group, rest),
        Node::Cond(_) => None,
    }
}

/// A new condition on the first field of `table`.
fn new_cond(table: Table) -> Node {
    let f = &fields::fields(table)[0];
    Node::Cond(Cond { field: f.key.to_string(), op: f.ty.ops()[0], values: Vec::new() })
}

/// Changes the query and gives the focus back to the control that made the change (the builder is
/// drawn again after each change).
fn edit(st: RwSignal<FindQuery>, focus: String, f: impl FnOnce(&mut FindQuery)) {
    st.update(f);
    #[cfg(feature = "hydrate")]
    request_animation_frame(move || {
        use wasm_bindgen::JsCast;
        if let Some(el) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(&focus)) {
            if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
                let _ = el.focus();
            }
        }
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = focus;
}

fn path_id(path: &[usize]) -> String {
    path.iter().map(|i| i.to_string()).collect::<Vec<_>>().join("-")
}

#[component]
fn Builder(initial: FindQuery, lk: Lookups, view: Option<SavedView>, on_saved: Callback<()>) -> impl IntoView {
    let lang = use_lang();
    let toasts = use_toasts();
    let navigate = use_navigate();
    let st = RwSignal::new(initial.clone());
    let view_id = view.as_ref().map(|v| v.id);
    let lk = StoredValue::new(lk);
    let nav = navigate.clone();
    let run = move |_| nav(&find_href(&st.get_untracked(), view_id, ""), Default::default());
    let nav = navigate.clone();
    let reset = move |_| {
        let e = st.get_untracked().entity;
        nav(&format!("/find?entity={}", e.code()), Default::default());
    };
    let save = ServerAction::<SaveView>::new();
    let nav = navigate.clone();
    Effect::new(move || match save.value().get() {
        Some(Ok(id)) => {
            toasts.push(lang.t(M::FindViewSaved), false);
            on_saved.run(());
            nav(&format!("/find?view={id}"), Default::default());
        }
        Some(Err(e)) => toasts.push(error_text(lang, &e), true),
        None => {}
    });
    let name = RwSignal::new(String::new());
    let sharing = RwSignal::new(Sharing::Private.code().to_string());
    let changed = {
        let saved_query = view.as_ref().map(|v| v.query.clone());
        move || saved_query.as_ref().is_some_and(|sq| *sq != st.get())
    };
    let save_new = move |_| {
        save.dispatch(SaveView {
            input: ViewInput {
                name: name.get_untracked(),
                sharing: sharing.get_untracked(),
                query: st.get_untracked().to_param(),
                ..Default::default()
            },
        });
    };
    let view_for_update = view.clone();
    let save_changes = move |_| {
        if let Some(v) = &view_for_update {
            save.dispatch(SaveView {
                input: ViewInput {
                    id: v.id.to_string(),
                    version: v.version.to_string(),
                    name: v.name.clone(),
                    sharing: v.sharing.code().to_string(),
                    query: st.get_untracked().to_param(),
                },
            });
        }
    };
    let view_for_delete = view.clone();
    let nav = navigate.clone();
    let remove_view = move |_| {
        let Some(v) = view_for_delete.clone() else { return };
        if !confirm(lang.t(M::FindDeleteViewConfirm)) {
            return;
        }
        let nav = nav.clone();
        leptos::task::spawn_local(async move {
            match delete_view(v.id, v.version).await {
                Ok(()) => {
                    toasts.push(lang.t(M::FindViewDeleted), false);
                    on_saved.run(());
                    nav(&find_href(&v.query, None, ""), Default::default());
                }
                Err(e) => toasts.push(error_text(lang, &e), true),
            }
        });
    };
    view! {
        <section class="card find-builder" aria-label=lang.t(M::FindTitle)>
            {view.clone().map(|v| {
                view! {
                    <p class="find-view-name">
                        <strong>{lang.t(M::FindViewOf)}": "{v.name.clone()}</strong>
                        <span class="muted">" · "{lang.t(sharing_label(v.sharing))}" · "{lang.t(M::FindViewBy)}" "{v.owner_name.clone()}</span>
                        {move || changed().then(|| view! { <span class="badge">{lang.t(M::FindUnsaved)}</span> })}
                    </p>
                }
            })}
            <div class="find-row">
                <label for="find-entity">{lang.t(M::FindLookFor)}</label>
                <select
                    id="find-entity"
                    on:change=move |ev| {
                        if let Some(e) = Entity::parse(&event_target_value(&ev)) {
                            edit(st, "find-entity".into(), |q| *q = FindQuery::new(e));
                        }
                    }
                >
                    {Entity::ALL
                        .iter()
                        .map(|e| view! { <option value=e.code() selected=move || st.with(|q| q.entity == *e)>{lang.t(entity_label(*e))}</option> })
                        .collect_view()}
                </select>
            </div>
            {move || {
                let q = st.get();
                let table = q.entity.table();
                lk.with_value(|lk| group_view(st, lk, lang, table, &q.root, Vec::new()))
            }}
            <details class="find-columns">
                <summary>{lang.t(M::FindColumns)}" · "{lang.t(M::FindSortBy)}</summary>
                {move || {
                    let q = st.get();
                    let table = q.entity.table();
                    let shown: Vec<&str> = q.shown_columns().iter().map(|f| f.key).collect();
                    let sort_key = q.sort_field().key;
                    view! {
                        <fieldset class="check-group">
                            <legend>{lang.t(M::FindColumns)}</legend>
                            {fields::fields(table)
                                .iter()
                                .filter(|f| f.column)
                                .map(|f| {
                                    let key = f.key;
                                    let on = shown.contains(&key);
                                    let id = format!("col-{key}");
                                    view! {
                                        <label class="check">
                                            <input
                                                type="checkbox"
                                                id=id.clone()
                                                checked=on
                                                on:change=move |_| {
                                                    edit(st, id.clone(), |q| {
                                                        let mut cols: Vec<String> = q.shown_columns().iter().map(|f| f.key.to_string()).collect();
                                                        if on {
                                                            cols.retain(|c| c != key);
                                                        } else {
                                                            cols.push(key.to_string());
                                                        }
                                                        cols.truncate(crate::domain::find::MAX_COLUMNS);
                                                        q.columns = cols;
                                                    })
                                                }
                                            />
                                            {lang.t(f.label)}
                                        </label>
                                    }
                                })
                                .collect_view()}
                        </fieldset>
                        <div class="find-row">
                            <label for="find-sort">{lang.t(M::FindSortBy)}</label>
                            <select id="find-sort" on:change=move |ev| {
                                let v = event_target_value(&ev);
                                edit(st, "find-sort".into(), |q| q.sort = v);
                            }>
                                {fields::fields(table)
                                    .iter()
                                    .filter(|f| f.sortable())
                                    .map(|f| view! { <option value=f.key selected=f.key == sort_key>{lang.t(f.label)}</option> })
                                    .collect_view()}
                            </select>
                            <label class="check">
                                <input type="checkbox" id="find-desc" checked=q.desc on:change=move |_| edit(st, "find-desc".into(), |q| q.desc = !q.desc)/>
                                {lang.t(M::FindDescending)}
                            </label>
                        </div>
                    }
                }}
            </details>
            <div class="form-actions">
                <button type="button" class="btn btn-primary" id="find-run" on:click=run>{lang.t(M::FindRun)}</button>
                <button type="button" class="btn btn-ghost" on:click=reset>{lang.t(M::FindReset)}</button>
            </div>
            <div class="find-save">
                {view.as_ref().filter(|v| v.editable).map(|_| {
                    view! {
                        <button type="button" class="btn" id="view-save-changes" on:click=save_changes disabled=move || save.pending().get()>{lang.t(M::FindSaveView)}</button>
                        <button type="button" class="btn btn-danger" on:click=remove_view>{lang.t(M::FindDeleteView)}</button>
                    }
                })}
                <details>
                    <summary>{lang.t(M::FindSaveAsView)}</summary>
                    <div class="find-row">
                        <label for="view-name">{lang.t(M::FindViewName)}</label>
                        <input id="view-name" type="text" maxlength="120" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                        <label for="view-sharing">{lang.t(M::FindSharing)}</label>
                        <select id="view-sharing" on:change=move |ev| sharing.set(event_target_value(&ev))>
                            {Sharing::ALL.iter().map(|s| view! { <option value=s.code()>{lang.t(sharing_label(*s))}</option> }).collect_view()}
                        </select>
                        <button type="button" class="btn" id="view-save" on:click=save_new disabled=move || save.pending().get()>{lang.t(M::Save)}</button>
                    </div>
                </details>
            </div>
        </section>
    }
}

/// One group: its AND / OR choice, its items, and the buttons adding to it.
fn group_view(st: RwSignal<FindQuery>, lk: &Lookups, lang: Lang, table: Table, g: &Group, path: Vec<usize>) -> AnyView {
    let pid = path_id(&path);
    let any_id = format!("g{pid}-any");
    let p_any = path.clone();
    let p_cond = path.clone();
    let p_group = path.clone();
    let p_rel = path.clone();
    let add_id = format!("g{pid}-add");
    let group_id = format!("g{pid}-group");
    let rel_id = format!("g{pid}-rel");
    let items = g
        .items
        .iter()
        .enumerate()
        .map(|(i, node)| {
            let mut here = path.clone();
            here.push(i);
            let p_remove = path.clone();
            let remove_id = format!("g{pid}-add");
            let remove = move |_| {
                edit(st, remove_id.clone(), |q| {
                    if let Some(g) = group_mut(&mut q.root, &p_remove) {
                        if i < g.items.len() {
                            g.items.remove(i);
                        }
                    }
                })
            };
            let body = match node {
                Node::Cond(c) => cond_view(st, lk, lang, table, c, here),
                Node::Group(inner) => view! { <div class="find-group">{group_view(st, lk, lang, table, inner, here)}</div> }.into_any(),
                Node::Related(r) => related_view(st, lk, lang, table, r, here),
            };
            view! {
                <li class="find-item">
                    {body}
                    <button type="button" class="btn btn-ghost btn-small find-remove" on:click=remove aria-label=lang.t(M::FindRemove) title=lang.t(M::FindRemove)>"×"</button>
                </li>
            }
        })
        .collect_view();
    let relations = fields::relations(table);
    view! {
        <div class="find-group-body">
            <select
                id=any_id.clone()
                class="find-any"
                aria-label=lang.t(M::FindAllOf)
                on:change=move |ev| {
                    let any = event_target_value(&ev) == "any";
                    edit(st, any_id.clone(), |q| {
                        if let Some(g) = group_mut(&mut q.root, &p_any) {
                            g.any = any;
                        }
                    })
                }
            >
                <option value="all" selected=!g.any>{lang.t(M::FindAllOf)}</option>
                <option value="any" selected=g.any>{lang.t(M::FindAnyOf)}</option>
            </select>
            {g.items.is_empty().then(|| view! { <p class="muted">{lang.t(M::FindNoConditions)}</p> })}
            <ul class="find-items">{items}</ul>
            <div class="find-add">
                <button type="button" class="btn btn-small" id=add_id.clone() on:click=move |_| {
                    edit(st, add_id.clone(), |q| {
                        if let Some(g) = group_mut(&mut q.root, &p_cond) {
                            g.items.push(new_cond(table));
                        }
                    })
                }>{lang.t(M::FindAddCondition)}</button>
                <button type="button" class="btn btn-small" id=group_id.clone() on:click=move |_| {
                    edit(st, group_id.clone(), |q| {
                        if let Some(g) = group_mut(&mut q.root, &p_group) {
                            g.items.push(Node::Group(Group { any: true, items: vec![new_cond(table)] }));
                        }
                    })
                }>{lang.t(M::FindAddGroup)}</button>
                {(!relations.is_empty()).then(|| {
                    view! {
                        <select id=rel_id.clone() class="find-add-related" aria-label=lang.t(M::FindAddRelated) on:change=move |ev| {
                            let key = event_target_value(&ev);
                            if key.is_empty() {
                                return;
                            }
                            edit(st, rel_id.clone(), |q| {
                                if let Some(g) = group_mut(&mut q.root, &p_rel) {
                                    g.items.push(Node::Related(Related { rel: key, ..Default::default() }));
                                }
                            })
                        }>
                            <option value="" selected=true>{lang.t(M::FindAddRelated)}</option>
                            {relations.iter().map(|r| view! { <option value=r.key>{lang.t(r.label)}</option> }).collect_view()}
                        </select>
                    }
                })}
            </div>
        </div>
    }
    .into_any()
}

/// A block of conditions on related records.
fn related_view(st: RwSignal<FindQuery>, lk: &Lookups, lang: Lang, table: Table, r: &Related, path: Vec<usize>) -> AnyView {
    let Some(rel) = fields::relation(table, &r.rel) else { return ().into_any() };
    let pid = path_id(&path);
    let (parent, i) = (path[..path.len() - 1].to_vec(), path[path.len() - 1]);
    let with = move |q: &mut FindQuery, f: &dyn Fn(&mut Related)| {
        if let Some(g) = group_mut(&mut q.root, &parent) {
            if let Some(Node::Related(r)) = g.items.get_mut(i) {
                f(r);
            }
        }
    };
    let quant_id = format!("r{pid}-q");
    let with_q = with.clone();
    let q_id = quant_id.clone();
    let total = r.quantifier == Quantifier::Total;
    let total_op = r.total_op.unwrap_or(Op::AtLeast);
    let op_id = format!("r{pid}-op");
    let with_op = with.clone();
    let o_id = op_id.clone();
    let total_inputs = (0..if total_op == Op::Between { 2 } else { 1 })
        .map(|vi| {
            let id = format!("r{pid}-v{vi}");
            let with_v = with.clone();
            let val = r.total_values.get(vi).cloned().unwrap_or_default();
            view! {
                <input type="text" inputmode="decimal" id=id.clone() class="find-value" value=val aria-label=lang.t(M::FindValue) on:change=move |ev| {
                    let v = event_target_value(&ev);
                    edit(st, id.clone(), |q| with_v(q, &|r| {
                        r.total_values.resize(vi + 1, String::new());
                        r.total_values[vi] = v.clone();
                    }))
                }/>
            }
        })
        .collect_view();
    view! {
        <fieldset class="find-related">
            <legend>
                <select id=quant_id class="find-quantifier" aria-label=lang.t(M::FindHas) on:change=move |ev| {
                    let v = event_target_value(&ev);
                    edit(st, q_id.clone(), |q| with_q(q, &|r| {
                        r.quantifier = match v.as_str() {
                            "has_none" => Quantifier::HasNone,
                            "total" => Quantifier::Total,
                            _ => Quantifier::Has,
                        };
                        if r.quantifier == Quantifier::Total && r.total_op.is_none() {
                            r.total_op = Some(Op::AtLeast);
                        }
                    }))
                }>
                    <option value="has" selected=r.quantifier == Quantifier::Has>{lang.t(M::FindHas)}</option>
                    <option value="has_none" selected=r.quantifier == Quantifier::HasNone>{lang.t(M::FindHasNone)}</option>
                    {rel.total.map(|_| view! { <option value="total" selected=total>{lang.t(M::FindTotal)}</option> })}
                </select>
                " "<strong>{lang.t(rel.label)}</strong>" "{lang.t(M::FindWhere)}
                {total.then(|| view! {
                    " "
                    <select id=op_id class="find-op" aria-label=lang.t(M::FindOperator) on:change=move |ev| {
                        let v = Op::parse(&event_target_value(&ev));
                        edit(st, o_id.clone(), |q| with_op(q, &|r| r.total_op = v));
                    }>
                        {[Op::AtLeast, Op::AtMost, Op::Between].into_iter().map(|o| view! {
                            <option value=o.code() selected=o == total_op>{lang.t(op_label(o, FieldType::Money))}</option>
                        }).collect_view()}
                    </select>
                    {total_inputs}
                })}
            </legend>
            <div class="find-group">{group_view(st, lk, lang, rel.target, &r.group, path.clone())}</div>
        </fieldset>
    }
    .into_any()
}

/// One condition: field, comparison, value(s).
fn cond_view(st: RwSignal<FindQuery>, lk: &Lookups, lang: Lang, table: Table, c: &Cond, path: Vec<usize>) -> AnyView {
    let Some(f) = fields::field(table, &c.field) else { return ().into_any() };
    let pid = path_id(&path);
    let (parent, i) = (path[..path.len() - 1].to_vec(), path[path.len() - 1]);
    let with = move |q: &mut FindQuery, f: &dyn Fn(&mut Cond)| {
        if let Some(g) = group_mut(&mut q.root, &parent) {
            if let Some(Node::Cond(c)) = g.items.get_mut(i) {
                f(c);
            }
        }
    };
    let field_id = format!("c{pid}-field");
    let op_id = format!("c{pid}-op");
    let (w1, w2) = (with.clone(), with.clone());
    let (fid, oid) = (field_id.clone(), op_id.clone());
    let values = value_inputs(st, lk, lang, f.ty, c, &pid, with);
    view! {
        <div class="find-cond">
            <select id=field_id class="find-field" aria-label=lang.t(M::FindField) on:change=move |ev| {
                let key = event_target_value(&ev);
                let Some(nf) = fields::field(table, &key) else { return };
                edit(st, fid.clone(), |q| w1(q, &|c| {
                    c.field = nf.key.to_string();
                    c.op = nf.ty.ops()[0];
                    c.values.clear();
                }))
            }>
                {fields::fields(table).iter().map(|x| view! { <option value=x.key selected=x.key == f.key>{lang.t(x.label)}</option> }).collect_view()}
            </select>
            <select id=op_id class="find-op" aria-label=lang.t(M::FindOperator) on:change=move |ev| {
                let Some(op) = Op::parse(&event_target_value(&ev)) else { return };
                edit(st, oid.clone(), |q| w2(q, &|c| {
                    let was_days = matches!(c.op, Op::LastDays | Op::NextDays | Op::OlderThanDays);
                    let is_days = matches!(op, Op::LastDays | Op::NextDays | Op::OlderThanDays);
                    c.op = op;
                    if was_days != is_days {
                        c.values.clear();
                    }
                    match op.arity() {
                        Arity::None => c.values.clear(),
                        Arity::One => c.values.truncate(1),
                        Arity::Two => c.values.truncate(2),
                        Arity::Many => {}
                    }
                }))
            }>
                {f.ty.ops().iter().map(|o| view! { <option value=o.code() selected=*o == c.op>{lang.t(op_label(*o, f.ty))}</option> }).collect_view()}
            </select>
            {values}
        </div>
    }
    .into_any()
}

/// The inputs of a condition's values, by its field's type and its comparison.
fn value_inputs(
    st: RwSignal<FindQuery>,
    lk: &Lookups,
    lang: Lang,
    ty: FieldType,
    c: &Cond,
    pid: &str,
    with: impl Fn(&mut FindQuery, &dyn Fn(&mut Cond)) + Clone + Send + Sync + 'static,
) -> AnyView {
    let op = c.op;
    let with_one = with.clone();
    let set = move |id: String, vi: usize, v: String| {
        let with = with_one.clone();
        edit(st, id, move |q| {
            with(q, &|c| {
                if c.values.len() <= vi {
                    c.values.resize(vi + 1, String::new());
                }
                c.values[vi] = v.clone();
            })
        })
    };
    let set_all = {
        let with = with.clone();
        move |id: String, vals: Vec<String>| {
            let with = with.clone();
            edit(st, id, move |q| with(q, &|c| c.values = vals.clone()))
        }
    };
    let options = || -> Vec<(String, String)> {
        match ty {
            FieldType::Choice(src) => choice_options(lang, src, lk),
            FieldType::User => {
                let mut o = vec![(ME.to_string(), lang.t(M::FindMe).to_string())];
                o.extend(lk.users.iter().map(|u| (u.id.to_string(), u.label.clone())));
                o
            }
            FieldType::Team => {
                let mut o = vec![(MY_TEAM.to_string(), lang.t(M::FindMyTeam).to_string())];
                o.extend(lk.teams.iter().map(|u| (u.id.to_string(), u.label.clone())));
                o
            }
            _ => Vec::new(),
        }
    };
    let value = |vi: usize| c.values.get(vi).cloned().unwrap_or_default();
    match op.arity() {
        Arity::None => ().into_any(),
        _ if matches!(op, Op::LastDays | Op::NextDays | Op::OlderThanDays) => {
            let id = format!("c{pid}-v0");
            let set = set.clone();
            view! {
                <input type="number" min="0" max="36500" class="find-value find-days" id=id.clone() value=value(0) aria-label=lang.t(M::FindDays)
                    on:change=move |ev| set(id.clone(), 0, event_target_value(&ev))/>
                <span class="muted">{lang.t(M::FindDays)}</span>
            }
            .into_any()
        }
        Arity::Many if matches!(ty, FieldType::Choice(_) | FieldType::User | FieldType::Team) => {
            let chosen = c.values.clone();
            let id = format!("c{pid}-v");
            view! {
                <fieldset class="find-choices" aria-label=lang.t(M::FindValue)>
                    {options()
                        .into_iter()
                        .enumerate()
                        .map(|(oi, (v, label))| {
                            let on = chosen.contains(&v);
                            let cid = format!("{id}{oi}");
                            let chosen = chosen.clone();
                            let set_all = set_all.clone();
                            view! {
                                <label class="check">
                                    <input type="checkbox" id=cid.clone() checked=on on:change=move |_| {
                                        let mut next = chosen.clone();
                                        if on { next.retain(|x| x != &v) } else { next.push(v.clone()) }
                                        set_all(cid.clone(), next);
                                    }/>
                                    {label}
                                </label>
                            }
                        })
                        .collect_view()}
                </fieldset>
            }
            .into_any()
        }
        _ if matches!(ty, FieldType::Choice(_) | FieldType::User | FieldType::Team) => {
            let id = format!("c{pid}-v0");
            let current = value(0);
            let set = set.clone();
            view! {
                <select id=id.clone() class="find-value" aria-label=lang.t(M::FindValue) on:change=move |ev| set(id.clone(), 0, event_target_value(&ev))>
                    <option value="" selected=current.is_empty()>"—"</option>
                    {options().into_iter().map(|(v, label)| {
                        let sel = v == current;
                        view! { <option value=v selected=sel>{label}</option> }
                    }).collect_view()}
                </select>
            }
            .into_any()
        }
        arity => {
            let n = if arity == Arity::Two { 2 } else { 1 };
            let kind = match ty {
                FieldType::Date | FieldType::Stamp => "date",
                _ => "text",
            };
            let numeric = matches!(ty, FieldType::Money | FieldType::Number);
            (0..n)
                .map(|vi| {
                    let id = format!("c{pid}-v{vi}");
                    let set = set.clone();
                    view! {
                        {(vi == 1).then(|| view! { <span class="muted">{lang.t(M::FindAnd)}</span> })}
                        <input type=kind inputmode=if numeric { "decimal" } else { "text" } class="find-value" id=id.clone() value=value(vi)
                            aria-label=lang.t(M::FindValue) maxlength="200" on:change=move |ev| set(id.clone(), vi, event_target_value(&ev))/>
                    }
                })
                .collect_view()
                .into_any()
        }
    }
}

// ---------------------------------------------------------------------------------------------------
// The results
// ---------------------------------------------------------------------------------------------------

/// The results table: the chosen columns (each header sorts by it), the first linking to the record,
/// export links and the pager — plain links, so they work without JavaScript.
#[component]
fn Results(shown: Shown, lk: Lookups, view_id: Option<i64>, cursor: String) -> impl IntoView {
    let lang = use_lang();
    let q = shown.query;
    let r = shown.result;
    let table = q.entity.table();
    let cols: Vec<&'static fields::Field> = r.columns.iter().filter_map(|k| fields::field(table, k)).collect();
    let sort_key = q.sort_field().key;
    let (export_csv, export_xlsx) = {
        let p = urlencode(&q.to_param());
        (format!("/export/find.csv?query={p}"), format!("/export/find.xlsx?query={p}"))
    };
    let first = (!cursor.is_empty()).then(|| find_href(&q, view_id, ""));
    let next = r.next_cursor.as_ref().map(|c| find_href(&q, view_id, c));
    let total = if r.total > r.total_cap { format!("{}+", format_int(lang, r.total_cap)) } else { format_int(lang, r.total) };
    let headers = cols
        .iter()
        .map(|f| {
            if f.sortable() {
                let mut sorted = q.clone();
                let same = f.key == sort_key;
                sorted.sort = f.key.to_string();
                sorted.desc = same && !q.desc;
                let mark = if same {
                    if q.desc {
                        " ↓"
                    } else {
                        " ↑"
                    }
                } else {
                    ""
                };
                let aria = if same {
                    if q.desc {
                        "descending"
                    } else {
                        "ascending"
                    }
                } else {
                    "none"
                };
                view! { <th aria-sort=aria><a href=find_href(&sorted, view_id, "")>{lang.t(f.label)}{mark}</a></th> }.into_any()
            } else {
                view! { <th>{lang.t(f.label)}</th> }.into_any()
            }
        })
        .collect_view();
    let entity = q.entity;
    let rows = r
        .rows
        .iter()
        .map(|row| {
            let cells = cols
                .iter()
                .zip(row.cells.iter())
                .enumerate()
                .map(|(i, (f, v))| {
                    let text = v.as_deref().map(|v| cell_text(lang, f, v, &lk)).unwrap_or_default();
                    if i == 0 {
                        let text = if text.trim().is_empty() { format!("#{}", row.id) } else { text };
                        view! { <td><A href=entity.path(row.id)>{text}</A></td> }.into_any()
                    } else {
                        view! { <td>{text}</td> }.into_any()
                    }
                })
                .collect_view();
            view! { <tr>{cells}</tr> }
        })
        .collect_view();
    view! {
        <section class="find-results" aria-label=lang.t(M::Results)>
            <h2>{lang.t(entity_label(entity))}" · "<span id="find-total">{total}</span>" "{lang.t(M::Results)}</h2>
            {if r.rows.is_empty() {
                view! { <p class="empty">{lang.t(M::NoResults)}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="table" id="find-table">
                            <thead><tr>{headers}</tr></thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                }
                .into_any()
            }}
            <nav class="pager" aria-label=lang.t(M::Pagination)>
                <span class="export-links">
                    <a href=export_csv rel="external" download="" class="btn btn-ghost">{lang.t(M::ExportCsv)}</a>
                    <a href=export_xlsx rel="external" download="" class="btn btn-ghost">{lang.t(M::ExportXlsx)}</a>
                </span>
                {(entity != Entity::Opportunity).then(|| {
                    let param = urlencode(&q.to_param());
                    let list = format!("/marketing/lists/new?type=dynamic&kind={}&query={param}", entity.code());
                    let quick = format!("/marketing/quick-campaigns/new?query={param}");
                    view! {
                        <a class="btn btn-ghost" href=list id="find-dynamic-list">{lang.t(M::FindAsDynamicList)}</a>
                        {(!r.rows.is_empty()).then(|| view! { <a class="btn" href=quick id="find-quick-campaign">{lang.t(M::QcQuickCampaign)}</a> })}
                    }
                })}
                {first.map(|h| view! { <a class="btn btn-ghost" href=h>{lang.t(M::FirstPage)}</a> })}
                {next.map(|h| view! { <a class="btn" href=h rel="next">{lang.t(M::Next)}</a> })}
            </nav>
        </section>
    }
}
