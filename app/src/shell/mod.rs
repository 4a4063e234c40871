//! The HTML shell, the route table and the signed-in layout (navigation, language, toasts). It is
//! the one place that knows every page.

pub mod lazy;

use crate::api::session::{get_session, sign_out, SessionInfo, SignOut};
use crate::components::context::{detect_lang, go_to, t, use_lang, SessionResource};
use crate::components::language_switch::LanguageSwitch;
use crate::components::toast::{use_toasts, ToastHost, Toasts};
use crate::domain::{Role, SessionUser};
use crate::i18n::labels::error_text;
use crate::i18n::M;
use crate::shell::lazy::*;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Outlet, ParentRoute, Redirect, Route, Router, Routes, A};
use leptos_router::{path, Lazy, SsrMode};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    let lang = detect_lang();
    provide_lazy_set();
    #[cfg(feature = "ssr")]
    content_security_policy();
    view! {
        <!DOCTYPE html>
        <html lang=lang.code()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
                <LazyPreloads/>
            </body>
        </html>
    }
}

/// Gives the page a fresh nonce and the policy that allows only scripts carrying it (and what they
/// load: the WebAssembly and its chunks), styles and images of this site, and no framing. Leptos puts
/// the nonce on its hydration and resource scripts, `LazyPreloads` on its own; nothing else is inline.
#[cfg(feature = "ssr")]
fn content_security_policy() {
    leptos::nonce::provide_nonce();
    let (Some(nonce), Some(response)) = (leptos::nonce::use_nonce(), use_context::<leptos_axum::ResponseOptions>()) else { return };
    let policy = format!(
        "default-src 'self'; script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors 'none'"
    );
    if let Ok(value) = http::HeaderValue::from_str(&policy) {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let lang = detect_lang();
    provide_context(lang);
    provide_context(Toasts(RwSignal::new(Vec::new())));
    let session: SessionResource = Resource::new(|| (), |_| get_session());
    provide_context(session);
    // The page is marked interactive (`data-hydrated`) by the browser entry point, once hydration,
    // which may wait for a lazily loaded page's chunk, has finished.

    view! {
        <Stylesheet id="leptos" href="/pkg/veza.css"/>
        <Title formatter=|text: String| if text.is_empty() { "Veza".to_string() } else { format!("{text} · Veza") }/>
        <Router>
            <a class="skip" href="#main">{lang.t(M::SkipToContent)}</a>
            <Routes fallback=|| view! { <NotFound/> }>
                <Route path=path!("/login") view={Lazy::<LoginRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/setup") view={Lazy::<SetupRoute>::new()} ssr=SsrMode::Async/>
                <ParentRoute path=path!("") view=Layout ssr=SsrMode::Async>
                    <Route path=path!("") view={Lazy::<DashboardRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("pipeline") view={Lazy::<BoardRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("accounts") view={Lazy::<AccountsRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("accounts/new") view={Lazy::<NewAccountRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("accounts/:id") view={Lazy::<AccountRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("contacts") view={Lazy::<ContactsRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("contacts/new") view={Lazy::<NewContactRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("contacts/:id") view={Lazy::<ContactRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("opportunities") view={Lazy::<OpportunitiesRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("opportunities/new") view={Lazy::<NewOpportunityRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("opportunities/:id") view={Lazy::<OpportunityRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("leads") view={Lazy::<LeadsRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("leads/new") view={Lazy::<NewLeadRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("leads/:id") view={Lazy::<LeadRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("activities/:id") view={Lazy::<ActivityRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("my-day") view={Lazy::<MyDayRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("team-activity") view={Lazy::<TeamActivityRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("calendar") view={Lazy::<CalendarRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("admin") view={Lazy::<AdminRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("admin/personal-data") view={Lazy::<PersonalDataRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("products") view={Lazy::<ProductsRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("products/new") view={Lazy::<NewProductRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("products/:id") view={Lazy::<ProductRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("price-lists") view={Lazy::<PricingRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("price-lists/:id") view={Lazy::<PriceListRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("competitors") view={Lazy::<CompetitorsRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("competitors/:id") view={Lazy::<CompetitorRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("win-loss") view={Lazy::<WinLossRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("profitability") view={Lazy::<ProfitabilityRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("reports") view=|| view! { <Redirect path="/reports/forecast"/> }/>
                    <Route path=path!("dashboard") view=|| view! { <Redirect path="/"/> }/>
                    <Route path=path!("reports/forecast") view={Lazy::<ForecastRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("reports/sales") view={Lazy::<SalesRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("reports/adoption") view={Lazy::<AdoptionRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("reports/pipeline") view={Lazy::<HealthRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("goals") view={Lazy::<GoalsRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("search") view={Lazy::<SearchRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("find") view={Lazy::<FindRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("marketing/quick-campaigns") view={Lazy::<QuickCampaignsRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("marketing/quick-campaigns/new") view={Lazy::<NewQuickCampaignRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("marketing/quick-campaigns/:id") view={Lazy::<QuickCampaignRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("help") view={Lazy::<HelpRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("account") view={Lazy::<MyAccountRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("help/:page") view={Lazy::<HelpRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("imports") view={Lazy::<ImportsRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("imports/:id") view={Lazy::<ImportRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("duplicates") view={Lazy::<DuplicatesRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("duplicates/merge") view={Lazy::<MergeRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("trash") view={Lazy::<TrashRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("marketing/lists") view={Lazy::<MarketingListsRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("marketing/lists/new") view={Lazy::<NewMarketingListRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("marketing/lists/:id") view={Lazy::<MarketingListRoute>::new()} ssr=SsrMode::Async/>
                </ParentRoute>
            </Routes>
            <ToastHost/>
        </Router>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <main id="main" class="narrow">
            <h1>{t(M::NotFoundTitle)}</h1>
            <p>{t(M::NotFoundText)}</p>
            <A href="/">{t(M::Home)}</A>
        </main>
    }
}

/// The signed-in frame: sends visitors without a session to sign-in (or to setup on a new installation).
///
/// Only the top bar waits for the session; the page (the `Outlet`) stands outside the Suspense. A
/// Suspense runs its children again each time it walks them for resource reads (on the server two or
/// three times per request), and each run of an `Outlet` builds its page anew: every resource created
/// again and its queries sent again (measured: the account page's twelve queries ran two or three
/// times in about half of the requests). The server looks the session up before rendering a page
/// (`ctx::RequestCache`) and the browser hydrates it from the page, so a page's components find the
/// session in from the start. The server also redirects a visitor without a session before rendering
/// anything; the redirects below remain for a page whose session lookup failed there.
#[component]
fn Layout() -> impl IntoView {
    let session = expect_context::<SessionResource>();
    view! {
        <Suspense fallback=|| view! { <crate::components::Loading/> }>
            {move || Suspend::new(async move {
                match session.await {
                    Ok(SessionInfo { user: Some(user), demo, .. }) => {
                        // A user whose password an administrator reset chooses their own first, and
                        // one whose role requires two-factor sign-in sets it up (the server redirects
                        // too; this covers navigation inside the app).
                        let here = leptos_router::hooks::use_location().pathname.get_untracked();
                        let must_change = user.held_back() && here != "/account";
                        view! {
                            <Frame user=user demo=demo/>
                            {must_change.then(|| view! { <Redirect path="/account"/> })}
                        }
                        .into_any()
                    }
                    Ok(info) => view! { <Redirect path=info.entry_path()/> }.into_any(),
                    Err(_) => view! { <Redirect path="/login"/> }.into_any(),
                }
            })}
        </Suspense>
        <main id="main" class="content">
            <Outlet/>
        </main>
    }
}

#[component]
fn Frame(user: SessionUser, demo: bool) -> impl IntoView {
    let lang = use_lang();
    let toasts = use_toasts();
    // A plain form (it works without JavaScript too), sent by the server function's own call: the layout,
    // which every page loads first, then carries no form decoding (see `LanguageSwitch`).
    let on_sign_out = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        leptos::task::spawn_local(async move {
            match sign_out().await {
                Ok(()) => go_to("/login"),
                Err(e) => toasts.push(error_text(lang, &e), true),
            }
        });
    };
    let is_admin = user.role == Role::Admin;
    let can_import = matches!(user.role, Role::Admin | Role::Manager);
    focus_search_on_slash();
    view! {
        <header class="topbar">
            <A href="/" attr:class="brand">
                <span class="logo" aria-hidden="true">"V"</span>
                "Veza"
            </A>
            <nav class="mainnav" aria-label=lang.t(M::Menu)>
                <A href="/" exact=true>{t(M::Home)}</A>
                <A href="/my-day">{t(M::MyDay)}</A>
                <A href="/pipeline">{t(M::Pipeline)}</A>
                <A href="/leads">{t(M::Leads)}</A>
                <A href="/opportunities">{t(M::Opportunities)}</A>
                <A href="/accounts">{t(M::Accounts)}</A>
                <A href="/contacts">{t(M::Contacts)}</A>
                <A href="/marketing/lists">{t(M::MarketingLists)}</A>
                <A href="/calendar">{t(M::Calendar)}</A>
                <A href="/competitors">{t(M::Competitors)}</A>
                <A href="/products">{t(M::Products)}</A>
                <A href="/reports/forecast">{t(M::Reports)}</A>
                {can_import.then(|| view! { <A href="/imports">{t(M::DataNav)}</A> })}
                {is_admin.then(|| view! { <A href="/admin">{t(M::Admin)}</A> })}
                <A href="/trash">{t(M::Trash)}</A>
            </nav>
            <form method="GET" action="/search" class="topsearch" role="search">
                <input type="search" id="global-search" name="q" placeholder=lang.t(M::SearchShortcut) aria-label=lang.t(M::SearchLabel) aria-keyshortcuts="/"/>
            </form>
            <A href="/find" attr:class="btn btn-ghost find-link">{t(M::FindTitle)}</A>
            <div class="usermenu">
                <HelpLink/>
                <LanguageSwitch/>
                <A href="/account" attr:class="username" attr:title=user.email.clone()>{user.name.clone()}</A>
                <form method="post" action=SignOut::url() on:submit=on_sign_out>
                    <button type="submit" class="btn btn-ghost">{t(M::SignOut)}</button>
                </form>
            </div>
        </header>
        {demo.then(|| view! { <div class="demo-banner">{t(M::DemoBanner)}</div> })}
    }
}

/// The top bar's "?": the user guide's page about the page the user is on.
#[component]
fn HelpLink() -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    let href = move || match guide_page_for(&location.pathname.get()) {
        "" => "/help".to_string(),
        page => format!("/help/{page}"),
    };
    view! {
        <a class="btn btn-ghost help-link" href=href title=t(M::HelpForPage) aria-label=t(M::HelpForPage)>
            "?"
        </a>
    }
}

/// The user guide's page (`docs/guide/<name>.md`) about the app page at `path`; "" for the contents.
fn guide_page_for(path: &str) -> &'static str {
    let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
    match first {
        "accounts" => "accounts",
        "contacts" => "contacts",
        "leads" => "leads",
        "opportunities" | "pipeline" => "opportunities",
        "my-day" | "team-activity" | "calendar" | "activities" => "activities",
        "products" | "price-lists" => "products",
        "competitors" | "win-loss" => "competitors",
        "" | "reports" | "goals" | "profitability" => "reports",
        "imports" | "duplicates" => "import",
        "search" => "search",
        "find" => "find",
        "admin" => "admin",
        "trash" => "trash",
        "marketing" => "marketing-lists",
        _ => "",
    }
}

/// "/" anywhere outside a text field puts the cursor in the top bar's search box.
fn focus_search_on_slash() {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let handle = window_event_listener(leptos::ev::keydown, |ev| {
            if ev.key() != "/" || ev.ctrl_key() || ev.alt_key() || ev.meta_key() {
                return;
            }
            let typing = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .map(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT") || el.has_attribute("contenteditable"))
                .unwrap_or(false);
            if typing {
                return;
            }
            let input = document().get_element_by_id("global-search").and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok());
            if let Some(input) = input {
                ev.prevent_default();
                let _ = input.focus();
            }
        });
        on_cleanup(move || handle.remove());
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::guide_page_for;

    #[test]
    fn every_page_has_its_guide_page() {
        assert_eq!(guide_page_for("/accounts/7"), "accounts");
        assert_eq!(guide_page_for("/pipeline"), "opportunities");
        assert_eq!(guide_page_for("/"), "reports");
        assert_eq!(guide_page_for("/duplicates/merge"), "import");
        assert_eq!(guide_page_for("/help/leads"), "");
        let pages = ["/calendar", "/price-lists/3", "/win-loss", "/goals", "/imports/4", "/search", "/admin", "/leads/new", "/contacts"];
        for page in pages {
            let guide = guide_page_for(page);
            assert!(!guide.is_empty() && crate::services::guide::page(guide).is_ok(), "{page} -> {guide}");
        }
    }
}
