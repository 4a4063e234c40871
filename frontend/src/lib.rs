//! The browser entry point: hydrates the server-rendered page into the interactive app.

// The optimized build monomorphizes the deeply nested view types of large pages here.
#![recursion_limit = "256"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // As `leptos::mount::hydrate_lazy` does (the page's route may be a lazily loaded chunk, see
    // `app::pages::lazy`): hydration waits for the chunks the page needs. Then the page is marked
    // interactive; the end-to-end tests wait for the mark before they click.
    wasm_bindgen_futures::spawn_local(async {
        let Some(body) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()) else { return };
        leptos::mount::hydrate_from_async(body.clone(), app::App).await.forget();
        let _ = body.set_attribute("data-hydrated", "true");
    });
}
