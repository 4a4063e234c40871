//! Route components, one file per area of the product.

pub mod accounts;
pub mod admin;
pub mod app;
pub mod auth;
pub mod board;
pub mod contacts;
pub mod list;
pub mod opportunities;
pub mod search;
