//! `/invite/{token}`: what an invitation offers, and how to accept it: set a
//! name and password for a new account, or (signed in as the invited email)
//! accept with one click. Expired, revoked and used links get a page that
//! says so. Works as plain forms before the wasm loads.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::{
    api::{current_user, preview_invitation, AcceptInvitation, AcceptInvitationWithPassword, Logout},
    domain::InvitationPreview,
    error::AppError,
    ui::components::{encode_query_value, error_from_url, invalid, FieldMessage, ProviderButtons},
};

fn gone_title(error: &AppError) -> &'static str {
    match error {
        AppError::Gone { code, .. } if code == "invitation_expired" => "This invitation has expired",
        AppError::Gone { code, .. } if code == "invitation_revoked" => "This invitation was withdrawn",
        AppError::Gone { .. } => "This invitation has been used",
        AppError::NotFound { .. } => "This invitation link does not work",
        _ => "The invitation cannot be shown",
    }
}

/// The invite link's page.
#[component]
pub fn InvitePage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.with(|p| p.get("token").unwrap_or_default());
    let preview = Resource::new(token, preview_invitation);
    let me = Resource::new(|| (), |_| current_user());
    let query = use_query_map();
    // A refused sign-in with GitHub or Google comes back with its reason.
    let provider_error = move || query.with(|q| q.get("error")).filter(|e| !e.is_empty());

    view! {
        <Title text="Invitation"/>
        <main class="auth-page">
            <section class="auth-card">
                <h1 class="auth-title"><span class="brand-mark" aria-hidden="true">"▦"</span>" Portcullis"</h1>
                {move || provider_error().map(|message| view! { <p class="form-error" role="alert" data-error="provider">{message}</p> })}
                <Suspense fallback=|| view! { <p class="page-loading">"Loading the invitation…"</p> }>
                    {move || Suspend::new(async move {
                        match (preview.await, me.await.ok().flatten()) {
                            (Err(error), _) => view! {
                                <div role="alert">
                                    <h2>{gone_title(&error)}</h2>
                                    <p>{error.to_string()}</p>
                                    <p><a href="/login">"Go to sign in"</a></p>
                                </div>
                            }.into_any(),
                            (Ok(invitation), signed_in) => {
                                let signed_in_email = signed_in.map(|s| s.user.email.to_string());
                                view! { <InvitationOffer invitation token=token() signed_in_email/> }.into_any()
                            }
                        }
                    })}
                </Suspense>
            </section>
        </main>
    }
}

#[component]
fn InvitationOffer(invitation: InvitationPreview, token: String, signed_in_email: Option<String>) -> impl IntoView {
    let scope =
        invitation.workspace.as_ref().map_or_else(|| "everywhere".to_owned(), |w| format!("in the workspace {w}"));
    let team = invitation.team.as_ref().map(|t| format!(", as a member of the team {t}")).unwrap_or_default();
    let expires = crate::domain::dates::format_timestamp(invitation.expires_at);
    let grants = invitation.permissions.iter().map(|p| p.key()).collect::<Vec<_>>().join(", ");
    let how = match signed_in_email {
        Some(email) if email == invitation.email || invitation.any_email => {
            view! { <AcceptSignedIn token/> }.into_any()
        }
        Some(email) => view! { <WrongAccount signed_in=email invited=invitation.email.clone()/> }.into_any(),
        None if invitation.account_exists => {
            let next = encode_query_value(&format!("/invite/{token}"));
            view! {
                <p>{format!("{} already has an account.", invitation.email)}</p>
                <ProviderButtons invite=token.clone()/>
                <a class="button button-primary" href=format!("/login?next={next}")>"Sign in with a password to accept"</a>
            }
            .into_any()
        }
        None => view! {
            <ProviderButtons invite=token.clone()/>
            <SignUpWithPassword token email=invitation.email.clone()/>
        }
        .into_any(),
    };
    view! {
        <h2>"You are invited"</h2>
        <p data-invitation="summary">
            <strong>{invitation.invited_by_email.clone()}</strong> " invites " <strong>{invitation.email.clone()}</strong>
            " to Portcullis as " <strong>{invitation.role_name.clone()}</strong> {format!(" {scope}{team}.")}
        </p>
        <p class="muted small">"This grants: " {grants}</p>
        <p class="muted small">{format!("The link works once, until {expires} (UTC).")}</p>
        {how}
    }
}

#[component]
fn AcceptSignedIn(token: String) -> impl IntoView {
    let accept = ServerAction::<AcceptInvitation>::new();
    let url_error = error_from_url("/sfn/invitations/accept");
    let error = move || accept.value().get().and_then(Result::err).or_else(url_error).map(|e| e.to_string());
    view! {
        <ActionForm action=accept attr:class="form">
            <input type="hidden" name="token" value=token/>
            {move || error().map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
            <button type="submit" class="button button-primary" disabled=move || accept.pending().get()>"Accept the invitation"</button>
        </ActionForm>
    }
}

#[component]
fn WrongAccount(signed_in: String, invited: String) -> impl IntoView {
    let logout = ServerAction::<Logout>::new();
    view! {
        <p class="form-error" role="alert">
            {format!("You are signed in as {signed_in}, but this invitation is for {invited}. Sign out, then open the link again.")}
        </p>
        <ActionForm action=logout attr:class="inline-form">
            <button type="submit" class="button">"Sign out"</button>
        </ActionForm>
    }
}

#[component]
fn SignUpWithPassword(token: String, email: String) -> impl IntoView {
    let accept = ServerAction::<AcceptInvitationWithPassword>::new();
    let url_error = error_from_url("/sfn/invitations/accept-password");
    let error = Signal::derive(move || match accept.value().get() {
        Some(Err(error)) => Some(error),
        Some(Ok(_)) => None,
        None => url_error(),
    });
    let banner = move || error.get().filter(|e| !matches!(e, AppError::Validation { .. })).map(|e| e.to_string());
    view! {
        <h3>"Create your account"</h3>
        <ActionForm action=accept attr:class="form" attr:novalidate=true>
            <input type="hidden" name="token" value=token/>
            <div class="field">
                <label for="invite-email">"Email"</label>
                <input id="invite-email" type="email" value=email readonly autocomplete="username"/>
            </div>
            <div class="field">
                <label for="invite-name">"Your name"</label>
                <input id="invite-name" name="name" type="text" autocomplete="name" required aria-describedby="invite-name-error" aria-invalid=invalid(error, "name")/>
                <FieldMessage error field="name" id="invite-name-error"/>
            </div>
            <div class="field">
                <label for="invite-password">"Password"</label>
                <input id="invite-password" name="password" type="password" autocomplete="new-password" required
                    aria-describedby="invite-password-help invite-password-error" aria-invalid=invalid(error, "password")/>
                <p class="field-help" id="invite-password-help">"At least 10 characters."</p>
                <FieldMessage error field="password" id="invite-password-error"/>
            </div>
            {move || banner().map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
            <button type="submit" class="button button-primary" disabled=move || accept.pending().get()>"Join Portcullis"</button>
        </ActionForm>
    }
}
