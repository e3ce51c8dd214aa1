//! `/workspaces/{key}`: a workspace's policies and the people who have access
//! (directly or through a team); rename, re-describe, delete.

use leptos::{html, prelude::*};
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::{
    api::{load_workspace_detail, DeleteWorkspace, UpdateWorkspace},
    ui::{
        components::{
            close_modal, encode_query_value, failure, follow_version, open_modal, report_outcome, successes,
            Breadcrumbs, ErrorPanel, Modal, StaleNotice, VersionField,
        },
        grants::{GrantDialog, Grants, PolicyList, RevokeDialog},
        pages::workspaces::{ConfirmWorkspaceDelete, WORKSPACE_FIELDS},
        widgets::{NameDescriptionFields, PeopleTable},
    },
};

/// The workspace page.
#[component]
pub fn WorkspaceDetailPage() -> impl IntoView {
    let params = use_params_map();
    let key = move || params.with(|p| p.get("key").unwrap_or_default());
    let update = ServerAction::<UpdateWorkspace>::new();
    let delete = ServerAction::<DeleteWorkspace>::new();
    let updated = successes(update);
    let grants = Grants::new();
    let detail =
        Resource::new(move || (key(), updated.get(), grants.changes()), |(key, ..)| load_workspace_detail(key));
    let edit_dialog = NodeRef::<html::Dialog>::new();
    let delete_dialog = NodeRef::<html::Dialog>::new();
    let update_error = Signal::derive(move || update.value().get().and_then(Result::err));
    let version = RwSignal::new(None::<i64>);
    let seen = RwSignal::new(None::<serde_json::Value>);
    follow_version(update_error, version);
    let (typed_name, typed_description) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let typed_key = RwSignal::new(String::new());
    report_outcome(update, Some(edit_dialog), |ws| format!("Saved workspace {}.", ws.key));
    report_outcome(delete, Some(delete_dialog), |_| "The workspace and its policies were deleted.".to_owned());
    // After a delete there is nothing left to show here.
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(())) = delete.value().get() {
            navigate("/workspaces", Default::default());
        }
    });

    view! {
        <Title text="Workspace"/>
        <Breadcrumbs trail=&[("/", "Dashboard"), ("/workspaces", "Workspaces")]/>
        <Transition fallback=|| view! { <p class="page-loading">"Loading the workspace…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    Ok(detail) => {
                        let workspace = detail.workspace.clone();
                        let ws_key = workspace.key.to_string();
                        let (edit_name, edit_description) = (workspace.name.clone(), workspace.description.clone());
                        let shown = workspace.clone();
                        let policies_link = format!("/policies?workspace={}", encode_query_value(&ws_key));
                        let may_grant = detail.may_manage_policies;
                        let invite_link = format!("/invitations?workspace={}", encode_query_value(&ws_key));
                        view! {
                            <div class="page-head">
                                <h1>{workspace.name.clone()}</h1>
                                <div class="row-actions">
                                    {detail.may_update.then(|| view! {
                                        <button type="button" class="button" on:click=move |_| {
                                            typed_name.set(edit_name.clone());
                                            typed_description.set(edit_description.clone());
                                            version.set(Some(shown.version));
                                            seen.set(serde_json::to_value(&shown).ok());
                                            update.value().set(None);
                                            open_modal(edit_dialog);
                                        }>"Edit workspace"</button>
                                    })}
                                    {detail.may_delete.then(|| view! {
                                        <button type="button" class="button button-danger" on:click=move |_| {
                                            typed_key.set(String::new());
                                            open_modal(delete_dialog);
                                        }>"Delete workspace"</button>
                                    })}
                                </div>
                            </div>
                            <p class="muted"><code>{ws_key.clone()}</code> {(!workspace.description.is_empty()).then(|| format!(" · {}", workspace.description))}</p>

                            <section class="panel" aria-labelledby="workspace-policies">
                                <div class="panel-head">
                                    <h2 id="workspace-policies">"Policies in this workspace"</h2>
                                    {may_grant.then(|| view! {
                                        <button type="button" class="button button-primary" on:click=move |_| grants.open_grant_for(None, Some(key()))>"Add member"</button>
                                    })}
                                </div>
                                {match detail.policies.clone() {
                                    None => view! { <p class="muted">"You may not read the policies of this workspace."</p> }.into_any(),
                                    Some(items) => view! {
                                        <PolicyList policies=items grants may_manage=may_grant empty="No policy is scoped to this workspace."/>
                                    }.into_any(),
                                }}
                                <p>
                                    <a href=policies_link>"All policies of this workspace"</a>
                                    " · "
                                    <a href=invite_link>"Invite people to this workspace"</a>
                                </p>
                            </section>

                            <section class="panel" aria-labelledby="workspace-people">
                                <h2 id="workspace-people">"People with access"</h2>
                                <p class="muted small">"Everyone holding a workspace permission here: through a policy of this workspace or a global one, bound to them or to a team they are in."</p>
                                {match detail.people.clone() {
                                    None => view! { <p class="muted">"You may not read who has access here."</p> }.into_any(),
                                    Some(people) => view! { <PeopleTable people label="People with access"/> }.into_any(),
                                }}
                            </section>

                            <Modal node_ref=edit_dialog title="Edit workspace" title_id="edit-workspace-title" error=update_error>
                                <ActionForm action=update attr:class="form" attr:novalidate=true>
                                    <input type="hidden" name="key" value=ws_key.clone()/>
                                    <VersionField version/>
                                    <NameDescriptionFields prefix="edit-workspace" error=update_error
                                        name=Some(typed_name) description=Some(typed_description)/>
                                    <StaleNotice error=update_error seen fields=WORKSPACE_FIELDS/>
                                    <div class="dialog-actions">
                                        <button type="button" class="button" on:click=move |_| close_modal(edit_dialog)>"Cancel"</button>
                                        <button type="submit" class="button button-primary" disabled=move || update.pending().get()>"Save"</button>
                                    </div>
                                </ActionForm>
                            </Modal>
                            <Modal node_ref=delete_dialog title="Delete workspace" title_id="delete-workspace-title" error=failure(delete)>
                                <ConfirmWorkspaceDelete action=delete dialog=delete_dialog workspace=workspace.clone() typed_key/>
                            </Modal>
                        }.into_any()
                    }
                }
            })}
        </Transition>
        <GrantDialog grants/>
        <RevokeDialog grants/>
    }
}
