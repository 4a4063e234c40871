//! Sign-in and first-run setup pages.

use crate::api::session::{get_sign_in_step, CancelSignIn, SessionInfo, SetupAdmin, SignIn, SignInOutcome, VerifySignIn};
use crate::components::context::t;
use crate::components::context::SessionResource;
use crate::components::fields::TextField;
use crate::components::language_switch::LanguageSwitch;
use crate::components::ErrorBanner;
use crate::error::{AppError, Problem};
use crate::i18n::M;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;

/// Sign-in: the password, then for a user with two-factor sign-in the code (or a recovery code). Which
/// form shows follows the browser's waiting sign-in (`get_sign_in_step`), so both steps work as plain
/// forms without JavaScript too.
#[component]
pub fn LoginPage() -> impl IntoView {
    let session = expect_context::<SessionResource>();
    let action = ServerAction::<SignIn>::new();
    let verify = ServerAction::<VerifySignIn>::new();
    let cancel = ServerAction::<CancelSignIn>::new();
    let step = Resource::new(|| (), |_| get_sign_in_step());
    crate::components::context::reload_on_success(
        move || matches!(action.value().get(), Some(Ok(SignInOutcome::SignedIn))) || matches!(verify.value().get(), Some(Ok(()))),
        "/",
    );
    // The form follows the sign-in's step: a right password asks for the code, a cancelled or ended
    // challenge goes back to the password. Other answers keep the form (and what was typed in it).
    let expired = move || matches!(verify.value().get(), Some(Err(AppError::Validation { problem: Problem::ChallengeExpired, .. })));
    Effect::new(move |_| {
        if matches!(action.value().get(), Some(Ok(SignInOutcome::CodeNeeded))) || expired() {
            step.refetch();
        }
    });
    Effect::new(move |previous: Option<usize>| {
        let done = cancel.version().get();
        if previous.is_some_and(|p| p != done) {
            step.refetch();
        }
        done
    });
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    let code_error = Signal::derive(move || verify.value().get().and_then(|r| r.err()));
    // The password form also says why a challenge ended.
    let password_error = Signal::derive(move || if expired() { code_error.get() } else { error.get() });
    view! {
        <Title text=t(M::SignIn)/>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match session.await {
                    Ok(SessionInfo { user: Some(_), .. }) => view! { <Redirect path="/"/> }.into_any(),
                    Ok(SessionInfo { needs_setup: true, .. }) => view! { <Redirect path="/setup"/> }.into_any(),
                    _ => ().into_any(),
                }
            })}
        </Suspense>
        <main id="main" class="auth">
            <div class="card auth-card">
                <div class="auth-head">
                    <h1><span class="logo" aria-hidden="true">"V"</span>" Veza"</h1>
                    <LanguageSwitch/>
                </div>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        match step.await {
                            Ok(Some(email)) => view! {
                                <h2>{t(M::TwoFactor)}</h2>
                                <p class="muted">{t(M::SigningInAs)}" "<strong>{email}</strong></p>
                                <p>{t(M::TwoFactorPrompt)}</p>
                                <ActionForm action=verify attr:class="stack" attr:id="sign-in-code">
                                    <ErrorBanner error=code_error fields=&["otp"]/>
                                    <TextField label=M::TwoFactorCode key="otp" value="" error=code_error required=true plain=true autocomplete="one-time-code"/>
                                    <p class="muted">{t(M::RecoveryHint)}</p>
                                    <button type="submit" class="btn btn-primary" disabled=move || verify.pending().get()>{t(M::Verify)}</button>
                                </ActionForm>
                                <ActionForm action=cancel attr:class="stack">
                                    <button type="submit" class="btn btn-ghost">{t(M::BackToSignIn)}</button>
                                </ActionForm>
                            }
                            .into_any(),
                            _ => view! {
                                <p class="muted">{t(M::AppTagline)}</p>
                                <ActionForm action=action attr:class="stack">
                                    <ErrorBanner error=password_error fields=&["email", "password"]/>
                                    <TextField label=M::Email key="email" value="" error=password_error kind="email" required=true plain=true autocomplete="username"/>
                                    <TextField label=M::Password key="password" value="" error=password_error kind="password" required=true plain=true autocomplete="current-password"/>
                                    <button type="submit" class="btn btn-primary" disabled=move || action.pending().get()>{t(M::SignIn)}</button>
                                </ActionForm>
                            }
                            .into_any(),
                        }
                    })}
                </Transition>
            </div>
        </main>
    }
}

#[component]
pub fn SetupPage() -> impl IntoView {
    let session = expect_context::<SessionResource>();
    let action = ServerAction::<SetupAdmin>::new();
    crate::components::context::reload_on_success(move || matches!(action.value().get(), Some(Ok(_))), "/");
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    view! {
        <Title text=t(M::SetupTitle)/>
        <main id="main" class="auth">
            <div class="card auth-card">
                <div class="auth-head">
                    <h1><span class="logo" aria-hidden="true">"V"</span>" Veza"</h1>
                    <LanguageSwitch/>
                </div>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        match session.await {
                            Ok(SessionInfo { needs_setup: true, .. }) => view! {
                                <h2>{t(M::SetupTitle)}</h2>
                                <p class="muted">{t(M::SetupIntro)}</p>
                                <ActionForm action=action attr:class="stack">
                                    <ErrorBanner error=error fields=&["email", "name", "password", "team"]/>
                                    <TextField label=M::FullName key="name" value="" error=error required=true plain=true autocomplete="name"/>
                                    <TextField label=M::Email key="email" value="" error=error kind="email" required=true plain=true autocomplete="username"/>
                                    <TextField label=M::Password key="password" value="" error=error kind="password" required=true plain=true autocomplete="new-password"/>
                                    <TextField label=M::TeamName key="team" value="" error=error plain=true/>
                                    <button type="submit" class="btn btn-primary" disabled=move || action.pending().get()>{t(M::CreateAdmin)}</button>
                                </ActionForm>
                            }
                            .into_any(),
                            _ => view! { <Redirect path="/login"/> }.into_any(),
                        }
                    })}
                </Suspense>
            </div>
        </main>
    }
}
