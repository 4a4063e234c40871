//! Every page as a lazily loaded route (the sign-in and setup pages too): each page's browser code is its own WebAssembly
//! chunk (built with `cargo leptos build --split`), fetched when the page is first opened, so the
//! first download is the shell, the router and the layout, not the whole product.
//!
//! On the server nothing changes: a lazy route renders like any other. In the browser the router
//! fetches the chunk, then renders (or, on the first page, hydrates: the `frontend` crate's entry
//! point waits for the first page's chunks); chunks that several pages share (lists, forms,
//! charts) are split out once.
//! The server names the chunks the first page needs in its HTML, so the browser fetches them
//! alongside the main module.

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
    DashboardRoute => crate::pages::dashboard::DashboardPage,
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
    ProductsRoute => crate::pages::products::ProductsPage,
    NewProductRoute => crate::pages::products::NewProductPage,
    ProductRoute => crate::pages::products::ProductPage,
    PricingRoute => crate::pages::products::PricingPage,
    PriceListRoute => crate::pages::products::PriceListPage,
    CompetitorsRoute => crate::pages::competitors::CompetitorsPage,
    CompetitorRoute => crate::pages::competitors::CompetitorPage,
    WinLossRoute => crate::pages::analysis::WinLossPage,
    ProfitabilityRoute => crate::pages::analysis::ProfitabilityPage,
    ForecastRoute => crate::pages::reports::ForecastPage,
    SalesRoute => crate::pages::reports::SalesPage,
    AdoptionRoute => crate::pages::adoption::AdoptionPage,
    HealthRoute => crate::pages::health::HealthPage,
    GoalsRoute => crate::pages::goals::GoalsPageView,
    SearchRoute => crate::pages::search::SearchPage,
    ImportsRoute => crate::pages::imports::ImportsPage,
    ImportRoute => crate::pages::imports::ImportPage,
    DuplicatesRoute => crate::pages::duplicates::DuplicatesPage,
    MergeRoute => crate::pages::duplicates::MergePage,
}
