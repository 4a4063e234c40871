//! The report pages, mirroring `services::reports`: the dashboard, the forecast and sales history,
//! pipeline health, goals, activity and adoption, and win/loss and profitability. What they share
//! (tabs, export links, filters, charts) lives in `components`.

pub mod adoption;
pub mod analysis;
pub mod dashboard;
pub mod forecast_sales;
pub mod goals;
pub mod health;
