//! The account page (`/account`): change your password, see where you are signed in and end those
//! sessions, read your sign-in history. An administrator opens it for another user
//! (`/account?user=7`) to read their sign-in history and set a new password they must change.

use crate::api::session::{get_security, ChangePassword, EndSession, ResetPassword, SecurityPage};
use crate::components::context::{t, use_lang};
use crate::components::fields::TextField;
use crate::components::toast::use_toasts;
use crate::components::{ErrorBanner, Loading};
use crate::domain::{SessionView, SignInEntry, UseEntry};
use crate::i18n::labels::error_text;
use crate::i18n::{format_local, M};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AccountPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let user = Memo::new(move |_| query.with(|q| q.get("user").and_then(|u| u.parse::<i64>().ok())));
    let change = ServerAction::<ChangePassword>::new();
    let end = ServerAction::<EndSession>::new();
    let reset = ServerAction::<ResetPassword>::new();
    let page = Resource::new(move || (user.get(), end.version().get(), change.version().get()), |(user, _, _)| get_security(user));
    view! {
        <Title text=t(M::MyAccount)/>
        <Transition fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => view! { <Security page=p change=change end=end reset=reset/> }.into_any(),
                    Err(e) => view! { <p class="banner banner-error">{error_text(lang, &e)}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Security(
    page: SecurityPage,
    change: ServerAction<ChangePassword>,
    end: ServerAction<EndSession>,
    reset: ServerAction<ResetPassword>,
) -> impl IntoView {
    let lang = use_lang();
    let title = if page.own { lang.t(M::MyAccount).to_string() } else { format!("{} · {}", lang.t(M::Security), page.user_name) };
    view! {
        <div class="page-head">
            <h1>{title}</h1>
        </div>
        {page.must_change_password.then(|| view! { <div class="banner banner-warning" role="alert">{t(M::MustChangePassword)}</div> })}
        <div class="two-col">
            {if page.own {
                view! { <ChangePasswordForm change=change must_change=page.must_change_password/> }.into_any()
            } else {
                view! { <ResetPasswordForm reset=reset user_id=page.user_id/> }.into_any()
            }}
            {page.own.then(|| view! { <Sessions sessions=page.sessions.clone() end=end/> })}
        </div>
        <SignIns entries=page.sign_ins/>
        <Uses entries=page.uses/>
    }
}

#[component]
fn ChangePasswordForm(change: ServerAction<ChangePassword>, must_change: bool) -> impl IntoView {
    let lang = use_lang();
    let toasts = use_toasts();
    let error = Signal::derive(move || change.value().get().and_then(|r| r.err()));
    // The form is built anew when the page's data come back after a change: only a change made since
    // this form was built is announced.
    let built_at = change.version().get_untracked();
    Effect::new(move || {
        if change.version().get() > built_at && matches!(change.value().get(), Some(Ok(()))) {
            toasts.push(lang.t(M::PasswordChanged).to_string(), false);
            // A user who had to change it goes on to the app (every page was closed to them).
            if must_change {
                crate::components::context::go_to("/");
            }
        }
    });
    view! {
        <section class="card">
            <h2>{t(M::ChangePassword)}</h2>
            <p class="muted">{t(M::ChangePasswordHint)}</p>
            <ActionForm action=change attr:class="stack" attr:id="change-password">
                <ErrorBanner error=error fields=&["current_password", "new_password"]/>
                <TextField label=M::CurrentPassword key="current_password" value="" error=error kind="password" required=true plain=true autocomplete="current-password"/>
                <TextField label=M::NewPassword key="new_password" value="" error=error kind="password" required=true plain=true autocomplete="new-password"/>
                <button type="submit" class="btn btn-primary" disabled=move || change.pending().get()>{t(M::ChangePassword)}</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn ResetPasswordForm(reset: ServerAction<ResetPassword>, user_id: i64) -> impl IntoView {
    let error = Signal::derive(move || reset.value().get().and_then(|r| r.err()));
    let done = move || matches!(reset.value().get(), Some(Ok(())));
    view! {
        <section class="card">
            <h2>{t(M::ResetPassword)}</h2>
            <p class="muted">{t(M::ResetPasswordHint)}</p>
            <ActionForm action=reset attr:class="stack" attr:id="reset-password">
                <input type="hidden" name="user_id" value=user_id.to_string()/>
                <ErrorBanner error=error fields=&["password"]/>
                <TextField label=M::NewPassword key="password" value="" error=error kind="password" required=true plain=true autocomplete="new-password"/>
                <button type="submit" class="btn btn-primary" disabled=move || reset.pending().get()>{t(M::ResetPassword)}</button>
                {move || done().then(|| view! { <p class="banner banner-ok" role="status">{t(M::PasswordReset)}</p> })}
            </ActionForm>
        </section>
    }
}

#[component]
fn Sessions(sessions: Vec<SessionView>, end: ServerAction<EndSession>) -> impl IntoView {
    let lang = use_lang();
    view! {
        <section class="card">
            <h2>{t(M::YourSessions)}</h2>
            <table class="table" id="sessions">
                <thead>
                    <tr><th>{t(M::Browser)}</th><th>{t(M::IpAddress)}</th><th>{t(M::SessionStarted)}</th><th>{t(M::SessionLastUsed)}</th><th></th></tr>
                </thead>
                <tbody>
                    {sessions
                        .into_iter()
                        .map(|s| view! {
                            <tr>
                                <td>{s.browser.clone()}</td>
                                <td>{s.ip.clone()}</td>
                                <td>{format_local(lang, &s.created_at)}</td>
                                <td>{s.last_seen_at.as_deref().map(|l| format_local(lang, l)).unwrap_or_default()}</td>
                                <td>
                                    {if s.current {
                                        view! { <span class="badge">{t(M::ThisBrowser)}</span> }.into_any()
                                    } else {
                                        view! {
                                            <ActionForm action=end>
                                                <input type="hidden" name="id" value=s.id.clone()/>
                                                <button type="submit" class="btn btn-small">{t(M::EndSession)}</button>
                                            </ActionForm>
                                        }
                                        .into_any()
                                    }}
                                </td>
                            </tr>
                        })
                        .collect_view()}
                </tbody>
            </table>
        </section>
    }
}

#[component]
fn SignIns(entries: Vec<SignInEntry>) -> impl IntoView {
    let lang = use_lang();
    view! {
        <section class="card">
            <h2>{t(M::SignInLog)}</h2>
            <table class="table" id="sign-ins">
                <thead>
                    <tr><th>{t(M::SessionStarted)}</th><th>{t(M::IpAddress)}</th><th>{t(M::Browser)}</th><th>{t(M::Status)}</th></tr>
                </thead>
                <tbody>
                    {entries
                        .into_iter()
                        .map(|e| {
                            let outcome = match e.outcome.as_str() {
                                "ok" => M::SignInOk,
                                "throttled" => M::SignInThrottled,
                                _ => M::SignInWrongPassword,
                            };
                            view! {
                                <tr class:inactive=e.outcome != "ok">
                                    <td>{format_local(lang, &e.at)}</td>
                                    <td>{e.ip.clone()}</td>
                                    <td>{e.browser.clone()}</td>
                                    <td>{t(outcome)}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </section>
    }
}

#[component]
fn Uses(entries: Vec<UseEntry>) -> impl IntoView {
    let lang = use_lang();
    view! {
        <section class="card">
            <h2>{t(M::UsageLog)}</h2>
            <table class="table" id="usage">
                <tbody>
                    {entries
                        .into_iter()
                        .map(|e| {
                            let kind = if e.kind == "email" { M::UseEmail } else { M::UseExport };
                            view! {
                                <tr>
                                    <td>{format_local(lang, &e.at)}</td>
                                    <td>{t(kind)}</td>
                                    <td class="wrap">{e.detail.clone()}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </section>
    }
}
