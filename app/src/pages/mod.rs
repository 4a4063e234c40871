//! Route components, one file (or folder) per area of the product. Pages take shared UI from
//! `components` and words from `i18n`, never from each other; `shell` is the one place that lists them.

pub mod account;
pub mod accounts;
pub mod activities;
pub mod admin;
pub mod auth;
pub mod board;
pub mod calendar;
pub mod competitors;
pub mod contacts;
pub mod duplicates;
pub mod find;
pub mod help;
pub mod imports;
pub mod leads;
pub mod marketing;
pub mod my_day;
pub mod opportunities;
pub mod privacy;
pub mod products;
pub mod quick_campaigns;
pub mod reports;
pub mod search;
pub mod trash;
