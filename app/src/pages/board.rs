//! The pipeline board: a column per open stage with count, total and weighted value; cards move by
//! drag and drop, by the "Move to stage…" menu on each card, or by Alt+←/→ on a focused card.
//! Moves show at once and are rolled back if the server refuses them (conflict, permission, network).

use crate::api::accounts::get_lookups;
use crate::api::pipeline::{get_board, load_column, move_opportunity};
use crate::components::context::{t, use_lang};
use crate::components::deal::CloseFromBoard;
use crate::components::list::choice_options;
use crate::components::toast::use_toasts;
use crate::components::Loading;
use crate::domain::competition::Outcome;
use crate::domain::money::{to_base, weighted, Currency, Rate};
use crate::domain::{probability_after_move, Board, BoardQuery, Card, Column, Lookups, Stage, StageKind};
use crate::error::AppError;
use crate::i18n::labels::error_text;
use crate::i18n::{format_date, format_money, format_money_short, Lang, M};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

#[component]
pub fn BoardPage() -> impl IntoView {
    let lang = use_lang();
    let qm = use_query_map();
    let query = Memo::new(move |_| {
        qm.with(|m| {
            let g = |k: &str| m.get(k).unwrap_or_default();
            BoardQuery { owner: g("owner"), team: g("team"), region: g("region"), from: g("from"), to: g("to") }
        })
    });
    let board = Resource::new(move || query.get(), get_board);
    let lookups = Resource::new(|| (), |_| get_lookups());
    let refetch = Callback::new(move |_: ()| board.refetch());
    view! {
        <Title text=t(M::Pipeline)/>
        <div class="page-head">
            <h1>{t(M::Pipeline)}</h1>
            <a class="btn btn-primary" href="/opportunities/new">{t(M::NewOpportunity)}</a>
        </div>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let q = query.get();
                let lk = lookups.await.unwrap_or_default();
                view! { <BoardFilters q=q lk=lk/> }
            })}
        </Suspense>
        <Transition fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                let q = query.get();
                match board.await {
                    Ok(b) => view! { <BoardView board=b query=q refetch=refetch/> }.into_any(),
                    Err(e) => view! { <p class="banner banner-error">{error_text(lang, &e)}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn BoardFilters(q: BoardQuery, lk: Lookups) -> impl IntoView {
    let lang = use_lang();
    view! {
        <Form method="GET" action="/pipeline" attr:class="filters" attr:role="search">
            <select name="owner" aria-label=lang.t(M::Owner)>
                <option value="">{lang.t(M::AnyOwner)}</option>
                {choice_options(&lk.users, &q.owner)}
            </select>
            <select name="team" aria-label=lang.t(M::Team)>
                <option value="">{lang.t(M::AnyTeam)}</option>
                {choice_options(&lk.teams, &q.team)}
            </select>
            <select name="region" aria-label=lang.t(M::Region)>
                <option value="">{lang.t(M::AnyRegion)}</option>
                {lk.regions.iter().map(|r| view! { <option value=r.clone() selected=&q.region == r>{r.clone()}</option> }).collect_view()}
            </select>
            <label class="inline">{lang.t(M::From)}<input type="date" name="from" value=q.from.clone()/></label>
            <label class="inline">{lang.t(M::To)}<input type="date" name="to" value=q.to.clone()/></label>
            <button type="submit" class="btn">{lang.t(M::Filter)}</button>
            <a class="btn btn-ghost" href="/pipeline">{lang.t(M::ClearFilters)}</a>
        </Form>
    }
}

fn base(card: &Card, rates: &[Rate]) -> (i64, i64) {
    (to_base(card.amount_minor, card.currency, rates), to_base(weighted(card.amount_minor, card.probability), card.currency, rates))
}

fn take_card(cols: &mut [Column], id: i64, rates: &[Rate]) -> Option<Card> {
    for col in cols.iter_mut() {
        if let Some(pos) = col.cards.iter().position(|c| c.id == id) {
            let card = col.cards.remove(pos);
            let (total, w) = base(&card, rates);
            col.count -= 1;
            col.total_minor -= total;
            col.weighted_minor -= w;
            return Some(card);
        }
    }
    None
}

fn put_card(cols: &mut [Column], card: Card, rates: &[Rate]) {
    if let Some(col) = cols.iter_mut().find(|c| c.stage.id == card.stage_id) {
        let (total, w) = base(&card, rates);
        col.count += 1;
        col.total_minor += total;
        col.weighted_minor += w;
        let pos =
            col.cards.iter().position(|c| (c.close_date.as_str(), c.id) > (card.close_date.as_str(), card.id)).unwrap_or(col.cards.len());
        col.cards.insert(pos, card);
    }
}

fn find_card(cols: &[Column], id: i64) -> Option<Card> {
    cols.iter().flat_map(|c| c.cards.iter()).find(|c| c.id == id).cloned()
}

/// Shows a card in its new stage at once, with the probability the server will give it.
fn relocate(cols: &mut [Column], id: i64, target: &Stage, rates: &[Rate]) {
    if let Some(mut c) = take_card(cols, id, rates) {
        c.stage_id = target.id;
        c.probability = probability_after_move(target, c.probability, false).0;
        put_card(cols, c, rates);
    }
}

/// Puts the card as the server has it on the board. When only its version differs from what is shown, the board
/// is not drawn again (a keyboard user keeps the focus); returns whether it was.
fn settle(columns: RwSignal<Vec<Column>>, card: Card, rates: &[Rate]) -> bool {
    let shown = columns.with_untracked(|cols| find_card(cols, card.id));
    if shown.is_some_and(|s| Card { version: card.version, ..s } == card) {
        columns.update_untracked(|cols| {
            if let Some(c) = cols.iter_mut().flat_map(|c| c.cards.iter_mut()).find(|c| c.id == card.id) {
                c.version = card.version;
            }
        });
        return false;
    }
    columns.update(|cols| {
        take_card(cols, card.id, rates);
        if cols.iter().any(|c| c.stage.id == card.stage_id) {
            put_card(cols, card, rates);
        }
    });
    true
}

fn outcome_of(stage: &Stage) -> Outcome {
    if stage.kind == StageKind::Won {
        Outcome::Won
    } else {
        Outcome::Lost
    }
}

/// Gives the focus back to a card after the board was drawn again (keyboard moves).
fn keep_focus(id: i64) {
    #[cfg(feature = "hydrate")]
    request_animation_frame(move || {
        use wasm_bindgen::JsCast;
        if let Some(el) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(&format!("card-{id}"))) {
            if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
                let _ = el.focus();
            }
        }
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = id;
}

#[component]
fn BoardView(board: Board, query: BoardQuery, refetch: Callback<()>) -> impl IntoView {
    let lang = use_lang();
    let toasts = use_toasts();
    let rates = vec![Rate { currency: Currency::EUR, micros: board.eur_rate_micros }];
    let stages = StoredValue::new(board.stages.clone());
    let columns = RwSignal::new(board.columns.clone());
    let dragging = RwSignal::new(None::<i64>);
    let over = RwSignal::new(None::<i64>);
    // Cards whose move is on its way to the server, and the stage each was moved on to meanwhile.
    let busy = RwSignal::new(Vec::<i64>::new());
    let queued = StoredValue::new(std::collections::HashMap::<i64, i64>::new());
    let today = board.today.clone();
    let rates_sv = StoredValue::new(rates.clone());
    let query_sv = StoredValue::new(query.clone());
    // A card headed for a won or lost stage waits here for the close dialog.
    let closing = RwSignal::new(None::<(Card, Outcome)>);
    let stage_of = move |id: i64| stages.with_value(|s| s.iter().find(|s| s.id == id).cloned());

    let do_move = move |card_id: i64, to: i64, keyboard: bool| {
        let rates = rates_sv.get_value();
        let Some(card) = columns.with_untracked(|cols| find_card(cols, card_id)) else { return };
        if card.stage_id == to {
            return;
        }
        let Some(target) = stage_of(to) else { return };
        if target.kind == StageKind::Open {
            columns.update(|cols| relocate(cols, card_id, &target, &rates));
            if keyboard {
                keep_focus(card_id);
            }
        }
        if busy.with_untracked(|b| b.contains(&card_id)) {
            // The card's last move is still on its way: this one waits for it and then goes with the version it
            // returns. Only the latest wish counts.
            queued.update_value(|q| {
                q.insert(card_id, to);
            });
            return;
        }
        if target.kind != StageKind::Open {
            // Won and lost need the outcome's details: the close dialog asks for them.
            closing.set(Some((card, outcome_of(&target))));
            return;
        }
        busy.update(|b| b.push(card_id));
        leptos::task::spawn_local(async move {
            // The card as the server last confirmed it: what a refused move falls back to.
            let mut confirmed = card;
            let mut target = target;
            loop {
                match move_opportunity(card_id, target.id, confirmed.version).await {
                    Ok(fresh) => {
                        confirmed = fresh;
                        let next = queued.try_update_value(|q| q.remove(&card_id)).flatten().filter(|&s| s != confirmed.stage_id);
                        if let Some(next) = next.and_then(stage_of) {
                            if next.kind == StageKind::Open {
                                target = next;
                                continue;
                            }
                            settle(columns, confirmed.clone(), &rates);
                            closing.set(Some((confirmed, outcome_of(&next))));
                            break;
                        }
                        if settle(columns, confirmed.clone(), &rates) && keyboard {
                            keep_focus(card_id);
                        }
                        toasts.push(format!("{} {}: {}", confirmed.name, lang.t(M::MovedTo).to_lowercase(), target.name), false);
                        break;
                    }
                    Err(e) => {
                        queued.update_value(|q| {
                            q.remove(&card_id);
                        });
                        settle(columns, confirmed, &rates);
                        if e == AppError::Conflict {
                            toasts.push(lang.t(M::MoveConflict), true);
                            refetch.run(());
                        } else {
                            toasts.push(error_text(lang, &e), true);
                        }
                        break;
                    }
                }
            }
            busy.update(|b| b.retain(|&c| c != card_id));
        });
    };

    let load_more = move |stage_id: i64, cursor: String| {
        let q = query_sv.get_value();
        leptos::task::spawn_local(async move {
            match load_column(stage_id, q, cursor).await {
                Ok((cards, next)) => columns.update(|cols| {
                    if let Some(col) = cols.iter_mut().find(|c| c.stage.id == stage_id) {
                        for card in cards {
                            if !col.cards.iter().any(|c| c.id == card.id) {
                                col.cards.push(card);
                            }
                        }
                        col.next_cursor = next;
                    }
                }),
                Err(e) => toasts.push(error_text(lang, &e), true),
            }
        });
    };

    let rate_text = format!("{} {}", lang.t(M::RateNote), format_money(lang, board.eur_rate_micros / 10_000, "RSD"));
    let close_today = board.today.clone();
    let won_stage = board.stages.iter().find(|s| s.kind == StageKind::Won && s.active).map(|s| s.id);
    let lost_stage = board.stages.iter().find(|s| s.kind == StageKind::Lost && s.active).map(|s| s.id);
    let zone = move |stage: Option<i64>, class: &'static str, label: M| {
        stage.map(|sid| {
            view! {
                <div
                    class=format!("close-zone {class}")
                    data-stage=sid
                    class:drop-target=move || over.get() == Some(sid)
                    on:dragover=move |ev| {
                        ev.prevent_default();
                        over.set(Some(sid));
                    }
                    on:dragleave=move |_| over.set(None)
                    on:drop=move |ev| {
                        ev.prevent_default();
                        over.set(None);
                        if let Some(id) = dragging.get_untracked() {
                            dragging.set(None);
                            do_move(id, sid, false);
                        }
                    }
                >
                    {lang.t(label)}
                </div>
            }
        })
    };
    view! {
        <p class="muted board-hint">{t(M::BoardHint)} " " {rate_text}</p>
        {move || closing.get().map(|(card, outcome)| {
            let rates = rates_sv.get_value();
            let card_id = card.id;
            view! {
                <CloseFromBoard id=card.id version=card.version name=card.name.clone() amount_minor=card.amount_minor currency=card.currency
                    outcome=outcome today=close_today.clone()
                    on_done=Callback::new(move |_| {
                        closing.set(None);
                        columns.update(|cols| { take_card(cols, card_id, &rates); });
                        toasts.push(lang.t(M::Closed), false);
                    })
                    on_cancel=Callback::new(move |_| closing.set(None))/>
            }
        })}
        <div class="close-zones" aria-hidden="true">
            {zone(won_stage, "won", M::DropToWin)}
            {zone(lost_stage, "lost", M::DropToLose)}
        </div>
        <div class="board" role="list">
            {move || {
                let today = today.clone();
                columns
                    .get()
                    .into_iter()
                    .map(|col| {
                        let stage_id = col.stage.id;
                        let next = col.next_cursor.clone();
                        let today = today.clone();
                        view! {
                            <section
                                class="column"
                                role="listitem"
                                aria-label=col.stage.name.clone()
                                data-stage=stage_id
                                class:drop-target=move || over.get() == Some(stage_id)
                                on:dragover=move |ev| {
                                    ev.prevent_default();
                                    if over.get_untracked() != Some(stage_id) {
                                        over.set(Some(stage_id));
                                    }
                                }
                                on:dragleave=move |_| {
                                    if over.get_untracked() == Some(stage_id) {
                                        over.set(None);
                                    }
                                }
                                on:drop=move |ev| {
                                    ev.prevent_default();
                                    over.set(None);
                                    if let Some(id) = dragging.get_untracked() {
                                        dragging.set(None);
                                        do_move(id, stage_id, false);
                                    }
                                }
                            >
                                <header class="column-head">
                                    <h2>{col.stage.name.clone()} <span class="count">{col.count}</span></h2>
                                    <div class="column-totals">
                                        <span title=lang.t(M::Total)>{format_money_short(lang, col.total_minor, "RSD")}</span>
                                        <span class="muted" title=lang.t(M::Weighted)>{format!("{} {}", lang.t(M::Weighted), format_money_short(lang, col.weighted_minor, "RSD"))}</span>
                                    </div>
                                </header>
                                <div class="cards">
                                    {col
                                        .cards
                                        .into_iter()
                                        .map(|card| {
                                            view! { <CardView card=card stages=stages today=today.clone() dragging=dragging busy=busy lang=lang on_move=Callback::new(move |(id, to, kb): (i64, i64, bool)| do_move(id, to, kb))/> }
                                        })
                                        .collect_view()}
                                </div>
                                {next.map(|cursor| view! {
                                    <button class="btn btn-ghost load-more" on:click=move |_| load_more(stage_id, cursor.clone())>{t(M::LoadMore)}</button>
                                })}
                            </section>
                        }
                    })
                    .collect_view()
            }}
        </div>
        <noscript>
            <p class="muted">{t(M::OpenStagesOnly)}</p>
        </noscript>
    }
}

#[component]
fn CardView(
    card: Card,
    stages: StoredValue<Vec<Stage>>,
    today: String,
    dragging: RwSignal<Option<i64>>,
    busy: RwSignal<Vec<i64>>,
    lang: Lang,
    on_move: Callback<(i64, i64, bool)>,
) -> impl IntoView {
    let id = card.id;
    let overdue = card.close_date < today;
    let current = card.stage_id;
    let open: Vec<Stage> = stages.with_value(|s| s.iter().filter(|s| s.kind == StageKind::Open).cloned().collect());
    let neighbour = move |step: i64| {
        let pos = open.iter().position(|s| s.id == current)? as i64 + step;
        open.get(usize::try_from(pos).ok()?).map(|s| s.id)
    };
    let options = stages.with_value(|s| s.iter().filter(|s| s.id != current).map(|s| (s.id, s.name.clone())).collect::<Vec<_>>());
    view! {
        <article
            class="opp-card"
            id=format!("card-{id}")
            data-id=id
            tabindex="0"
            draggable="true"
            class:dragging=move || dragging.get() == Some(id)
            class:busy=move || busy.with(|b| b.contains(&id))
            aria-label=card.name.clone()
            on:dragstart=move |ev| {
                if let Some(dt) = ev.data_transfer() {
                    let _ = dt.set_data("text/plain", &id.to_string());
                    dt.set_effect_allowed("move");
                }
                dragging.set(Some(id));
            }
            on:dragend=move |_| dragging.set(None)
            on:keydown=move |ev| {
                if ev.alt_key() {
                    let step = match ev.key().as_str() {
                        "ArrowRight" => 1,
                        "ArrowLeft" => -1,
                        _ => return,
                    };
                    if let Some(to) = neighbour(step) {
                        ev.prevent_default();
                        on_move.run((id, to, true));
                    }
                }
            }
        >
            <a class="opp-name" href=format!("/opportunities/{id}") draggable="false">{card.name.clone()}</a>
            <div class="muted opp-account">{card.account_name.clone()}</div>
            <div class="opp-meta">
                <span class="opp-amount">{format_money(lang, card.amount_minor, card.currency.code())}</span>
                <span class="opp-date" class:overdue=overdue title=if overdue { lang.t(M::Overdue) } else { "" }>
                    {overdue.then(|| view! { <span class="sr-only">{lang.t(M::Overdue)} ": "</span> })}
                    {format_date(lang, &card.close_date)}
                </span>
            </div>
            <div class="opp-foot">
                <span class="muted">{card.owner_name.clone()} " · " {card.probability} "%"</span>
                <select
                    class="move-select"
                    aria-label=format!("{} {}", lang.t(M::MoveToStage), card.name)
                    on:change=move |ev| {
                        if let Ok(to) = event_target_value(&ev).parse::<i64>() {
                            on_move.run((id, to, true));
                        }
                    }
                >
                    <option value="" selected=true>{lang.t(M::MoveToStage)}</option>
                    {options.into_iter().map(|(sid, name)| view! { <option value=sid.to_string()>{name}</option> }).collect_view()}
                </select>
            </div>
        </article>
    }
}
