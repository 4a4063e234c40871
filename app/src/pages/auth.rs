//! Sign-in and first-run setup pages.

use crate::api::session::{SessionInfo, SetupAdmin, SignIn};
use crate::components::context::t;
use crate::components::context::SessionResource;
use crate::components::fields::TextField;
use crate::components::language_switch::LanguageSwitch;
use crate::components::ErrorBanner;
use crate::i18n::M;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;

#[component]
pub fn LoginPage() -> impl IntoView {
    let session = expect_context::<SessionResource>();
    let action = ServerAction::<SignIn>::new();
    crate::components::context::reload_on_success(move || matches!(action.value().get(), Some(Ok(_))), "/");
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
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
                <p class="muted">{t(M::AppTagline)}</p>
                <ActionForm action=action attr:class="stack">
                    <ErrorBanner error=error fields=&["email", "password"]/>
                    <TextField label=M::Email key="email" value="" error=error kind="email" required=true plain=true autocomplete="username"/>
                    <TextField label=M::Password key="password" value="" error=error kind="password" required=true plain=true autocomplete="current-password"/>
                    <button type="submit" class="btn btn-primary" disabled=move || action.pending().get()>{t(M::SignIn)}</button>
                </ActionForm>
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
