//! Goals: the targets running on a day with their progress (actual, in progress, percent, pace), the
//! form that sets one, and — for admins — the metrics goals can count.

use crate::api::reports::{get_goals, DeleteGoal, SaveGoal, SaveGoalMetric};
use crate::components::charts::ProgressBar;
use crate::components::context::{t, use_lang};
use crate::components::fields::{SelectField, TextField};
use crate::components::report::{ReportExportLinks, ReportTabs};
use crate::components::{ErrorBanner, Loading};
use crate::domain::competition::format_bp;
use crate::domain::money::minor_to_input;
use crate::domain::reports::{GoalMetric, GoalProgress, GoalsPage, Measure, Period};
use crate::domain::validate::parse_date;
use crate::i18n::labels::activity_kind_text;
use crate::i18n::labels::error_text;
use crate::i18n::labels::metric_name;
use crate::i18n::labels::period_label;
use crate::i18n::{format_date, format_int, format_money_short, Lang, M};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

fn measure_label(m: Measure) -> M {
    match m {
        Measure::WonRevenue => M::MWonRevenue,
        Measure::WonDeals => M::MWonDeals,
        Measure::NewOpportunities => M::MNewOpportunities,
        Measure::ActivitiesDone => M::MActivitiesDone,
        Measure::NewLeads => M::MNewLeads,
        Measure::QualifiedLeads => M::MQualifiedLeads,
    }
}

fn value_text(lang: Lang, measure: Measure, v: i64) -> String {
    if measure.is_money() {
        format_money_short(lang, v, "RSD")
    } else {
        format_int(lang, v)
    }
}

