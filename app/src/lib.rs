//! Veza: the Leptos application (UI and server functions), compiled for the server (`ssr`) and for the
//! browser (`hydrate`).

// Large pages (administration) build deeply nested view types; the optimized wasm build needs room.
#![recursion_limit = "256"]

pub mod api;
pub mod components;
pub mod domain;
pub mod error;
pub mod i18n;
pub mod pages;
pub mod shell;

#[cfg(feature = "ssr")]
pub mod clock;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod services;

pub use shell::{shell, App};

#[cfg(test)]
mod layering;
