//! `/account`: the signed-in user's own details.

use leptos::prelude::*;

use crate::{
    api::UpdateDisplayName,
    domain::DisplayName,
    error::AppError,
    ui::{
        components::{error_from_url, follow_version, invalid, FieldMessage, PageHead, StaleNotice, VersionField},
        Me, ToastKind, Toasts,
    },
};

/// My account.
#[component]
pub fn AccountPage() -> impl IntoView {
    let me = expect_context::<Me>().0;
    let toasts = expect_context::<Toasts>();
    let rename = ServerAction::<UpdateDisplayName>::new();
    let url_error = error_from_url("/sfn/account/name");
    let error = Signal::derive(move || match rename.value().get() {
        Some(Err(error)) => Some(error),
        Some(Ok(_)) => None,
        None => url_error(),
    });
    // Saved from the version shown; a 412 (a change in another tab) moves it on.
    let version = RwSignal::new(Some(me.get_untracked().version));
    follow_version(error, version);
    Effect::new(move |_| match rename.value().get() {
        Some(Ok(user)) => {
            version.set(Some(user.version));
            me.set(user);
            toasts.push(ToastKind::Success, "Your name was saved.");
        }
        Some(Err(error)) if !matches!(error, AppError::Validation { .. } | AppError::Stale { .. }) => {
            toasts.push(ToastKind::Failure, error.to_string());
        }
        _ => {}
    });
    let typed = RwSignal::new(me.get_untracked().name);
    let remaining = move || DisplayName::MAX_LEN as i64 - typed.with(|t| t.chars().count() as i64);

    view! {
        <PageHead title="My account" about="Your profile, how you sign in, what you may do, your API tokens and sessions."/>
        <section class="panel">
            <h2>"Profile"</h2>
            <dl class="facts">
                <dt>"Email"</dt>
                <dd data-field="email">{move || me.with(|u| u.email.to_string())}</dd>
                <dt>"Status"</dt>
                <dd>{move || me.with(|u| u.status.as_str())}</dd>
            </dl>
            <ActionForm action=rename attr:class="form form-inline">
                <VersionField version/>
                <div class="field">
                    <label for="account-name">"Display name"</label>
                    <input
                        id="account-name"
                        name="name"
                        type="text"
                        maxlength=DisplayName::MAX_LEN
                        autocomplete="name"
                        required
                        prop:value=move || typed.get()
                        on:input=move |ev| typed.set(event_target_value(&ev))
                        aria-describedby="account-name-help account-name-error"
                        aria-invalid=invalid(error, "name")
                    />
                    <p class="field-help" id="account-name-help">
                        {move || format!("{} characters left", remaining())}
                    </p>
                    <FieldMessage error field="name" id="account-name-error"/>
                </div>
                <StaleNotice error seen=Signal::derive(move || me.with(|u| serde_json::to_value(u).ok()))
                    fields=&[("name", "Display name")]/>
                <button type="submit" class="button button-primary" disabled=move || rename.pending().get()>
                    {move || if rename.pending().get() { "Saving…" } else { "Save" }}
                </button>
            </ActionForm>
        </section>
        <super::tokens::MembershipsSection/>
        <super::tokens::SignInMethodsSection/>
        <super::tokens::TokensSection/>
        <super::tokens::SessionsSection/>
        <MyAccess/>
    }
}

/// Each workspace I can reach, linking to what I may do there and why.
#[component]
fn MyAccess() -> impl IntoView {
    let me = expect_context::<Me>().0;
    let workspaces = Resource::new(|| (), |_| crate::api::list_workspaces(None, None, None));
    view! {
        <section class="panel" aria-labelledby="my-access-title">
            <h2 id="my-access-title">"My access"</h2>
            <p>
                <a href=move || format!("/users/{}", me.with(|u| u.id))>"My access: what I may do, and why"</a>
                " (globally)"
            </p>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let items = workspaces.await.map(|page| page.items).unwrap_or_default();
                    if items.is_empty() {
                        return view! { <p class="muted">"No workspace yet."</p> }.into_any();
                    }
                    view! {
                        <ul class="plain-list" aria-label="Workspaces I can reach">
                            {items.into_iter().map(|w| {
                                let key = w.key.to_string();
                                let href = format!("/users/{}?workspace={key}", me.with_untracked(|u| u.id));
                                view! {
                                    <li><a href=href>{w.name.clone()}</a> " " <code>{key}</code></li>
                                }
                            }).collect::<Vec<_>>()}
                        </ul>
                    }
                    .into_any()
                })}
            </Transition>
        </section>
    }
}