#[component]
pub fn GoalsPageView() -> impl IntoView {
    let lang = use_lang();
    let qm = use_query_map();
    let params = Memo::new(move |_| {
        qm.with(|m| (m.get("on").unwrap_or_default(), m.get("edit").unwrap_or_default(), m.get("who").unwrap_or_default()))
    });
    let save = ServerAction::<SaveGoal>::new();
    let delete = ServerAction::<DeleteGoal>::new();
    let save_metric = ServerAction::<SaveGoalMetric>::new();
    // Reload after a successful change only: after an error the form keeps what was typed.
    let changes = RwSignal::new(0u32);
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            changes.update(|n| *n += 1);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = delete.value().get() {
            changes.update(|n| *n += 1);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = save_metric.value().get() {
            changes.update(|n| *n += 1);
        }
    });
    let data = Resource::new(move || (params.get().0, params.get().2, changes.get()), |(on, who, _)| get_goals(on, who));
    view! {
        <Title text=t(M::Goals)/>
        <div class="page-head">
            <h1>{t(M::Goals)}</h1>
            <div class="head-actions">
                <ReportTabs current="/goals"/>
                {move || view! { <ReportExportLinks kind="goals" params=vec![("on", params.get().0), ("who", params.get().2)]/> }}
            </div>
        </div>
        <Transition fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                let edit = params.get().1;
                match data.await {
                    Err(e) => view! { <p class="banner banner-error">{error_text(lang, &e)}</p> }.into_any(),
                    Ok(p) => view! { <GoalsView p=p edit=edit save=save delete=delete save_metric=save_metric/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn GoalsView(
    p: GoalsPage,
    edit: String,
    save: ServerAction<SaveGoal>,
    delete: ServerAction<DeleteGoal>,
    save_metric: ServerAction<SaveGoalMetric>,
) -> impl IntoView {
    let lang = use_lang();
    let on = parse_date(&p.on).unwrap_or_default();
    let who_param = if p.who.is_empty() { String::new() } else { format!("&who={}", crate::domain::text::urlencode(&p.who)) };
    let month = |d: chrono::NaiveDate| format!("/goals?on={}{who_param}", d.format("%Y-%m-%d"));
    let prev = on.checked_sub_months(chrono::Months::new(1)).map(month).unwrap_or_default();
    let next = on.checked_add_months(chrono::Months::new(1)).map(month).unwrap_or_default();
    let editing = p.goals.iter().find(|g| g.id.to_string() == edit && g.can_edit).cloned();
    let delete_error = move || delete.value().get().and_then(|r| r.err());
    view! {
        <nav class="filters" aria-label=lang.t(M::GoalsOn)>
            <span>{format!("{} {}", lang.t(M::GoalsOn), format_date(lang, &p.on))}</span>
            <a class="btn btn-ghost" href=prev>{t(M::Previous)}</a>
            <a class="btn btn-ghost" href="/goals">{t(M::Today)}</a>
            <a class="btn btn-ghost" href=next>{"→"}</a>
            <form method="GET" action="/goals" class="inline-form">
                <input type="date" name="on" value=p.on.clone() aria-label=lang.t(M::GoalsOn)/>
                <select name="who" aria-label=lang.t(M::GoalFor)>
                    <option value="">{lang.t(M::AnyAssignee)}</option>
                    {p.who_options.iter().map(|(v, name)| view! { <option value=v.clone() selected=*v == p.who>{name.clone()}</option> }).collect_view()}
                </select>
                <button type="submit" class="btn">{t(M::Filter)}</button>
            </form>
        </nav>
        {move || delete_error().map(|e| view! { <div class="banner banner-error" role="alert">{error_text(lang, &e)}</div> })}
        {if p.goals.is_empty() {
            view! { <p class="empty">{t(M::NoGoals)}</p> }.into_any()
        } else {
            view! {
                <ul class="goal-cards">
                    {p.goals.iter().cloned().map(|g| view! { <GoalCard g=g on=p.on.clone() delete=delete/> }).collect_view()}
                </ul>
            }
            .into_any()
        }}
        {p.can_set_goals().then(|| view! { <GoalForm p=p.clone() editing=editing save=save/> })}
        {p.can_manage_metrics.then(|| view! { <MetricsTable metrics=p.metrics.clone() save=save_metric/> })}
    }
}

#[component]
fn GoalCard(g: GoalProgress, on: String, delete: ServerAction<DeleteGoal>) -> impl IntoView {
    let lang = use_lang();
    let name = metric_name(lang, &g.metric_name);
    let pct = g.percent_bp().map(format_bp).unwrap_or_else(|| "—".into());
    let v = |x: i64| value_text(lang, g.measure, x);
    let label = format!("{name} · {} · {} {} {} {}", g.assignee, v(g.actual), lang.t(M::OfGoal), v(g.target), pct);
    let target_text = if g.relative {
        format!(
            "{} ({}{} {}: {})",
            v(g.target),
            if g.target_raw >= 0 { "+" } else { "" },
            format_bp(g.target_raw),
            lang.t(M::VsLastYear),
            v(g.base.unwrap_or(0))
        )
    } else {
        v(g.target)
    };
    view! {
        <li class="card goal-card">
            <div class="goal-head">
                <h2>{name.clone()}</h2>
                <span class=if g.is_team { "badge" } else { "badge badge-muted" }>{g.assignee.clone()}</span>
                <span class="muted">{format!("{} {}", lang.t(period_label(g.period)), g.period_key)}</span>
            </div>
            <ProgressBar actual=g.actual extra=g.in_progress target=g.target label=label/>
            <dl class="goal-figures">
                <div><dt>{t(M::Actual)}</dt><dd class="goal-actual">{v(g.actual)}" · "{pct.clone()}</dd></div>
                <div><dt>{t(M::Target)}</dt><dd>{target_text}</dd></div>
                {(g.in_progress > 0).then(|| view! { <div><dt>{t(M::InProgressLabel)}</dt><dd>{v(g.in_progress)}</dd></div> })}
                <div><dt>{t(M::AtThisPace)}</dt><dd>{v(g.projection)}</dd></div>
                {g.members_target.map(|m| view! { <div><dt>{t(M::MembersGoals)}</dt><dd>{v(m)}</dd></div> })}
            </dl>
            {g.can_edit.then(|| view! {
                <div class="goal-actions">
                    <a class="btn btn-small btn-ghost" href=format!("/goals?on={on}&edit={}#goal-form", g.id)>{t(M::Edit)}</a>
                    <ActionForm action=delete attr:class="inline-form">
                        <input type="hidden" name="id" value=g.id.to_string()/>
                        <input type="hidden" name="version" value=g.version.to_string()/>
                        <button type="submit" class="btn btn-small btn-danger" aria-label=format!("{} · {name} · {}", lang.t(M::Delete), g.assignee)>{t(M::Delete)}</button>
                    </ActionForm>
                </div>
            })}
        </li>
    }
}

#[component]
fn GoalForm(p: GoalsPage, editing: Option<GoalProgress>, save: ServerAction<SaveGoal>) -> impl IntoView {
    let lang = use_lang();
    let error = Signal::derive(move || save.value().get().and_then(|r| r.err()));
    let g = editing.clone().unwrap_or_default();
    let is_edit = editing.is_some();
    let metrics: Vec<(String, String)> =
        p.metrics.iter().filter(|m| m.active || m.id == g.metric_id).map(|m| (m.id.to_string(), metric_name(lang, &m.name))).collect();
    let periods: Vec<(String, String)> = Period::ALL.iter().map(|x| (x.code().to_string(), lang.t(period_label(*x)).to_string())).collect();
    let kinds = vec![
        ("absolute".to_string(), lang.t(M::TargetAbsolute).to_string()),
        ("relative".to_string(), lang.t(M::TargetRelative).to_string()),
    ];
    let target = if !is_edit {
        String::new()
    } else if g.relative {
        minor_to_input(g.target_raw)
    } else if g.measure.is_money() {
        minor_to_input(g.target)
    } else {
        g.target.to_string()
    };
    const FIELDS: &[&str] = &["metric_id", "assignee", "period", "period_start", "target_kind", "target"];
    view! {
        <section class="card" id="goal-form">
            <h2>{if is_edit { t(M::Edit) } else { t(M::NewGoal) }}</h2>
            <ActionForm action=save attr:class="form-grid" attr:novalidate=true>
                <ErrorBanner error=error fields=FIELDS/>
                <input type="hidden" name="input[id]" value=if is_edit { g.id.to_string() } else { String::new() }/>
                <input type="hidden" name="input[version]" value=g.version.to_string()/>
                <SelectField label=M::Metric key="metric_id" options=metrics selected=g.metric_id.to_string() error=error required=true/>
                <SelectField label=M::GoalFor key="assignee" options=p.assignees.clone() selected=g.assignee_ref.clone() error=error required=true/>
                <SelectField label=M::PeriodLabel key="period" options=periods selected=if is_edit { g.period.code() } else { "month" } error=error/>
                <TextField label=M::PeriodAnyDay key="period_start" kind="date" value=if is_edit { g.start.clone() } else { p.on.clone() } error=error required=true/>
                <SelectField label=M::TargetKind key="target_kind" options=kinds selected=if g.relative { "relative" } else { "absolute" } error=error/>
                <TextField label=M::Target key="target" value=target error=error required=true/>
                <div class="form-actions">
                    <button type="submit" class="btn btn-primary" disabled=move || save.pending().get()>{t(M::Save)}</button>
                    {is_edit.then(|| view! { <a class="btn btn-ghost" href=format!("/goals?on={}", p.on)>{t(M::Cancel)}</a> })}
                </div>
            </ActionForm>
        </section>
    }
}

#[component]
fn MetricsTable(metrics: Vec<GoalMetric>, save: ServerAction<SaveGoalMetric>) -> impl IntoView {
    let lang = use_lang();
    let error = Signal::derive(move || save.value().get().and_then(|r| r.err()));
    let measures: Vec<(String, String)> =
        Measure::ALL.iter().map(|m| (m.code().to_string(), lang.t(measure_label(*m)).to_string())).collect();
    let kinds = ["", "task", "call", "meeting", "email", "letter", "fax"];
    let kind_options = move |selected: &str| {
        kinds
            .iter()
            .map(|k| {
                let label = if k.is_empty() { lang.t(M::AnyKind).to_string() } else { activity_kind_text(lang, k) };
                view! { <option value=*k selected=*k == selected>{label}</option> }
            })
            .collect_view()
    };
    view! {
        <section class="card" id="goal-metrics">
            <h2>{t(M::Metrics)}</h2>
            <ErrorBanner error=error fields=&[]/>
            <div class="table-wrap">
                <table class="table">
                    <thead><tr><th>{t(M::Name)}</th><th>{t(M::Measure)}</th><th>{t(M::ActivityKindOptional)}</th><th>{t(M::Active)}</th><th></th></tr></thead>
                    <tbody>
                        {metrics.into_iter().map(|m| {
                            let form = format!("metric-{}", m.id);
                            let name = metric_name(lang, &m.name);
                            view! {
                                <tr>
                                    <td>{name.clone()}</td>
                                    <td>{lang.t(measure_label(m.measure))}{m.activity_kind.clone().map(|k| format!(" · {}", activity_kind_text(lang, &k)))}</td>
                                    <td></td>
                                    <td><input type="checkbox" name="input[active]" value="1" form=form.clone() checked=m.active aria-label=format!("{} · {name}", lang.t(M::Active))/></td>
                                    <td>
                                        <ActionForm action=save attr:id=form.clone()>
                                            <input type="hidden" name="input[id]" value=m.id.to_string()/>
                                            <input type="hidden" name="input[version]" value=m.version.to_string()/>
                                            <input type="hidden" name="input[name]" value=m.name.clone()/>
                                            <input type="hidden" name="input[measure]" value=m.measure.code()/>
                                            <input type="hidden" name="input[activity_kind]" value=m.activity_kind.clone().unwrap_or_default()/>
                                            <button type="submit" class="btn btn-small" aria-label=format!("{} · {name}", lang.t(M::Save))>{t(M::Save)}</button>
                                        </ActionForm>
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <h3>{t(M::NewMetric)}</h3>
            <ActionForm action=save attr:class="filters">
                <input type="hidden" name="input[active]" value="1"/>
                <label class="inline">{t(M::Name)}<input name="input[name]" required=true/></label>
                <label class="inline">{t(M::Measure)}
                    <select name="input[measure]">{measures.into_iter().map(|(v, l)| view! { <option value=v>{l}</option> }).collect_view()}</select>
                </label>
                <label class="inline">{t(M::ActivityKindOptional)}<select name="input[activity_kind]">{kind_options("")}</select></label>
                <button type="submit" class="btn">{t(M::Save)}</button>
            </ActionForm>
        </section>
    }
}
