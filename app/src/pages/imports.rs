//! The import pages: `/imports` (upload a file, earlier imports) and `/imports/:id`, which follows the
//! import through its steps — map the columns, watch the analysis, review the preview, rejects and
//! duplicate groups, watch the import's progress bar, then download the rejects or undo it.

use crate::api::imports::{
    analyse_import, apply_saved_mapping, decide_group, import_page, join_suggestion, list_imports, start_import, undo_import,
};
use crate::components::context::{t, use_lang};
use crate::components::toast::use_toasts;
use crate::components::Loading;
use crate::domain::imports::*;
use crate::error::Problem;
use crate::i18n::labels::{error_text, field_label, field_message};
use crate::i18n::{format_int, format_timestamp, Lang, M};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

fn entity_label(e: ImportEntity) -> M {
    match e {
        ImportEntity::Account => M::Accounts,
        ImportEntity::Contact => M::Contacts,
        ImportEntity::Lead => M::Leads,
        ImportEntity::Product => M::Products,
        ImportEntity::Opportunity => M::Opportunities,
        ImportEntity::Activity => M::Activities,
    }
}

/// Where the records an import writes have their pages (`/…/{id}`).
fn record_path(e: ImportEntity) -> &'static str {
    match e {
        ImportEntity::Account => "/accounts",
        ImportEntity::Contact => "/contacts",
        ImportEntity::Lead => "/leads",
        ImportEntity::Product => "/products",
        ImportEntity::Opportunity => "/opportunities",
        ImportEntity::Activity => "/activities",
    }
}

/// Where the records an import writes are listed: activities on the calendar.
fn list_path(e: ImportEntity) -> &'static str {
    match e {
        ImportEntity::Activity => "/calendar",
        _ => record_path(e),
    }
}

fn status_label(s: ImportStatus) -> M {
    match s {
        ImportStatus::Mapping => M::ImpStatusMapping,
        ImportStatus::Analyzing => M::ImpStatusAnalyzing,
        ImportStatus::Review => M::ImpStatusReview,
        ImportStatus::Running => M::ImpStatusRunning,
        ImportStatus::Done => M::ImpStatusDone,
        ImportStatus::Failed => M::ImpStatusFailed,
        ImportStatus::Undone => M::ImpStatusUndone,
    }
}

fn decision_label(d: Decision) -> M {
    match d {
        Decision::Update => M::DecisionUpdate,
        Decision::Skip => M::DecisionSkip,
        Decision::Create => M::DecisionCreate,
    }
}

fn policy_label(p: FieldPolicy) -> M {
    match p {
        FieldPolicy::FillEmpty => M::PolicyFill,
        FieldPolicy::Overwrite => M::PolicyOverwrite,
        FieldPolicy::Keep => M::PolicyKeep,
    }
}

fn matched_label(m: &str) -> M {
    match m {
        "email" => M::Email,
        "pib" => M::Pib,
        "mb" => M::Mb,
        "phone" => M::Phone,
        "code" => M::Code,
        "same" => M::MatchedBySame,
        _ => M::MatchedByName,
    }
}

