//! `/users/{id}`: one user's teams, own policies, and effective permissions
//! (globally, or in the workspace named in the query string), each with the
//! policies that grant it.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{
    components::Form,
    hooks::{use_params_map, use_query_map},
};

use crate::{
    api::{load_user_detail, SetOneTimePassword},
    domain::UserView,
    ui::{
        components::{
            close_modal, failure, invalid, open_modal, report_outcome, Breadcrumbs, ErrorPanel, FieldMessage, Modal,
        },
        grants::{GrantDialog, Grants, PolicyList, RevokeDialog},
        widgets::EffectiveTable,
    },
};

/// How a user signs in, for those who manage users: a one-time password
/// for an account that has none, or whose owner lost theirs.
#[component]
fn SignInSection(user: UserView) -> impl IntoView {
    let set = ServerAction::<SetOneTimePassword>::new();
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    let error = failure(set);
    report_outcome(set, Some(dialog), |user| {
        format!("{} has a one-time password: pass it on. They choose their own when they next sign in.", user.email)
    });
    let email = user.email.to_string();
    view! {
        <section class="panel" aria-labelledby="user-sign-in">
            <h2 id="user-sign-in">"Sign-in"</h2>
            <p class="muted small">
                "Set a one-time password for someone who cannot sign in (an account made without a password, a lost one). "
                "It works once: signing in with it asks for a password of their own. Their sessions end now."
            </p>
            <button type="button" class="button" on:click=move |_| { set.value().set(None); open_modal(dialog); }>
                "Set a one-time password"
            </button>
            <Modal node_ref=dialog title="Set a one-time password" title_id="one-time-password-title" error=error>
                <p>"For " <strong>{email}</strong> ". Pass it on yourself, by a channel you trust."</p>
                <ActionForm action=set attr:class="form" attr:novalidate=true>
                    <input type="hidden" name="id" value=user.id.to_string()/>
                    <div class="field">
                        <label for="one-time-password">"One-time password"</label>
                        <input id="one-time-password" name="password" type="text" autocomplete="off" spellcheck="false" required
                            aria-describedby="one-time-password-help one-time-password-error" aria-invalid=invalid(error, "password")/>
                        <p class="field-help" id="one-time-password-help">"At least 10 characters."</p>
                        <FieldMessage error field="password" id="one-time-password-error"/>
                    </div>
                    <div class="dialog-actions">
                        <button type="button" class="button" on:click=move |_| close_modal(dialog)>"Cancel"</button>
                        <button type="submit" class="button button-primary" disabled=move || set.pending().get()>"Set password"</button>
                    </div>
                </ActionForm>
            </Modal>
        </section>
    }
}

/// The user detail page.
#[component]
pub fn UserDetailPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let workspace = move || query.with(|q| q.get("workspace").unwrap_or_default());
    let grants = Grants::new();
    let detail =
        Resource::new(move || (id(), workspace(), grants.changes()), |(id, ws, _)| load_user_detail(id, Some(ws)));
    let can = expect_context::<crate::ui::Can>();
    let may_grant = can.has(crate::domain::Permission::PolicyManage);
    let me = expect_context::<crate::ui::Me>().0;

    view! {
        <Title text="User"/>
        <Breadcrumbs trail=&[("/", "Dashboard"), ("/users", "Users")]/>
        <Transition fallback=|| view! { <p class="page-loading">"Loading the user…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    Ok(detail) => {
                        let scope_label = detail.workspace.as_ref()
                            .map_or_else(|| "globally".to_owned(), |w| format!("in workspace {w}"));
                        view! {
                            <div class="page-head">
                                <h1>{detail.user.name.clone()}</h1>
                                <span class=if detail.user.status.as_str() == "active" { "badge badge-ok" } else { "badge badge-muted" }>
                                    {detail.user.status.as_str()}
                                </span>
                            </div>
                            <p class="muted">{detail.user.email.to_string()}</p>

                            <section class="panel" aria-labelledby="user-teams">
                                <h2 id="user-teams">"Teams"</h2>
                                {if detail.teams.is_empty() {
                                    view! { <p class="muted">"Not in any team."</p> }.into_any()
                                } else {
                                    view! {
                                        <ul class="plain-list">
                                            {detail.teams.iter().map(|m| view! {
                                                <li><code>{m.team.to_string()}</code> " — " {m.team_role.clone()}</li>
                                            }).collect::<Vec<_>>()}
                                        </ul>
                                    }.into_any()
                                }}
                            </section>

                            <section class="panel" aria-labelledby="user-policies">
                                <div class="panel-head">
                                    <h2 id="user-policies">"Policies bound to this user"</h2>
                                    {(may_grant && detail.policies.is_some()).then(|| {
                                        let email = detail.user.email.to_string();
                                        view! {
                                            <button type="button" class="button button-primary"
                                                on:click=move |_| grants.open_grant_for(Some(email.clone()), None)>"Grant access"</button>
                                        }
                                    })}
                                </div>
                                {match detail.policies.clone() {
                                    None => view! { <p class="muted">"You may not read policies."</p> }.into_any(),
                                    Some(items) => view! {
                                        <PolicyList policies=items grants may_manage=may_grant subjects=false
                                            empty="None (access may still come through teams)."/>
                                    }.into_any(),
                                }}
                            </section>

                            <section class="panel" aria-labelledby="user-effective">
                                <h2 id="user-effective">"Effective permissions " {scope_label}</h2>
                                <Form method="GET" action="" attr:class="filters">
                                    <div class="field">
                                        <label for="effective-workspace">"Workspace"</label>
                                        <input id="effective-workspace" name="workspace" type="search" placeholder="empty: global" prop:value=workspace/>
                                    </div>
                                    <button type="submit" class="button">"Show"</button>
                                </Form>
                                {(detail.effective.is_empty() && detail.workspace.is_none()).then(|| {
                                    // Workspace policies grant nothing globally: say where they do.
                                    let mut places: Vec<String> = detail.policies.iter().flatten()
                                        .filter_map(|p| p.policy.workspace.as_ref().map(ToString::to_string)).collect();
                                    places.sort();
                                    places.dedup();
                                    (!places.is_empty()).then(|| view! {
                                        <p class="notice" data-places="workspaces">
                                            "Nothing globally: their policies apply in "
                                            {places.into_iter().map(|ws| view! {
                                                <a href=format!("?workspace={ws}")>{ws.clone()}</a> " "
                                            }).collect::<Vec<_>>()}
                                            "— pick one to see what they may do there."
                                        </p>
                                    })
                                })}
                                <EffectiveTable effective=detail.effective.clone() label="Effective permissions"/>
                            </section>
                            {(can.has(crate::domain::Permission::UserManage) && detail.user.kind != "service"
                                && Some(detail.user.id) != me.with_untracked(|u| Some(u.id))).then(|| view! {
                                <SignInSection user=detail.user.clone()/>
                            })}
                            // Someone else's tokens, for user managers (one's own are on My account).
                            {(can.has(crate::domain::Permission::UserManage) && Some(detail.user.id) != me.with_untracked(|u| Some(u.id))).then(|| view! {
                                <super::tokens::TokensSection
                                    owner=detail.user.id.to_string()
                                    may_create=detail.user.kind == "service"
                                />
                            })}
                        }.into_any()
                    }
                }
            })}
        </Transition>
        {may_grant.then(|| view! { <GrantDialog grants/> })}
        <RevokeDialog grants/>
    }
}
