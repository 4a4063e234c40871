//! Every page as a lazily loaded route (the sign-in and setup pages too): each page's browser code is its own WebAssembly
//! chunk (built with `cargo leptos build --split`), fetched when the page is first opened, so the
//! first download is the shell, the router and the layout, not the whole product.
//!
//! On the server nothing changes: a lazy route renders like any other. In the browser the router
//! fetches the chunk, then renders (or, on the first page, hydrates: the `frontend` crate's entry
//! point waits for the first page's chunks); chunks that several pages share (lists, forms,
//! charts) are split out once.
//! The server names the chunks the first page needs in its HTML (`LazyPreloads`), so the browser
//! fetches them alongside the main module.

use leptos::prelude::*;
use leptos_router::{lazy_route, LazyRoute};

/// Declares one lazy route type per page component: `Route => path::to::Page`.
macro_rules! lazy_pages {
    ($($route:ident => $page:path),* $(,)?) => {
        $(
            #[doc = concat!("The lazily loaded route of `", stringify!($page), "`.")]
            pub struct $route;

            #[lazy_route]
            impl LazyRoute for $route {
                fn data() -> Self {
                    $route
                }

                fn view(this: Self) -> AnyView {
                    let _ = this;
                    $page().into_any()
                }
            }
        )*
    };
}

lazy_pages! {
    LoginRoute => crate::pages::auth::LoginPage,
    SetupRoute => crate::pages::auth::SetupPage,
    DashboardRoute => crate::pages::reports::dashboard::DashboardPage,
    BoardRoute => crate::pages::board::BoardPage,
    AccountsRoute => crate::pages::accounts::AccountsPage,
    NewAccountRoute => crate::pages::accounts::NewAccountPage,
    AccountRoute => crate::pages::accounts::AccountPage,
    ContactsRoute => crate::pages::contacts::ContactsPage,
    NewContactRoute => crate::pages::contacts::NewContactPage,
    ContactRoute => crate::pages::contacts::ContactPage,
    OpportunitiesRoute => crate::pages::opportunities::OpportunitiesPage,
    NewOpportunityRoute => crate::pages::opportunities::NewOpportunityPage,
    OpportunityRoute => crate::pages::opportunities::OpportunityPage,
    LeadsRoute => crate::pages::leads::LeadsPage,
    NewLeadRoute => crate::pages::leads::NewLeadPage,
    LeadRoute => crate::pages::leads::LeadPage,
    ActivityRoute => crate::pages::activities::ActivityPage,
    MyDayRoute => crate::pages::my_day::MyDayPage,
    TeamActivityRoute => crate::pages::my_day::TeamActivityPage,
    CalendarRoute => crate::pages::calendar::CalendarPage,
    AdminRoute => crate::pages::admin::AdminPage,
    PersonalDataRoute => crate::pages::privacy::PersonalDataRequestsPage,
    ProductsRoute => crate::pages::products::ProductsPage,
    NewProductRoute => crate::pages::products::NewProductPage,
    ProductRoute => crate::pages::products::ProductPage,
    PricingRoute => crate::pages::products::PricingPage,
    PriceListRoute => crate::pages::products::PriceListPage,
    CompetitorsRoute => crate::pages::competitors::CompetitorsPage,
    CompetitorRoute => crate::pages::competitors::CompetitorPage,
    WinLossRoute => crate::pages::reports::analysis::WinLossPage,
    ProfitabilityRoute => crate::pages::reports::analysis::ProfitabilityPage,
    ForecastRoute => crate::pages::reports::forecast_sales::ForecastPage,
    SalesRoute => crate::pages::reports::forecast_sales::SalesPage,
    AdoptionRoute => crate::pages::reports::adoption::AdoptionPage,
    HealthRoute => crate::pages::reports::health::HealthPage,
    GoalsRoute => crate::pages::reports::goals::GoalsPageView,
    SearchRoute => crate::pages::search::SearchPage,
    FindRoute => crate::pages::find::FindPage,
    QuickCampaignsRoute => crate::pages::quick_campaigns::QuickCampaignsPage,
    NewQuickCampaignRoute => crate::pages::quick_campaigns::NewQuickCampaignPage,
    QuickCampaignRoute => crate::pages::quick_campaigns::QuickCampaignPage,
    HelpRoute => crate::pages::help::HelpPage,
    MyAccountRoute => crate::pages::account::AccountPage,
    ImportsRoute => crate::pages::imports::ImportsPage,
    ImportRoute => crate::pages::imports::ImportPage,
    DuplicatesRoute => crate::pages::duplicates::DuplicatesPage,
    MergeRoute => crate::pages::duplicates::MergePage,
    TrashRoute => crate::pages::trash::TrashPage,
    MarketingListsRoute => crate::pages::marketing::lists::MarketingListsPage,
    NewMarketingListRoute => crate::pages::marketing::lists::NewMarketingListPage,
    MarketingListRoute => crate::pages::marketing::list::MarketingListPage,
}

