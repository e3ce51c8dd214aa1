//! Any path that is not a page.

use leptos::prelude::*;
use leptos_meta::Title;

/// The 404 page.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Not found"/>
        <main class="auth-page">
            <section class="auth-card">
                <h1>"Page not found"</h1>
                <p class="muted">"There is no page at this address."</p>
                <a class="button button-primary" href="/">"Go to the dashboard"</a>
            </section>
        </main>
    }
}
