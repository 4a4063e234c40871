//! Route components, one file per area of the product.

pub mod accounts;
pub mod activities;
pub mod admin;
pub mod adoption;
pub mod analysis;
pub mod app;
pub mod auth;
pub mod board;
pub mod calendar;
pub mod competitors;
pub mod contacts;
pub mod dashboard;
pub mod duplicates;
pub mod goals;
pub mod health;
pub mod imports;
pub mod lazy;
pub mod leads;
pub mod list;
pub mod my_day;
pub mod opportunities;
pub mod products;
pub mod reports;
pub mod search;
