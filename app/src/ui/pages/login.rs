//! `/login`: email and password. Works as a plain form before the wasm loads.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    api::Login,
    error::AppError,
    ui::components::{error_from_url, focus_first_problem, invalid, FieldMessage, ProviderButtons},
};

/// The sign-in page.
#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let query = use_query_map();
    let next = move || query.with(|q| q.get("next")).unwrap_or_default();
    let url_error = error_from_url("/sfn/login");
    let error = Signal::derive(move || match login.value().get() {
        Some(Err(error)) => Some(error),
        Some(Ok(_)) => None,
        None => url_error(),
    });
    // Errors that are not about one field show above the button.
    let banner = move || error.get().filter(|e| !matches!(e, AppError::Validation { .. })).map(|e| e.to_string());
    let show_password = RwSignal::new(false);
    // A one-time password asks for one of the user's own; once asked, the
    // field stays (with what was typed) whatever the next answer.
    let asked_new = RwSignal::new(false);
    Effect::new(move |_| {
        if error.with(|e| e.as_ref().is_some_and(|e| e.field_message("new_password").is_some())) {
            asked_new.set(true);
        }
    });
    Effect::new(move |_| {
        if let Some(Err(_)) = login.value().get() {
            focus_first_problem(None);
        }
    });
    // A refused sign-in with GitHub or Google comes back with its reason.
    let provider_error = move || query.with(|q| q.get("error")).filter(|e| !e.is_empty());
    let next_signal = Signal::derive(next);

    view! {
        <Title text="Sign in"/>
        <main class="auth-page">
            <section class="auth-card">
                <h1 class="auth-title"><span class="brand-mark" aria-hidden="true">"▦"</span>" Portcullis"</h1>
                <p class="muted">"Sign in to manage who may do what on your model-serving platform."</p>
                {move || provider_error().map(|message| view! { <p class="form-error" role="alert" data-error="provider">{message}</p> })}
                <ProviderButtons next=next_signal/>
                <ActionForm action=login attr:class="form" attr:novalidate=true>
                    <input type="hidden" name="next" prop:value=next/>
                    <div class="field">
                        <label for="login-email">"Email"</label>
                        <input
                            id="login-email"
                            name="email"
                            type="email"
                            autocomplete="username"
                            required
                            aria-describedby="login-email-error"
                            aria-invalid=invalid(error, "email")
                        />
                        <FieldMessage error field="email" id="login-email-error"/>
                    </div>
                    <div class="field">
                        <label for="login-password">"Password"</label>
                        <div class="password-field">
                            <input
                                id="login-password"
                                name="password"
                                type=move || if show_password.get() { "text" } else { "password" }
                                autocomplete="current-password"
                                required
                                aria-describedby="login-password-error"
                                aria-invalid=invalid(error, "password")
                            />
                            <button
                                type="button"
                                class="button button-quiet"
                                aria-controls="login-password"
                                aria-pressed=move || show_password.get().to_string()
                                on:click=move |_| show_password.update(|s| *s = !*s)
                            >
                                {move || if show_password.get() { "Hide password" } else { "Show password" }}
                            </button>
                        </div>
                        <FieldMessage error field="password" id="login-password-error"/>
                    </div>
                    <div class="field" hidden=move || !asked_new.get()>
                        <label for="login-new-password">"New password"</label>
                        <input id="login-new-password" name="new_password" type="password" autocomplete="new-password"
                            aria-describedby="login-new-password-error" aria-invalid=invalid(error, "new_password")/>
                        <FieldMessage error field="new_password" id="login-new-password-error"/>
                    </div>
                    {move || banner().map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
                    <button type="submit" class="button button-primary" disabled=move || login.pending().get()>
                        {move || if login.pending().get() { "Signing in…" } else { "Sign in" }}
                    </button>
                </ActionForm>
            </section>
        </main>
    }
}
