//! `/workspaces`: the workspaces the viewer can read; create; delete after
//! typing the workspace's key.

use leptos::{html, prelude::*};
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    api::{list_workspaces, CreateWorkspace, DeleteWorkspace},
    domain::{Permission, WorkspaceView},
    ui::{
        components::{close_modal, open_modal, report_outcome, ErrorPanel, FieldMessage, Modal, Pager},
        Can,
    },
};

/// The Workspaces page.
#[component]
pub fn WorkspacesPage() -> impl IntoView {
    let can = expect_context::<Can>();
    let query = use_query_map();
    let cursor = move || query.with(|m| m.get("cursor"));
    let create = ServerAction::<CreateWorkspace>::new();
    let delete = ServerAction::<DeleteWorkspace>::new();
    let workspaces = Resource::new(
        move || (cursor(), create.version().get(), delete.version().get()),
        |(cursor, ..)| list_workspaces(cursor),
    );
    let create_dialog = NodeRef::<html::Dialog>::new();
    let delete_dialog = NodeRef::<html::Dialog>::new();
    let pending_delete = RwSignal::new(None::<WorkspaceView>);
    let typed_key = RwSignal::new(String::new());
    let create_error = Signal::derive(move || create.value().get().and_then(Result::err));
    let delete_error = Signal::derive(move || delete.value().get().and_then(Result::err));

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
        <Transition fallback=|| view! { <p class="page-loading">"Loading workspaces…"</p> }>
            {move || Suspend::new(async move {
                match workspaces.await {
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    Ok(page) if page.items.is_empty() => view! {
                        <div class="empty-state"><p>"There is no workspace you can see yet."</p></div>
                    }.into_any(),
                    Ok(page) => {
                        let next = page.next_cursor.clone().map(|c| format!("/workspaces?cursor={c}"));
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
                                                <td><code>{workspace.key.to_string()}</code></td>
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
                    <div class="field">
                        <label for="new-workspace-key">"Key"</label>
                        <input id="new-workspace-key" name="key" type="text" required aria-describedby="new-workspace-key-help new-workspace-key-error"/>
                        <p class="field-help" id="new-workspace-key-help">"Lower-case letters, digits and dashes, e.g. ml-prod. It cannot change later."</p>
                        <FieldMessage error=create_error field="key" id="new-workspace-key-error"/>
                    </div>
                    <div class="field">
                        <label for="new-workspace-name">"Name"</label>
                        <input id="new-workspace-name" name="name" type="text" required aria-describedby="new-workspace-name-error"/>
                        <FieldMessage error=create_error field="name" id="new-workspace-name-error"/>
                    </div>
                    <div class="field">
                        <label for="new-workspace-description">"Description"</label>
                        <textarea id="new-workspace-description" name="description" rows="3"></textarea>
                    </div>
                    <div class="dialog-actions">
                        <button type="button" class="button" on:click=move |_| close_modal(create_dialog)>"Cancel"</button>
                        <button type="submit" class="button button-primary" disabled=move || create.pending().get()>"Create workspace"</button>
                    </div>
                </ActionForm>
            </Modal>
        })}

        <Modal node_ref=delete_dialog title="Delete workspace" title_id="delete-workspace-title">
            {move || pending_delete.get().map(|workspace| {
                let key = workspace.key.to_string();
                let expected = key.clone();
                view! {
                    <p>"This deletes " <strong>{workspace.name.clone()}</strong> " and every policy in it. Type " <code>{key.clone()}</code> " to confirm."</p>
                    <ActionForm action=delete attr:class="form">
                        <input type="hidden" name="key" value=key.clone()/>
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
                            <FieldMessage error=delete_error field="confirm" id="delete-workspace-confirm-error"/>
                        </div>
                        <div class="dialog-actions">
                            <button type="button" class="button" on:click=move |_| close_modal(delete_dialog)>"Cancel"</button>
                            <button type="submit" class="button button-danger" disabled=move || typed_key.get().trim() != expected>"Delete"</button>
                        </div>
                    </ActionForm>
                }
            })}
        </Modal>
    }
}
