//! The browser entry point: hydrates the server-rendered page into the interactive app.

// The optimized build monomorphizes the deeply nested view types of large pages here.
#![recursion_limit = "256"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
