//! The browser entry point: hydrates the server-rendered console.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    app::ui::install_catalog();
    // As `leptos::mount::hydrate_lazy`, which waits for the chunks of the
    // page being hydrated (the routes are lazy), then marks the page alive
    // for tests (and people debugging): an effect in the app would run
    // while the page's chunk is still on its way.
    wasm_bindgen_futures::spawn_local(async {
        let Some(body) = leptos::prelude::document().body() else { return };
        leptos::mount::hydrate_from_async(body.clone(), app::ui::App).await.forget();
        let _ = body.set_attribute("data-hydrated", "true");
    });
}
