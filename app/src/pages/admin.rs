//! Administration: invite users and change their role, team and status; the roles that must sign in
//! with two factors; teams; pipeline stages.

use crate::api::activities::SetStaleDays;
use crate::api::admin::{get_admin_data, CreateTeam, InviteUser, ReorderStage, SavePicklistValue, SaveStage, UpdateUser};
use crate::api::two_factor::SetTwoFactorRoles;
use crate::components::context::{t, use_lang};
use crate::components::fields::{SelectField, TextField};
use crate::components::toast::use_toasts;
use crate::components::{ErrorBanner, Loading};
use crate::domain::{PicklistValue, Role, Stage, StageKind, Team, UserView, LIST_DISQUALIFY_REASON, LIST_LEAD_SOURCE, LIST_LOSS_REASON};
use crate::i18n::labels::{error_text, kind_label, role_label};
use crate::i18n::M;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AdminPage() -> impl IntoView {
    let lang = use_lang();
    let me = crate::components::context::session_user();
    if me.as_ref().map(|m| m.role) != Some(Role::Admin) {
        return view! { <p class="banner banner-error">{t(M::Forbidden)}</p> }.into_any();
    }
    // Everything the page shows, in one resource created before the actions (so that server and
    // browser create their resources in the same order), reloaded after any change.
    let reload = RwSignal::new(0u32);
    let data = Resource::new(move || reload.get(), |_| get_admin_data());
    let invite = ServerAction::<InviteUser>::new();
    let update = ServerAction::<UpdateUser>::new();
    let team_action = ServerAction::<CreateTeam>::new();
    let stage_action = ServerAction::<SaveStage>::new();
    let reorder = ServerAction::<ReorderStage>::new();
    let picklist = ServerAction::<SavePicklistValue>::new();
    let stale = ServerAction::<SetStaleDays>::new();
    let two_factor = ServerAction::<SetTwoFactorRoles>::new();
    Effect::new(move |previous: Option<usize>| {
        let versions = two_factor.version().get()
            + invite.version().get()
            + update.version().get()
            + team_action.version().get()
            + stage_action.version().get()
            + reorder.version().get()
            + picklist.version().get()
            + stale.version().get();
        if previous.is_some_and(|p| p != versions) {
            reload.update(|n| *n += 1);
        }
        versions
    });
    let toasts = use_toasts();
    Effect::new(move || match update.value().get() {
        Some(Ok(())) => toasts.push(lang.t(M::Saved), false),
        Some(Err(e)) => toasts.push(error_text(lang, &e), true),
        None => {}
    });
    Effect::new(move || {
        if let Some(Err(e)) = stage_action.value().get() {
            toasts.push(error_text(lang, &e), true);
        }
    });
    Effect::new(move || match picklist.value().get() {
        Some(Ok(_)) => toasts.push(lang.t(M::Saved), false),
        Some(Err(e)) => toasts.push(error_text(lang, &e), true),
        None => {}
    });
    Effect::new(move || match stale.value().get() {
        Some(Ok(())) => toasts.push(lang.t(M::Saved), false),
        Some(Err(e)) => toasts.push(error_text(lang, &e), true),
        None => {}
    });
    Effect::new(move || match two_factor.value().get() {
        Some(Ok(())) => toasts.push(lang.t(M::Saved), false),
        Some(Err(e)) => toasts.push(error_text(lang, &e), true),
        None => {}
    });
    let invite_error = Signal::derive(move || invite.value().get().and_then(|r| r.err()));
    let team_error = Signal::derive(move || team_action.value().get().and_then(|r| r.err()));
    view! {
        <Title text=t(M::Admin)/>
        <div class="page-head">
            <h1>{t(M::Admin)}</h1>
            <div class="head-actions"><a class="btn" href="/admin/personal-data">{t(M::PersonalRequests)}</a></div>
        </div>
        <Transition fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                let (users, teams, stages, lists, stale_days, two_factor_roles) = match data.await {
                    Ok(d) => (Ok(d.users), d.teams, d.stages, d.picklists, d.stale_days, d.two_factor_roles),
                    Err(e) => (Err(e), Vec::new(), Vec::new(), Default::default(), 14, Vec::new()),
                };
                let team_opts: Vec<(String, String)> = teams.iter().map(|t| (t.id.to_string(), t.name.clone())).collect();
                let role_opts: Vec<(String, String)> = Role::ALL.iter().map(|r| (r.code().to_string(), lang.t(role_label(*r)).to_string())).collect();
                view! {
                    <section class="card">
                        <h2>{t(M::Users)}</h2>
                        {match users {
                            Err(e) => view! { <p class="banner banner-error">{error_text(lang, &e)}</p> }.into_any(),
                            Ok(list) => view! { <UsersTable users=list teams=teams.clone() update=update/> }.into_any(),
                        }}
                        <h3>{t(M::Invite)}</h3>
                        <ActionForm action=invite attr:class="form-grid compact" attr:novalidate=true>
                            <ErrorBanner error=invite_error fields=&["email", "name", "role", "team_id", "password"]/>
                            <TextField label=M::FullName key="name" value="" error=invite_error required=true plain=true form="invite-"/>
                            <TextField label=M::Email key="email" value="" error=invite_error kind="email" required=true plain=true form="invite-"/>
                            <SelectField label=M::Role key="role" options=role_opts selected="sales" error=invite_error plain=true form="invite-"/>
                            <SelectField label=M::Team key="team_id" options=team_opts.clone() selected="" error=invite_error empty=M::NoTeam plain=true form="invite-"/>
                            <TextField label=M::FirstPassword key="password" value="" error=invite_error kind="password" required=true plain=true autocomplete="new-password" form="invite-"/>
                            <div class="form-actions"><button type="submit" class="btn btn-primary">{t(M::Invite)}</button></div>
                        </ActionForm>
                        <h3>{t(M::TwoFactor)}</h3>
                        <ActionForm action=two_factor attr:class="stack" attr:id="two-factor-roles">
                            <fieldset class="field checks">
                                <legend>{t(M::TwoFactorRequiredFor)}</legend>
                                {Role::ALL
                                    .iter()
                                    .map(|r| view! {
                                        <label class="check">
                                            <input type="checkbox" name="roles[]" value=r.code() checked=two_factor_roles.contains(r)/>
                                            {lang.t(role_label(*r))}
                                        </label>
                                    })
                                    .collect_view()}
                            </fieldset>
                            <p class="muted">{t(M::TwoFactorRolesHint)}</p>
                            <div class="form-actions"><button type="submit" class="btn">{t(M::Save)}</button></div>
                        </ActionForm>
                    </section>
                    <div class="two-col">
                        <section class="card">
                            <h2>{t(M::Teams)}</h2>
                            <ul class="plain-list">{teams.iter().map(|t: &Team| view! { <li>{t.name.clone()}</li> }).collect_view()}</ul>
                            <ActionForm action=team_action attr:class="inline-form">
                                <TextField label=M::NewTeam key="name" value="" error=team_error plain=true form="team-"/>
                                <button type="submit" class="btn">{t(M::AddTeam)}</button>
                            </ActionForm>
                        </section>
                        <section class="card">
                            <h2>{t(M::Stages)}</h2>
                            <StagesTable stages=stages save=stage_action reorder=reorder/>
                        </section>
                    </div>
                    <div class="two-col">
                        <section class="card">
                            <h2>{t(M::LeadSources)}</h2>
                            <PicklistTable list=LIST_LEAD_SOURCE values=lists.sources save=picklist/>
                        </section>
                        <section class="card">
                            <h2>{t(M::DisqualifyReasons)}</h2>
                            <PicklistTable list=LIST_DISQUALIFY_REASON values=lists.disqualify_reasons save=picklist/>
                        </section>
                    </div>
                    <section class="card">
                        <h2>{t(M::LossReasons)}</h2>
                        <PicklistTable list=LIST_LOSS_REASON values=lists.loss_reasons save=picklist/>
                    </section>
                    <section class="card">
                        <h2>{t(M::MyDay)}</h2>
                        <ActionForm action=stale attr:class="inline-form">
                            <label for="stale-days">{t(M::StaleDaysSetting)}</label>
                            <input id="stale-days" name="days" type="number" min="1" max="365" class="narrow-input" value=stale_days.to_string()/>
                            <button type="submit" class="btn">{t(M::Save)}</button>
                        </ActionForm>
                    </section>
                }
                .into_any()
            })}
        </Transition>
    }
    .into_any()
}

