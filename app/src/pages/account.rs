//! The account page (`/account`): change your password, set up two-factor sign-in, see where you are
//! signed in and end those sessions, read your sign-in history. An administrator opens it for another
//! user (`/account?user=7`) to read their sign-in history, set a new password they must change, and
//! turn their two-factor sign-in off.

use crate::api::session::{get_security, get_signature, ChangePassword, EndSession, ResetPassword, SaveSignature, SecurityPage};
use crate::api::two_factor::{BeginTwoFactor, CancelTwoFactor, ConfirmTwoFactor, RenewRecoveryCodes, ResetTwoFactor, TurnOffTwoFactor};
use crate::components::context::{t, use_lang};
use crate::components::fields::TextField;
use crate::components::toast::use_toasts;
use crate::components::{ErrorBanner, Loading};
use crate::domain::{SessionView, SignInEntry, TwoFactorStatus, UseEntry};
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
    let tf = TwoFactorActions::new();
    let page = Resource::new(
        move || (user.get(), end.version().get(), change.version().get(), tf.version()),
        |(user, _, _, _)| get_security(user),
    );
    view! {
        <Title text=t(M::MyAccount)/>
        <Transition fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => view! { <Security page=p change=change end=end reset=reset tf=tf/> }.into_any(),
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
    tf: TwoFactorActions,
) -> impl IntoView {
    let lang = use_lang();
    let title = if page.own { lang.t(M::MyAccount).to_string() } else { format!("{} · {}", lang.t(M::Security), page.user_name) };
    view! {
        <div class="page-head">
            <h1>{title}</h1>
        </div>
        {page.must_change_password.then(|| view! { <div class="banner banner-warning" role="alert">{t(M::MustChangePassword)}</div> })}
        {page.must_enrol_two_factor.then(|| view! { <div class="banner banner-warning" role="alert">{t(M::MustEnrolTwoFactor)}</div> })}
        <div class="two-col">
            {if page.own {
                view! { <ChangePasswordForm change=change must_change=page.must_change_password/> }.into_any()
            } else {
                view! { <ResetPasswordForm reset=reset user_id=page.user_id/> }.into_any()
            }}
            <TwoFactorCard status=page.two_factor own=page.own user_id=page.user_id new_codes=page.new_recovery_codes tf=tf/>
        </div>
        {page.own.then(|| view! { <SignatureCard/> })}
        {page.own.then(|| view! { <Sessions sessions=page.sessions.clone() end=end/> })}
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

/// The user's e-mail signature, filled into `{signature}` of the campaign messages they send.
#[component]
fn SignatureCard() -> impl IntoView {
    let lang = use_lang();
    let toasts = use_toasts();
    let save = ServerAction::<SaveSignature>::new();
    let current = Resource::new(|| (), |_| get_signature());
    let error = Signal::derive(move || save.value().get().and_then(|r| r.err()));
    Effect::new(move || {
        if matches!(save.value().get(), Some(Ok(()))) {
            toasts.push(lang.t(M::Saved).to_string(), false);
        }
    });
    view! {
        <section class="card">
            <h2>{t(M::AccSignature)}</h2>
            <p class="muted" id="signature-hint">{t(M::AccSignatureHint)}</p>
            <Suspense fallback=|| view! { <Loading/> }>
                {move || Suspend::new(async move {
                    let text = current.await.unwrap_or_default();
                    view! {
                        <ActionForm action=save attr:class="stack" attr:id="signature-form">
                            <ErrorBanner error=error fields=&["signature"]/>
                            <div class="field">
                                <label for="signature">{t(M::AccSignature)}</label>
                                <textarea id="signature" name="signature" rows="4" maxlength="1000" aria-describedby="signature-hint">{text}</textarea>
                                {move || error.get().filter(|e| e.field() == Some("signature")).map(|e| view! { <span class="field-error" role="alert">{error_text(lang, &e)}</span> })}
                            </div>
                            <button type="submit" class="btn btn-primary" disabled=move || save.pending().get()>{t(M::Save)}</button>
                        </ActionForm>
                    }
                })}
            </Suspense>
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

/// The two-factor sign-in forms of the account page.
#[derive(Clone, Copy)]
struct TwoFactorActions {
    begin: ServerAction<BeginTwoFactor>,
    cancel: ServerAction<CancelTwoFactor>,
    confirm: ServerAction<ConfirmTwoFactor>,
    renew: ServerAction<RenewRecoveryCodes>,
    off: ServerAction<TurnOffTwoFactor>,
    reset: ServerAction<ResetTwoFactor>,
}

impl TwoFactorActions {
    fn new() -> Self {
        TwoFactorActions {
            begin: ServerAction::new(),
            cancel: ServerAction::new(),
            confirm: ServerAction::new(),
            renew: ServerAction::new(),
            off: ServerAction::new(),
            reset: ServerAction::new(),
        }
    }

    /// Changes with every answer of any of them (the page's data are loaded again).
    fn version(&self) -> usize {
        self.begin.version().get()
            + self.cancel.version().get()
            + self.confirm.version().get()
            + self.renew.version().get()
            + self.off.version().get()
            + self.reset.version().get()
    }
}

/// Two-factor sign-in: for the user, set it up (password, then the QR code or the key, then the first
/// code), see the new recovery codes once, get new ones or turn it off; for an administrator looking at
/// someone, whether it is on, and turning it off.
#[component]
fn TwoFactorCard(status: TwoFactorStatus, own: bool, user_id: i64, new_codes: Vec<String>, tf: TwoFactorActions) -> impl IntoView {
    let lang = use_lang();
    let toasts = use_toasts();
    // Only an answer given since this card was built is announced (it is built anew after each).
    let built_at = (tf.confirm.version().get_untracked(), tf.off.version().get_untracked(), tf.reset.version().get_untracked());
    Effect::new(move || {
        if tf.confirm.version().get() > built_at.0 && matches!(tf.confirm.value().get(), Some(Ok(()))) {
            toasts.push(lang.t(M::TwoFactorTurnedOn).to_string(), false);
        }
        if (tf.off.version().get() > built_at.1 && matches!(tf.off.value().get(), Some(Ok(()))))
            || (tf.reset.version().get() > built_at.2 && matches!(tf.reset.value().get(), Some(Ok(()))))
        {
            toasts.push(lang.t(M::TwoFactorTurnedOff).to_string(), false);
        }
    });
    let state = match &status.enabled_at {
        Some(since) => view! {
            <p class="banner banner-ok" id="two-factor-state">{format!("{} {}.", lang.t(M::TwoFactorOnSince), format_local(lang, since))}</p>
            <p>{t(M::RecoveryLeft)}" "<strong id="recovery-left">{status.recovery_left}</strong></p>
        }
        .into_any(),
        None => view! { <p class="banner" id="two-factor-state">{t(M::TwoFactorIsOff)}</p> }.into_any(),
    };
    let body = if !own {
        status.enabled_at.is_some().then(|| view! { <ResetTwoFactorForm reset=tf.reset user_id=user_id/> }).into_any()
    } else if !new_codes.is_empty() {
        view! { <RecoveryCodes codes=new_codes/> }.into_any()
    } else if status.enabled_at.is_some() {
        view! { <TwoFactorOnForms required=status.required tf=tf/> }.into_any()
    } else if let Some(setup) = status.setup.clone() {
        view! { <EnrolForms setup=setup tf=tf/> }.into_any()
    } else {
        let error = Signal::derive(move || tf.begin.value().get().and_then(|r| r.err()));
        view! {
            <ActionForm action=tf.begin attr:class="stack" attr:id="two-factor-begin">
                <ErrorBanner error=error fields=&["password"]/>
                <p class="muted">{t(M::SetUpTwoFactorHint)}</p>
                <TextField label=M::Password key="password" value="" error=error kind="password" required=true plain=true autocomplete="current-password" form="tf-"/>
                <button type="submit" class="btn btn-primary" disabled=move || tf.begin.pending().get()>{t(M::SetUpTwoFactor)}</button>
            </ActionForm>
        }
        .into_any()
    };
    view! {
        <section class="card" id="two-factor">
            <h2>{t(M::TwoFactor)}</h2>
            {own.then(|| view! { <p class="muted">{t(M::TwoFactorIntro)}</p> })}
            {state}
            {status.required.then(|| view! { <p class="muted">{t(M::TwoFactorRequiredNote)}</p> })}
            {body}
        </section>
    }
}

/// Enrolling: the QR code (inline SVG, which the page's Content-Security-Policy allows) and the key for
/// typing by hand, then the app's first code.
#[component]
fn EnrolForms(setup: crate::domain::TwoFactorSetup, tf: TwoFactorActions) -> impl IntoView {
    let lang = use_lang();
    let error = Signal::derive(move || tf.confirm.value().get().and_then(|r| r.err()));
    view! {
        <div class="stack">
            <p><strong>{t(M::ScanQr)}</strong></p>
            <a class="qr" href=setup.uri.clone() aria-label=lang.t(M::QrLabel) rel="external" inner_html=setup.qr_svg.clone()></a>
            <p class="muted">{t(M::OrTypeKey)}</p>
            <p><code class="secret" id="two-factor-secret">{setup.secret.clone()}</code></p>
            <ActionForm action=tf.confirm attr:class="stack" attr:id="two-factor-confirm">
                <ErrorBanner error=error fields=&["otp"]/>
                <TextField label=M::EnterCodeToConfirm key="otp" value="" error=error required=true plain=true autocomplete="one-time-code" form="tf-"/>
                <div class="form-actions">
                    <button type="submit" class="btn btn-primary" disabled=move || tf.confirm.pending().get()>{t(M::TurnOn)}</button>
                </div>
            </ActionForm>
            <ActionForm action=tf.cancel>
                <button type="submit" class="btn btn-ghost">{t(M::Cancel)}</button>
            </ActionForm>
        </div>
    }
}

/// Recovery codes just made: shown once, to copy, download or write down.
#[component]
fn RecoveryCodes(codes: Vec<String>) -> impl IntoView {
    let lang = use_lang();
    let toasts = use_toasts();
    let text = format!("Veza\n{}\n", codes.join("\n"));
    let download = format!("data:text/plain;charset=utf-8,{}", crate::domain::text::urlencode(&text));
    let copy = move |_| {
        // Browsers offer the clipboard over HTTPS (and on localhost) only; elsewhere the codes are
        // there to select.
        #[cfg(feature = "hydrate")]
        if let Some(clipboard) = web_sys::window().map(|w| w.navigator().clipboard()) {
            if !AsRef::<wasm_bindgen::JsValue>::as_ref(&clipboard).is_undefined() {
                let _ = clipboard.write_text(&text);
                toasts.push(lang.t(M::Copied).to_string(), false);
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (&text, toasts, lang);
    };
    view! {
        <div class="stack" id="recovery-codes">
            <h3>{t(M::RecoveryCodes)}</h3>
            <p class="banner banner-warning">{t(M::RecoveryCodesHint)}</p>
            <ol class="recovery-codes">{codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}</ol>
            <div class="form-actions">
                <button type="button" class="btn" on:click=copy>{t(M::Copy)}</button>
                <a class="btn" href=download download="veza-recovery-codes.txt" rel="external">{t(M::Download)}</a>
                <a class="btn btn-primary" href="/" rel="external">{t(M::ContinueToApp)}</a>
            </div>
        </div>
    }
}

/// With two-factor on: new recovery codes (a code from the app), and turning it off (a code or the
/// password) unless the user's role requires it.
#[component]
fn TwoFactorOnForms(required: bool, tf: TwoFactorActions) -> impl IntoView {
    let renew_error = Signal::derive(move || tf.renew.value().get().and_then(|r| r.err()));
    let off_error = Signal::derive(move || tf.off.value().get().and_then(|r| r.err()));
    view! {
        <h3>{t(M::NewRecoveryCodes)}</h3>
        <ActionForm action=tf.renew attr:class="stack" attr:id="recovery-renew">
            <p class="muted">{t(M::NewRecoveryCodesHint)}</p>
            <ErrorBanner error=renew_error fields=&["otp"]/>
            <TextField label=M::TwoFactorCode key="otp" value="" error=renew_error required=true plain=true autocomplete="one-time-code" form="renew-"/>
            <div class="form-actions">
                <button type="submit" class="btn" disabled=move || tf.renew.pending().get()>{t(M::NewRecoveryCodes)}</button>
            </div>
        </ActionForm>
        {(!required).then(|| view! {
            <h3>{t(M::TurnOffTwoFactor)}</h3>
            <ActionForm action=tf.off attr:class="stack" attr:id="two-factor-off">
                <p class="muted">{t(M::TurnOffTwoFactorHint)}</p>
                <ErrorBanner error=off_error fields=&["proof"]/>
                <TextField label=M::CodeOrPassword key="proof" value="" error=off_error kind="password" required=true plain=true autocomplete="off" form="off-"/>
                <div class="form-actions">
                    <button type="submit" class="btn" disabled=move || tf.off.pending().get()>{t(M::TurnOffTwoFactor)}</button>
                </div>
            </ActionForm>
        })}
    }
}

/// An administrator turns a user's two-factor sign-in off (a lost phone), after the browser asks.
#[component]
fn ResetTwoFactorForm(reset: ServerAction<ResetTwoFactor>, user_id: i64) -> impl IntoView {
    let lang = use_lang();
    let error = Signal::derive(move || reset.value().get().and_then(|r| r.err()));
    // Asked on the button's click, which comes before the form's submission (without JavaScript the
    // form is sent as it is).
    let ask = move |ev: leptos::ev::MouseEvent| {
        if !crate::components::context::confirm(lang.t(M::ConfirmResetTwoFactor)) {
            ev.prevent_default();
        }
    };
    view! {
        <ActionForm action=reset attr:class="stack" attr:id="two-factor-reset">
            <input type="hidden" name="user_id" value=user_id.to_string()/>
            <p class="muted">{t(M::ResetTwoFactorHint)}</p>
            <ErrorBanner error=error/>
            <div class="form-actions">
                <button type="submit" class="btn" on:click=ask disabled=move || reset.pending().get()>{t(M::ResetTwoFactor)}</button>
            </div>
        </ActionForm>
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
                                "code_needed" => M::SignInCodeNeeded,
                                "wrong_code" => M::SignInWrongCode,
                                "recovery_code" => M::SignInRecoveryCode,
                                _ => M::SignInWrongPassword,
                            };
                            let signed_in = e.outcome == "ok" || e.outcome == "recovery_code";
                            view! {
                                <tr class:inactive=!signed_in>
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