#[component]
pub fn ImportsPage() -> impl IntoView {
    let lang = use_lang();
    let qm = use_query_map();
    let entity = move || qm.with(|m| m.get("entity").unwrap_or_else(|| "account".into()));
    let error = move || {
        qm.with(|m| m.get("error")).map(|code| {
            let limit = qm.with(|m| m.get("limit")).and_then(|l| l.parse().ok()).unwrap_or(0);
            let problem = match code.as_str() {
                "too_large" => Problem::FileTooLarge(0),
                "type" => Problem::FileTypeNotAllowed,
                "empty" => Problem::EmptyFile,
                "unpacked" => Problem::UnpacksTooLarge(limit),
                "columns" => Problem::TooManyColumns(limit),
                "required" => Problem::Required,
                "forbidden" => return lang.t(M::Forbidden).to_string(),
                _ => return lang.t(M::Internal).to_string(),
            };
            match problem {
                Problem::FileTooLarge(_) => lang.t(M::ImportTooLarge).to_string(),
                p => field_message(lang, "file", &p),
            }
        })
    };
    let list = Resource::new(|| (), |_| list_imports());
    view! {
        <Title text=t(M::ImportNoun)/>
        <div class="page-head"><h1>{t(M::ImportData)}</h1></div>
        <crate::components::list::DataTabs current="imports"/>
        <section class="card">
            <h2>{t(M::ImportUpload)}</h2>
            <p class="muted">{t(M::ImportUploadHelp)}</p>
            {move || error().map(|e| view! { <div class="banner banner-error" role="alert">{e}</div> })}
            <form method="POST" action="/imports/upload" enctype="multipart/form-data" class="form-grid">
                <label for="imp-entity">{t(M::ImportWhat)}</label>
                <select id="imp-entity" name="entity">
                    {ImportEntity::ALL
                        .iter()
                        .map(|e| view! { <option value=e.code() selected=move || entity() == e.code()>{lang.t(entity_label(*e))}</option> })
                        .collect_view()}
                </select>
                <label for="imp-file">{t(M::File)}</label>
                <input id="imp-file" type="file" name="file" required accept=".csv,.txt,.tsv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"/>
                <div></div>
                <div><button type="submit" class="btn btn-primary">{t(M::ImportUploadButton)}</button></div>
            </form>
        </section>
        <section class="card">
            <h2>{t(M::ImportHistory)}</h2>
            <Transition fallback=|| view! { <Loading/> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Err(e) => view! { <p class="banner banner-error">{error_text(lang, &e)}</p> }.into_any(),
                        Ok(rows) if rows.is_empty() => view! { <p class="muted">{t(M::ImportNone)}</p> }.into_any(),
                        Ok(rows) => view! {
                            <table class="table">
                                <thead><tr>
                                    <th>{t(M::File)}</th><th>{t(M::ImportWhat)}</th><th>{t(M::Status)}</th>
                                    <th class="num">{t(M::ImpRows)}</th><th class="num">{t(M::ImpCreated)}</th><th class="num">{t(M::ImpUpdated)}</th>
                                    <th class="num">{t(M::ImpRejected)}</th><th>{t(M::CreatedOn)}</th>
                                </tr></thead>
                                <tbody>
                                    {rows.into_iter().map(|r| view! {
                                        <tr>
                                            <td><A href=format!("/imports/{}", r.id)>{r.file_name.clone()}</A></td>
                                            <td>{lang.t(entity_label(r.entity))}</td>
                                            <td><span class="badge">{lang.t(status_label(r.status))}</span></td>
                                            <td class="num">{format_int(lang, r.total_rows)}</td>
                                            <td class="num">{format_int(lang, r.created)}</td>
                                            <td class="num">{format_int(lang, r.updated)}</td>
                                            <td class="num">{format_int(lang, r.rejected)}</td>
                                            <td>{format_timestamp(lang, &r.created_at)}" · "{r.created_by_name.clone()}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
pub fn ImportPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|s| s.parse::<i64>().ok()).unwrap_or(0));
    let tick = RwSignal::new(0u32);
    let data = Resource::new(move || (id(), tick.get()), |(id, _)| import_page(id));
    // While a job works on the import, the page asks again every 700 ms (progress bar).
    Effect::new(move |_| {
        if let Some(Ok(d)) = data.get() {
            if d.summary.status.busy() {
                set_timeout(move || tick.update(|t| *t += 1), std::time::Duration::from_millis(700));
            }
        }
    });
    view! {
        <Title text=t(M::ImportNoun)/>
        <p class="crumbs"><A href="/imports">{t(M::ImportData)}</A></p>
        <Transition fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <p class="banner banner-error">{error_text(lang, &e)}</p> }.into_any(),
                    Ok(d) => {
                        let s = d.summary.clone();
                        let mut meta = format!("{} · {}", lang.t(entity_label(s.entity)), s.encoding);
                        if s.total_rows > 0 {
                            meta.push_str(&format!(" · {} {}", format_int(lang, s.total_rows), lang.t(M::ImpRows)));
                        }
                        let failed_analysis = s.status == ImportStatus::Failed && s.error.as_deref() == Some("analyzing");
                        let body = match (d.mapping, d.preview) {
                            (Some(m), _) => view! {
                                {failed_analysis.then(|| view! { <div class="banner banner-error" role="alert">{t(M::ImportFailed)}</div> })}
                                <MappingForm v=m tick=tick/>
                            }.into_any(),
                            (None, Some(p)) => view! { <ReviewStep s=s.clone() p=p tick=tick/> }.into_any(),
                            (None, None) => view! { <Progress s=s.clone()/> }.into_any(),
                        };
                        view! {
                            <div class="page-head">
                                <h1>{s.file_name.clone()}</h1>
                                <span class="badge" id="import-status">{lang.t(status_label(s.status))}</span>
                            </div>
                            <p class="muted">{meta}</p>
                            {body}
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn Progress(s: ImportSummary) -> impl IntoView {
    let lang = use_lang();
    let pct = s.percent();
    let what = if s.status == ImportStatus::Analyzing { M::ImpStatusAnalyzing } else { M::ImpStatusRunning };
    view! {
        <section class="card">
            <h2>{t(what)}</h2>
            <div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow=pct aria-label=lang.t(what)>
                <div class="progress-bar" style=format!("width: {pct}%")></div>
            </div>
            <p class="muted" aria-live="polite">
                {format!("{pct} % · {} / {}", format_int(lang, s.rows_done), if s.total_rows > 0 { format_int(lang, s.total_rows) } else { "…".into() })}
            </p>
        </section>
    }
}

#[component]
fn MappingForm(v: MappingView, tick: RwSignal<u32>) -> impl IntoView {
    let lang = use_lang();
    let toasts = use_toasts();
    let id = v.import.id;
    let version = v.import.version;
    let entity = v.import.entity;
    let mapping = RwSignal::new(v.mapping.clone());
    let options = RwSignal::new(v.options.clone());
    let save_as = RwSignal::new(String::new());
    let error = RwSignal::new(None::<crate::error::AppError>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        leptos::task::spawn_local(async move {
            let r = analyse_import(id, version, mapping.get_untracked(), options.get_untracked(), save_as.get_untracked()).await;
            busy.set(false);
            match r {
                Ok(()) => tick.update(|t| *t += 1),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let apply_saved = move |mid: i64| {
        leptos::task::spawn_local(async move {
            match apply_saved_mapping(id, mid).await {
                Ok(()) => tick.update(|t| *t += 1),
                Err(e) => toasts.push(error_text(lang, &e), true),
            }
        });
    };
    let switch = move |label: M, get: fn(&ImportOptions) -> bool, set: fn(&mut ImportOptions, bool)| {
        view! {
            <label class="inline">
                <input type="checkbox" checked=options.with_untracked(get) prop:checked=move || options.with(get) on:change=move |ev| { let on = event_target_checked(&ev); options.update(|o| set(o, on)); }/>
                {lang.t(label)}
            </label>
        }
    };
    let samples = v.samples.clone();
    view! {
        <form class="card" on:submit=submit>
            <h2>{t(M::ImportMapColumns)}</h2>
            <p class="muted">{t(M::ImportMapHelp)}</p>
            {(!v.saved.is_empty()).then(|| {
                let saved = v.saved.clone();
                view! {
                    <p class="inline-form">
                        <label for="saved-mapping">{t(M::SavedMappings)}</label>
                        <select id="saved-mapping" on:change=move |ev| { if let Ok(mid) = event_target_value(&ev).parse::<i64>() { apply_saved(mid) } }>
                            <option value="">"—"</option>
                            {saved.into_iter().map(|s| view! { <option value=s.id.to_string()>{s.name}</option> }).collect_view()}
                        </select>
                    </p>
                }
            })}
            <div class="table-wrap">
            <table class="table mapping">
                <thead><tr><th>{t(M::ImportColumn)}</th><th>{t(M::ImportSample)}</th><th>{t(M::ImportField)}</th></tr></thead>
                <tbody>
                    {v.headers.iter().enumerate().map(|(i, h)| {
                        let sample: Vec<String> = samples.iter().take(3).map(|r| r.get(i).cloned().unwrap_or_default()).filter(|s| !s.is_empty()).collect();
                        let sel_id = format!("map-{i}");
                        view! {
                            <tr>
                                <td><label for=sel_id.clone()>{h.clone()}</label></td>
                                <td class="muted">{sample.join(" · ")}</td>
                                <td>
                                    <select id=sel_id name=format!("map-{i}") on:change=move |ev| { let f = event_target_value(&ev); mapping.update(|m| { if m.len() <= i { m.resize(i + 1, String::new()) } m[i] = f; }); }>
                                        <option value="" selected=move || mapping.with(|m| m.get(i).map(|x| x.is_empty()).unwrap_or(true))>{lang.t(M::DoNotImport)}</option>
                                        {entity.fields().iter().map(|f| {
                                            let f = *f;
                                            view! { <option value=f selected=move || mapping.with(|m| m.get(i).map(|x| x == f).unwrap_or(false))>{lang.t(field_label(f))}</option> }
                                        }).collect_view()}
                                    </select>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            </div>
            <fieldset class="switches">
                <legend>{t(M::ImportCleaning)}</legend>
                {switch(M::NormSpaces, |o| o.spaces, |o, v| o.spaces = v)}
                {switch(M::NormCase, |o| o.proper_case, |o, v| o.proper_case = v)}
                {switch(M::NormEmails, |o| o.emails, |o, v| o.emails = v)}
                {switch(M::NormPhones, |o| o.phones, |o, v| o.phones = v)}
                {switch(M::NormCities, |o| o.cities, |o, v| o.cities = v)}
                {switch(M::NormCyrillic, |o| o.cyrillic, |o, v| o.cyrillic = v)}
                {(entity == ImportEntity::Contact).then(|| switch(M::ImportCreateCompanies, |o| o.create_accounts, |o, v| o.create_accounts = v))}
            </fieldset>
            <p class="inline-form">
                <label for="save-as">{t(M::SaveMappingAs)}</label>
                <input id="save-as" type="text" maxlength="100" prop:value=move || save_as.get() on:input=move |ev| save_as.set(event_target_value(&ev))/>
            </p>
            {move || error.get().map(|e| view! { <div class="banner banner-error" role="alert">{error_text(lang, &e)}</div> })}
            <button type="submit" class="btn btn-primary" disabled=move || busy.get()>{t(M::ImportAnalyse)}</button>
        </form>
    }
}

#[component]
fn ReviewStep(s: ImportSummary, p: PreviewView, tick: RwSignal<u32>) -> impl IntoView {
    let lang = use_lang();
    let toasts = use_toasts();
    let id = s.id;
    let status = s.status;
    let version = s.version;
    let start = move |_| {
        leptos::task::spawn_local(async move {
            match start_import(id, version).await {
                Ok(()) => tick.update(|t| *t += 1),
                Err(e) => toasts.push(error_text(lang, &e), true),
            }
        });
    };
    let undo = move |_| {
        let ok = window().confirm_with_message(lang.t(M::ImportUndoConfirm)).unwrap_or(false);
        if !ok {
            return;
        }
        leptos::task::spawn_local(async move {
            match undo_import(id).await {
                Ok(()) => {
                    toasts.push(lang.t(M::ImportUndoneToast), false);
                    tick.update(|t| *t += 1)
                }
                Err(e) => toasts.push(error_text(lang, &e), true),
            }
        });
    };
    let list_href = list_path(s.entity);
    let stat = |label: M, n: i64, id: &'static str| view! { <div class="stat" id=id><span class="stat-value">{format_int(lang, n)}</span><span class="stat-label">{lang.t(label)}</span></div> };
    view! {
        <section class="card">
            <div class="stats">
                {stat(M::ImpRows, s.total_rows, "stat-rows")}
                {(status != ImportStatus::Review).then(|| view! {
                    {stat(M::ImpCreated, s.created, "stat-created")}
                    {stat(M::ImpUpdated, s.updated, "stat-updated")}
                    {stat(M::ImpSkipped, s.skipped, "stat-skipped")}
                })}
                {stat(M::ImpRejected, s.rejected, "stat-rejected")}
                {stat(M::ImpGroups, s.groups, "stat-groups")}
            </div>
            {(status == ImportStatus::Done).then(|| view! { <div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow="100" aria-label=lang.t(M::ImpStatusDone)><div class="progress-bar" style="width: 100%"></div></div> })}
            {(status == ImportStatus::Failed).then(|| view! { <div class="banner banner-error" role="alert">{t(M::ImportFailed)}</div> })}
            <div class="head-actions">
                {(status == ImportStatus::Review).then(|| view! { <button type="button" class="btn btn-primary" id="start-import" on:click=start>{t(M::ImportStart)}</button> })}
                {(s.rejected > 0).then(|| view! { <a class="btn" href=format!("/imports/{id}/rejected.csv") rel="external" download="">{t(M::ImportDownloadRejects)}</a> })}
                {matches!(status, ImportStatus::Done | ImportStatus::Failed).then(|| view! {
                    <A href=list_href attr:class="btn">{t(M::ImportOpenList)}</A>
                    <button type="button" class="btn btn-danger" id="undo-import" on:click=undo>{t(M::ImportUndo)}</button>
                })}
            </div>
        </section>
        {p.outcome.clone().map(|o| view! { <OutcomeSection o=o entity=s.entity/> })}
        <PreviewSections p=p editable=status == ImportStatus::Review tick=tick/>
    }
}

/// Where a finished import's rows went: the distinct records, what was created, which existing records
/// the rows updated (or were skipped for), and the rejects.
#[component]
fn OutcomeSection(o: ImportOutcome, entity: ImportEntity) -> impl IntoView {
    let lang = use_lang();
    let n = move |v: i64| format_int(lang, v);
    let sentence = lang
        .t(M::ImportOutcomeSentence)
        .replace("{distinct}", &n(o.distinct))
        .replace("{created}", &n(o.created))
        .replace("{updated}", &n(o.updated_existing))
        .replace("{skipped}", &n(o.skipped_existing))
        .replace("{rejected}", &n(o.rejected));
    let more = o.updated_existing + o.skipped_existing - o.existing.len() as i64;
    view! {
        <section class="card" id="outcome">
            <h2>{t(M::ImportOutcome)}</h2>
            <p id="outcome-sentence">{sentence}</p>
            {(!o.existing.is_empty()).then(|| view! {
                <h3>{t(M::ImportOutcomeExisting)}</h3>
                <div class="table-wrap">
                <table class="table" id="outcome-existing">
                    <thead><tr><th>{t(M::ExistingRecord)}</th><th>{t(M::ImpRow)}</th><th>{t(M::ImportOutcomeWhat)}</th></tr></thead>
                    <tbody>
                        {o.existing.iter().map(|e| {
                            let rows = e.rows.iter().map(|r| r.to_string()).collect::<Vec<_>>().join(", ");
                            let what = if e.skipped { M::ImpSkipped } else { M::ImpUpdated };
                            view! {
                                <tr>
                                    <td><a href=format!("{}/{}", record_path(entity), e.id)>{e.label.clone()}</a></td>
                                    <td>{rows}</td>
                                    <td>{lang.t(what)}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
                </div>
                {(more > 0).then(|| view! { <p class="muted">{lang.t(M::AndMore).replace("{n}", &n(more))}</p> })}
            })}
        </section>
    }
}

/// A cell's value as the user reads it: relationship types and buying roles by their label.
fn shown_value(lang: Lang, field: &str, value: &str) -> String {
    match field {
        "types" => value
            .split(',')
            .map(|c| {
                crate::domain::RelationshipType::parse(c)
                    .map(|t| lang.t(crate::i18n::labels::rel_label(t)).to_string())
                    .unwrap_or_else(|| c.to_string())
            })
            .collect::<Vec<_>>()
            .join(", "),
        "buying_role" => crate::domain::BuyingRole::parse(value)
            .map(|r| lang.t(crate::i18n::labels::buying_label(r)).to_string())
            .unwrap_or_else(|| value.to_string()),
        _ => value.to_string(),
    }
}

fn problem_line(lang: Lang, cells: &[CellView]) -> String {
    cells.iter().filter_map(|c| c.problem.as_ref().map(|p| field_message(lang, &c.field, p))).collect::<Vec<_>>().join("; ")
}

#[component]
fn PreviewSections(p: PreviewView, editable: bool, tick: RwSignal<u32>) -> impl IntoView {
    let lang = use_lang();
    let fields: Vec<String> = p.fields.iter().filter(|f| *f != "full_name").cloned().collect();
    let shown: Vec<String> = if p.fields.iter().any(|f| f == "full_name") {
        let mut v = vec!["first_name".to_string(), "last_name".to_string()];
        v.extend(fields.iter().filter(|f| *f != "first_name" && *f != "last_name").cloned());
        v
    } else {
        fields
    };
    let (id, entity) = (p.import.id, p.import.entity);
    let groups = p.groups.clone();
    let new_accounts = p.new_accounts.clone();
    view! {
        {new_accounts.map(|n| {
            let more = n.count - n.names.len() as i64;
            view! {
                <section class="card" id="new-companies">
                    <h2>{t(M::ImportNewCompanies)}</h2>
                    <p>{lang.t(M::ImportNewCompaniesHelp).replace("{n}", &format_int(lang, n.count))}</p>
                    <ul>{n.names.iter().map(|name| view! { <li>{name.clone()}</li> }).collect_view()}</ul>
                    {(more > 0).then(|| view! { <p class="muted">{lang.t(M::AndMore).replace("{n}", &format_int(lang, more))}</p> })}
                </section>
            }
        })}
        {(!groups.is_empty()).then(|| view! {
            <section class="card" id="duplicates">
                <h2>{t(M::ImportDuplicates)}</h2>
                <p class="muted">{t(M::ImportDuplicatesHelp)}</p>
                {groups.into_iter().map(|g| view! { <GroupCard g=g id=id entity=entity editable=editable tick=tick/> }).collect_view()}
            </section>
        })}
        {(!p.rejects.is_empty()).then(|| view! {
            <section class="card" id="rejects">
                <h2>{t(M::ImportRejectedRows)}</h2>
                <table class="table">
                    <thead><tr><th class="num">{t(M::ImpRow)}</th><th>{t(M::ImportReason)}</th></tr></thead>
                    <tbody>
                        {p.rejects.iter().map(|r| view! { <tr><td class="num">{r.row_no}</td><td>{problem_line(lang, &r.cells)}</td></tr> }).collect_view()}
                    </tbody>
                </table>
            </section>
        })}
        <section class="card" id="preview">
            <h2>{t(M::ImportPreview)}</h2>
            <p class="muted">{t(M::ImportPreviewHelp)}</p>
            <div class="table-wrap">
            <table class="table preview">
                <thead><tr>
                    <th class="num">{t(M::ImpRow)}</th>
                    {shown.iter().map(|f| view! { <th>{lang.t(field_label(f))}</th> }).collect_view()}
                </tr></thead>
                <tbody>
                    {p.rows.iter().map(|r| {
                        view! {
                            <tr class:rejected=r.rejected>
                                <td class="num">{r.row_no}</td>
                                {shown.iter().map(|f| {
                                    let c = r.cells.iter().find(|c| &c.field == f).cloned();
                                    match c {
                                        None => view! { <td></td> }.into_any(),
                                        Some(c) => {
                                            let changed = c.before.trim() != c.after;
                                            let shown = shown_value(lang, &c.field, &c.after);
                                            let title = c.problem.as_ref().map(|p| field_message(lang, &c.field, p));
                                            view! {
                                                <td class:cell-error=c.problem.is_some() title=title>
                                                    {shown}
                                                    {changed.then(|| view! { <span class="was">{lang.t(M::WasValue)}" "{c.before.clone()}</span> })}
                                                </td>
                                            }.into_any()
                                        }
                                    }
                                }).collect_view()}
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
fn GroupCard(g: DuplicateGroup, id: i64, entity: ImportEntity, editable: bool, tick: RwSignal<u32>) -> impl IntoView {
    let lang = use_lang();
    let toasts = use_toasts();
    let group = g.group;
    let decision = RwSignal::new(g.decision);
    let policies = RwSignal::new(g.policies.clone());
    let save = move || {
        let d = decision.get_untracked();
        let pol: Vec<String> = policies.get_untracked().into_iter().map(|(f, p)| format!("{f}:{}", p.code())).collect();
        leptos::task::spawn_local(async move {
            match decide_group(id, group, d.code().to_string(), pol).await {
                Ok(()) => toasts.push(lang.t(M::Saved), false),
                Err(e) => {
                    toasts.push(error_text(lang, &e), true);
                    tick.update(|t| *t += 1);
                }
            }
        });
    };
    let joined = RwSignal::new(g.suggestion.as_ref().is_some_and(|x| x.joined));
    let join = move |value: bool| {
        joined.set(value);
        leptos::task::spawn_local(async move {
            match join_suggestion(id, group, value).await {
                Ok(()) => toasts.push(lang.t(M::Saved), false),
                Err(e) => {
                    toasts.push(error_text(lang, &e), true);
                    tick.update(|t| *t += 1);
                }
            }
        });
    };
    let rows_label = g.rows.iter().map(|r| r.to_string()).collect::<Vec<_>>().join(", ");
    let existing_href = g.existing_id.map(|e| format!("{}/{e}", record_path(entity)));
    let sim = (g.matched_by == "name" && g.similarity < 100).then(|| format!(" ({} %)", g.similarity));
    let n_rows = g.rows.len();
    view! {
        <div class="dup-group" data-group=group>
            <p>
                <strong>{lang.t(M::ImpRows)}" "{rows_label}</strong>
                {(!g.matched_by.is_empty()).then(|| view! { " · "{lang.t(M::MatchedBy)}" "{lang.t(matched_label(&g.matched_by))}{sim.clone()} })}
                {g.existing_label.clone().zip(existing_href).map(|(l, h)| view! { " · "{lang.t(M::ExistingRecord)}": "<a href=h>{l}</a> })}
            </p>
            {g.suggestion.clone().map(|sug| {
                let target = match sug.existing_id {
                    Some(e) => view! { {lang.t(M::ExistingRecord)}" "<a href=format!("{}/{e}", record_path(entity))>{sug.label.clone()}</a> }.into_any(),
                    None => {
                        let rows = sug.rows.iter().map(|r| r.to_string()).collect::<Vec<_>>().join(", ");
                        view! { <strong>{sug.label.clone()}</strong>" ("{lang.t(M::ImpRows)}" "{rows}")" }.into_any()
                    }
                };
                let name = format!("join-{group}");
                view! {
                    <div class="suggestion" role="group" aria-label=lang.t(M::ImportSuggestion)>
                        <p>{t(M::ImportSuggestion)}": "{target}" · "{lang.t(M::ImportSimilarName).replace("{n}", &sug.similarity.to_string())}</p>
                        <p class="muted">{t(M::ImportSuggestionHelp)}</p>
                        <label class="inline">
                            <input type="radio" name=name.clone() value="apart" class="join-apart" disabled=!editable
                                prop:checked=move || !joined.get() on:change=move |_| join(false)/>
                            {t(M::ImportKeepApart)}
                        </label>
                        " "
                        <label class="inline">
                            <input type="radio" name=name value="joined" class="join-same" disabled=!editable
                                prop:checked=move || joined.get() on:change=move |_| join(true)/>
                            {t(M::ImportSameRecord)}
                        </label>
                    </div>
                }
            })}
            <label class="inline">
                {t(M::ImportDecision)}" "
                <select class="decision" disabled=!editable on:change=move |ev| { if let Some(d) = Decision::parse(&event_target_value(&ev)) { decision.set(d); save(); } }>
                    {Decision::ALL.iter().map(|d| view! { <option value=d.code() selected=*d == g.decision>{lang.t(decision_label(*d))}</option> }).collect_view()}
                </select>
            </label>
            <table class="table compact">
                <thead><tr>
                    <th>{t(M::ImportField)}</th><th>{t(M::ExistingRecord)}</th>
                    {(0..n_rows).map(|i| view! { <th>{lang.t(M::ImpRow)}" "{g.rows[i]}</th> }).collect_view()}
                    <th>{t(M::WhenUpdating)}</th>
                </tr></thead>
                <tbody>
                    {g.fields.iter().map(|(f, old, vals)| {
                        let f2 = f.clone();
                        let current = g.policies.iter().find(|(x, _)| x == f).map(|(_, p)| *p).unwrap_or(FieldPolicy::FillEmpty);
                        view! {
                            <tr>
                                <td>{lang.t(field_label(f))}</td>
                                <td>{old.clone().unwrap_or_default()}</td>
                                {vals.iter().map(|v| view! { <td>{v.clone()}</td> }).collect_view()}
                                <td>
                                    <select class="policy" aria-label=format!("{} — {}", lang.t(M::WhenUpdating), lang.t(field_label(f))) disabled=move || !editable || decision.get() != Decision::Update
                                        on:change=move |ev| {
                                            if let Some(p) = FieldPolicy::parse(&event_target_value(&ev)) {
                                                let f = f2.clone();
                                                policies.update(|ps| { ps.retain(|(x, _)| *x != f); ps.push((f, p)); });
                                                save();
                                            }
                                        }>
                                        {FieldPolicy::ALL.iter().map(|p| view! { <option value=p.code() selected=*p == current>{lang.t(policy_label(*p))}</option> }).collect_view()}
                                    </select>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