#[component]
fn UsersTable(users: Vec<UserView>, teams: Vec<Team>, update: ServerAction<UpdateUser>) -> impl IntoView {
    let lang = use_lang();
    view! {
        <div class="table-wrap">
            <table class="table">
                <thead>
                    <tr>
                        <th>{t(M::FullName)}</th>
                        <th>{t(M::Email)}</th>
                        <th colspan="4">{t(M::Role)} " · " {t(M::Team)} " · " {t(M::Active)}</th>
                    </tr>
                </thead>
                <tbody>
                    {users
                        .into_iter()
                        .map(|u| {
                            let teams: Vec<(String, String, bool)> = std::iter::once((String::new(), lang.t(M::NoTeam).to_string(), u.team_id.is_none()))
                                .chain(teams.iter().map(|t| (t.id.to_string(), t.name.clone(), Some(t.id) == u.team_id)))
                                .collect();
                            view! {
                                <tr class:inactive=!u.active>
                                    <td>
                                        {u.name.clone()}
                                        {u.two_factor.then(|| view! { " " <span class="badge" title=lang.t(M::TwoFactor)>{lang.t(M::TwoFactorBadge)}</span> })}
                                    </td>
                                    <td>{u.email.clone()}</td>
                                    <td colspan="4">
                                        <ActionForm action=update attr:class="row-form">
                                            <input type="hidden" name="id" value=u.id.to_string()/>
                                            <input type="hidden" name="version" value=u.version.to_string()/>
                                            <select name="role" aria-label=format!("{} {}", lang.t(M::Role), u.name)>
                                                {Role::ALL.iter().map(|r| view! { <option value=r.code() selected=*r == u.role>{lang.t(role_label(*r))}</option> }).collect_view()}
                                            </select>
                                            <select name="team_id" aria-label=format!("{} {}", lang.t(M::Team), u.name)>
                                                {teams.into_iter().map(|(v, label, sel)| view! { <option value=v selected=sel>{label}</option> }).collect_view()}
                                            </select>
                                            <select name="active" aria-label=format!("{} {}", lang.t(M::Active), u.name)>
                                                {[("true", M::Active, u.active), ("false", M::Inactive, !u.active)]
                                                    .into_iter()
                                                    .map(|(v, m, sel)| view! { <option value=v selected=sel>{lang.t(m)}</option> })
                                                    .collect_view()}
                                            </select>
                                            <label class="inline" title=lang.t(M::KeepRecordsHelp)>
                                                <input type="checkbox" name="keep_records" value="1"/>
                                                {lang.t(M::KeepRecords)}
                                            </label>
                                            <button type="submit" class="btn btn-small">{lang.t(M::Save)}</button>
                                            <a href=format!("/account?user={}", u.id) class="btn btn-ghost btn-small">{lang.t(M::Security)}</a>
                                        </ActionForm>
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn StagesTable(stages: Vec<Stage>, save: ServerAction<SaveStage>, reorder: ServerAction<ReorderStage>) -> impl IntoView {
    let lang = use_lang();
    let kinds = move |selected: StageKind| {
        StageKind::ALL
            .iter()
            .map(move |k| view! { <option value=k.code() selected=*k == selected>{lang.t(kind_label(*k))}</option> })
            .collect_view()
    };
    view! {
        <div class="table-wrap">
            <table class="table">
                <thead>
                    <tr>
                        <th>{t(M::StageName)}</th>
                        <th>"%"</th>
                        <th>{t(M::Kind)}</th>
                        <th>{t(M::Active)}</th>
                        <th>{t(M::Actions)}</th>
                    </tr>
                </thead>
                <tbody>
                    {stages
                        .into_iter()
                        .map(|s| {
                            let form_id = format!("stage-{}", s.id);
                            view! {
                                <tr class:inactive=!s.active>
                                    <td><input name="name" form=form_id.clone() value=s.name.clone() aria-label=lang.t(M::StageName)/></td>
                                    <td><input name="probability" form=form_id.clone() type="number" min="0" max="100" class="narrow-input" value=s.probability.to_string() aria-label=lang.t(M::Probability)/></td>
                                    <td><select name="kind" form=form_id.clone() aria-label=lang.t(M::Kind)>{kinds(s.kind)}</select></td>
                                    <td>
                                        <select name="active" form=form_id.clone() aria-label=lang.t(M::Active)>
                                            <option value="true" selected=s.active>{lang.t(M::Yes)}</option>
                                            <option value="false" selected=!s.active>{lang.t(M::No)}</option>
                                        </select>
                                    </td>
                                    <td class="row-actions">
                                        <ActionForm action=save attr:id=form_id>
                                            <input type="hidden" name="id" value=s.id.to_string()/>
                                            <input type="hidden" name="version" value=s.version.to_string()/>
                                            <button type="submit" class="btn btn-small">{lang.t(M::Save)}</button>
                                        </ActionForm>
                                        <ActionForm action=reorder>
                                            <input type="hidden" name="id" value=s.id.to_string()/>
                                            <input type="hidden" name="up" value="true"/>
                                            <button type="submit" class="btn btn-small btn-ghost" aria-label=lang.t(M::MoveUp) title=lang.t(M::MoveUp)>"↑"</button>
                                        </ActionForm>
                                        <ActionForm action=reorder>
                                            <input type="hidden" name="id" value=s.id.to_string()/>
                                            <input type="hidden" name="up" value="false"/>
                                            <button type="submit" class="btn btn-small btn-ghost" aria-label=lang.t(M::MoveDown) title=lang.t(M::MoveDown)>"↓"</button>
                                        </ActionForm>
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
        <h3>{t(M::AddStage)}</h3>
        <ActionForm action=save attr:class="inline-form">
            <input type="hidden" name="id" value=""/>
            <input type="hidden" name="version" value="0"/>
            <input type="hidden" name="active" value="true"/>
            <input name="name" placeholder=lang.t(M::StageName) aria-label=lang.t(M::StageName) required=true/>
            <input name="probability" type="number" min="0" max="100" class="narrow-input" placeholder="%" aria-label=lang.t(M::Probability)/>
            <select name="kind" aria-label=lang.t(M::Kind)>{kinds(StageKind::Open)}</select>
            <button type="submit" class="btn">{t(M::AddStage)}</button>
        </ActionForm>
    }
}

/// One admin-configurable list: rename or (de)activate values, add new ones.
#[component]
fn PicklistTable(list: &'static str, values: Vec<PicklistValue>, save: ServerAction<SavePicklistValue>) -> impl IntoView {
    let lang = use_lang();
    view! {
        <div class="table-wrap">
            <table class="table">
                <thead>
                    <tr>
                        <th>{t(M::LabelSr)}</th>
                        <th>{t(M::LabelEn)}</th>
                        <th>{t(M::Active)}</th>
                        <th>{t(M::Actions)}</th>
                    </tr>
                </thead>
                <tbody>
                    {values
                        .into_iter()
                        .map(|v| {
                            let form_id = format!("pl-{}", v.id);
                            view! {
                                <tr class:inactive=!v.active>
                                    <td><input name="input[label_sr]" form=form_id.clone() value=v.label_sr.clone() aria-label=lang.t(M::LabelSr)/></td>
                                    <td><input name="input[label_en]" form=form_id.clone() value=v.label_en.clone() aria-label=lang.t(M::LabelEn)/></td>
                                    <td>
                                        <select name="input[active]" form=form_id.clone() aria-label=lang.t(M::Active)>
                                            <option value="true" selected=v.active>{lang.t(M::Yes)}</option>
                                            <option value="false" selected=!v.active>{lang.t(M::No)}</option>
                                        </select>
                                    </td>
                                    <td>
                                        <ActionForm action=save attr:id=form_id>
                                            <input type="hidden" name="input[id]" value=v.id.to_string()/>
                                            <input type="hidden" name="input[version]" value=v.version.to_string()/>
                                            <input type="hidden" name="input[list]" value=list/>
                                            <button type="submit" class="btn btn-small">{lang.t(M::Save)}</button>
                                        </ActionForm>
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
        <ActionForm action=save attr:class="inline-form">
            <input type="hidden" name="input[id]" value=""/>
            <input type="hidden" name="input[version]" value="0"/>
            <input type="hidden" name="input[list]" value=list/>
            <input type="hidden" name="input[active]" value="true"/>
            <input name="input[label_sr]" placeholder=lang.t(M::LabelSr) aria-label=lang.t(M::LabelSr) required=true/>
            <input name="input[label_en]" placeholder=lang.t(M::LabelEn) aria-label=lang.t(M::LabelEn) required=true/>
            <button type="submit" class="btn">{t(M::Add)}</button>
        </ActionForm>
    }
}