/// Tells the browser, in the page's `<head>`, which WebAssembly chunks the page's lazily loaded route
/// needs, so it fetches them alongside the main module instead of after hydration has started.
///
/// Leptos can do this itself, but 0.8 looks the chunk list up after rendering without the request's
/// reactive owner: about half of the responses carried the links (sometimes another request's), the
/// rest none, and each link was its own meta component (hundreds of `<link>` tags on the account page).
/// Here the routes record themselves in this request's own set (`provide_lazy_set`, which shadows
/// Leptos's), and one short inline script adds the preload links: the chunk names once (sizes in
/// docs/performance.md). Renders nothing in the browser, so hydration is unaffected.
#[component]
pub fn LazyPreloads() -> impl IntoView {
    // Read when the page is written (a closure), not when the shell is built: by then the route has run.
    #[cfg(feature = "ssr")]
    {
        move || {
            let set = use_context::<leptos::PrefetchLazyFn>()?;
            let manifest = use_context::<leptos::WasmSplitManifest>()?;
            let keys = set.0.read_value();
            let manifest = manifest.0.read_value();
            let (pkg_path, chunks, split_js) = &*manifest;
            let mut modules: Vec<&str> = keys.iter().flat_map(|k| chunks.get(*k).into_iter().flatten()).map(String::as_str).collect();
            modules.sort_unstable();
            modules.dedup();
            if modules.is_empty() {
                return None;
            }
            let script = preload_script(pkg_path, split_js, &modules);
            let nonce = leptos::nonce::use_nonce().map(|n| n.to_string()).unwrap_or_default();
            Some(view! { <leptos_meta::Script nonce=nonce>{script}</leptos_meta::Script> })
        }
    }
}

/// Server side: gives this request's routes a fresh set to record the lazy functions they ran in
/// (read by `LazyPreloads`). Call in the shell before the app.
pub fn provide_lazy_set() {
    #[cfg(feature = "ssr")]
    provide_context(leptos::PrefetchLazyFn::default());
}

/// The inline script that adds a preload link per chunk (`as=fetch`, anonymous CORS, as the split
/// loader's own `fetch` asks) and a module preload of the loader. Chunk and loader names are
/// generated identifiers and paths (letters, digits, `_`, `.`, `-`, `/`); anything else is left out
/// rather than escaped, so nothing can close the script or its string.
pub fn preload_script(pkg_path: &str, split_js: &str, modules: &[&str]) -> String {
    let safe = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '/'));
    let names: Vec<&str> = modules.iter().copied().filter(|m| safe(m)).collect();
    let pkg = pkg_path.trim_end_matches('/');
    let pkg = if pkg.is_empty() || safe(pkg) { pkg } else { "/pkg" };
    let loader = if safe(split_js) { format!("a(\"modulepreload\",\"{split_js}\");") } else { String::new() };
    format!(
        "(()=>{{const a=(r,f)=>{{const l=document.createElement(\"link\");l.rel=r;l.href=\"{pkg}/\"+f;\
         if(r===\"preload\"){{l.as=\"fetch\";l.type=\"application/wasm\";l.crossOrigin=\"\"}}document.head.appendChild(l)}};\
         {loader}for(const m of \"{}\".split(\" \"))a(\"preload\",m+\".wasm\")}})()",
        names.join(" ")
    )
}

#[cfg(test)]
mod tests {
    use super::preload_script;

    #[test]
    fn preload_script_names_each_chunk_once_and_skips_unsafe_names() {
        let s = preload_script("/pkg", "__wasm_split.js", &["chunk_1_a", "split_2", "bad\"</script>"]);
        assert!(s.contains("\"chunk_1_a split_2\""), "{s}");
        assert!(s.contains("a(\"modulepreload\",\"__wasm_split.js\")"), "{s}");
        assert!(!s.contains("</script>") && !s.contains("bad"), "{s}");
        assert!(s.contains("l.href=\"/pkg/\"+f"), "{s}");
    }
}
