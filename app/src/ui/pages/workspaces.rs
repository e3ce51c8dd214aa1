//! `/workspaces`: the workspaces the viewer can read, searchable; create;
//! delete after typing the workspace's key. Each links to its own page.

use leptos::{html, prelude::*};
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    api::{list_workspaces, CreateWorkspace, DeleteWorkspace},
    domain::{Permission, WorkspaceView},
    ui::{
        components::{
            close_modal, follow_version, href_with, open_modal, report_outcome, EmptyList, ErrorPanel, FieldMessage,
            Modal, Pager, SearchForm, StaleNotice, VersionField,
        },
        widgets::NewNamedFields,
        Can,
    },
};

/// The Workspaces page.
#[component]
pub fn WorkspacesPage() -> impl IntoView {
    let can = expect_context::<Can>();
    let query = use_query_map();
    let q = move || query.with(|m| m.get("q").unwrap_or_default());
    let sort = move || query.with(|m| m.get("sort").unwrap_or_default());
    let cursor = move || query.with(|m| m.get("cursor"));
    let create = ServerAction::<CreateWorkspace>::new();
    let delete = ServerAction::<DeleteWorkspace>::new();
    let workspaces = Resource::new(
        move || (q(), sort(), cursor(), create.version().get(), delete.version().get()),
        |(q, sort, cursor, ..)| list_workspaces(Some(q), Some(sort), cursor),
    );
    let create_dialog = NodeRef::<html::Dialog>::new();
    let delete_dialog = NodeRef::<html::Dialog>::new();
    let pending_delete = RwSignal::new(None::<WorkspaceView>);
    let typed_key = RwSignal::new(String::new());
    let create_error = Signal::derive(move || create.value().get().and_then(Result::err));

    report_outcome(create, Some(create_dialog), |workspace| format!("Created workspace {}.", workspace.key));
    report_outcome(delete, Some(delete_dialog), |_| "The workspace and its policies were deleted.".to_owned());

    let may_create = can.has(Permission::WorkspaceCreate);
    let open_create = move |_| open_modal(create_dialog);

    view! {
        <Title text="Workspaces"/>
        <div class="page-head">
            <h1>"Workspaces"</h1>
            {may_create.then(|| view! {
                <button type="button" class="button button-primary" on:click=open_create>"New workspace"</button>
            })}
        </div>
        <SearchForm id="workspaces-q" value=q sort=sort/>
        <Transition fallback=|| view! { <p class="page-loading">"Loading workspaces…"</p> }>
            {move || Suspend::new(async move {
                match workspaces.await {
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    Ok(page) if page.items.is_empty() => if q().is_empty() {
                        view! { <EmptyList message="There is no workspace you can see yet."/> }.into_any()
                    } else {
                        view! { <EmptyList message="No workspace matches this search." show_all=("/workspaces", "Show all workspaces")/> }.into_any()
                    },
                    Ok(page) => {
                        let next = page.next_cursor.clone().map(|c| {
                            href_with("/workspaces", &[("q", &q()), ("sort", &sort()), ("cursor", &c)])
                        });
                        view! {
                            <table class="table" aria-label="Workspaces">
                                <thead>
                                    <tr>
                                        <th scope="col">"Key"</th>
                                        <th scope="col">"Name"</th>
                                        <th scope="col">"Description"</th>
                                        <th scope="col"><span class="sr-only">"Actions"</span></th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {page.items.into_iter().map(|workspace| {
                                        // Deleting needs workspace:delete in that workspace; the
                                        // server decides, the button is offered to global holders.
                                        let may_delete = can.has(Permission::WorkspaceDelete);
                                        let label = format!("Delete workspace {}", workspace.key);
                                        let target = workspace.clone();
                                        view! {
                                            <tr data-key=workspace.key.to_string()>
                                                <td><a href=format!("/workspaces/{}", workspace.key)><code>{workspace.key.to_string()}</code></a></td>
                                                <td>{workspace.name.clone()}</td>
                                                <td class="muted">{workspace.description.clone()}</td>
                                                <td class="row-actions">
                                                    {may_delete.then(|| view! {
                                                        <button
                                                            type="button"
                                                            class="button button-small button-danger"
                                                            aria-label=label.clone()
                                                            on:click=move |_| {
                                                                typed_key.set(String::new());
                                                                pending_delete.set(Some(target.clone()));
                                                                open_modal(delete_dialog);
                                                            }
                                                        >
                                                            "Delete"
                                                        </button>
                                                    })}
                                                </td>
                                            </tr>
                                        }
                                    }).collect::<Vec<_>>()}
                                </tbody>
                            </table>
                            <Pager href=next/>
                        }.into_any()
                    }
                }
            })}
        </Transition>

        {may_create.then(|| view! {
            <Modal node_ref=create_dialog title="New workspace" title_id="create-workspace-title">
                <ActionForm action=create attr:class="form" attr:novalidate=true>
                    <NewNamedFields prefix="new-workspace" error=create_error key_example="ml-prod"/>
                    <div class="dialog-actions">
                        <button type="button" class="button" on:click=move |_| close_modal(create_dialog)>"Cancel"</button>
                        <button type="submit" class="button button-primary" disabled=move || create.pending().get()>"Create workspace"</button>
                    </div>
                </ActionForm>
            </Modal>
        })}

        <Modal node_ref=delete_dialog title="Delete workspace" title_id="delete-workspace-title">
            {move || pending_delete.get().map(|workspace| view! {
                <ConfirmWorkspaceDelete action=delete dialog=delete_dialog workspace typed_key/>
            })}
        </Modal>
    }
}

/// The fields of a workspace a 412 compares, by JSON key.
pub const WORKSPACE_FIELDS: &[(&str, &str)] = &[("name", "Name"), ("description", "Description")];

/// The body of the delete dialog: deleting needs the key typed.
#[component]
pub fn ConfirmWorkspaceDelete(
    action: ServerAction<DeleteWorkspace>,
    dialog: NodeRef<html::Dialog>,
    workspace: WorkspaceView,
    typed_key: RwSignal<String>,
) -> impl IntoView {
    let key = workspace.key.to_string();
    let expected = key.clone();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let version = RwSignal::new(Some(workspace.version));
    follow_version(error, version);
    let seen = serde_json::to_value(&workspace).ok();
    view! {
        <p>"This deletes " <strong>{workspace.name.clone()}</strong> " and every policy in it. Type " <code>{key.clone()}</code> " to confirm."</p>
        <ActionForm action attr:class="form">
            <input type="hidden" name="key" value=key.clone()/>
            <VersionField version/>
            <div class="field">
                <label for="delete-workspace-confirm">"Workspace key"</label>
                <input
                    id="delete-workspace-confirm"
                    name="confirm"
                    type="text"
                    autocomplete="off"
                    aria-describedby="delete-workspace-confirm-error"
                    prop:value=move || typed_key.get()
                    on:input=move |ev| typed_key.set(event_target_value(&ev))
                />
                <FieldMessage error field="confirm" id="delete-workspace-confirm-error"/>
            </div>
            <StaleNotice error seen=Signal::derive(move || seen.clone()) fields=WORKSPACE_FIELDS
                advice="Delete again to delete it as it is now, or cancel."/>
            <div class="dialog-actions">
                <button type="button" class="button" on:click=move |_| close_modal(dialog)>"Cancel"</button>
                <button type="submit" class="button button-danger" disabled=move || typed_key.get().trim() != expected>"Delete"</button>
            </div>
        </ActionForm>
    }
}
