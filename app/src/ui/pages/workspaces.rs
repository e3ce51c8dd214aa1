//! `/workspaces`: the workspaces the viewer can read, searchable; create;
//! delete after typing the workspace's key. Each links to its own page.

use leptos::{html, prelude::*};

use crate::{
    api::{list_workspaces, CreateWorkspace, DeleteWorkspace},
    domain::{Permission, WorkspaceView},
    ui::{components::*, list::*, widgets::*, Can},
};

const EMPTY: Empty = Empty {
    none: "There is no workspace you can see yet.",
    no_match: Some("No workspace matches this search."),
    show_all: Some(("/workspaces", "Show all workspaces")),
};

/// The Workspaces page.
#[component]
pub fn WorkspacesPage() -> impl IntoView {
    let can = expect_context::<Can>();
    let create = ServerAction::<CreateWorkspace>::new();
    let delete = ServerAction::<DeleteWorkspace>::new();
    let NamedPage { data: workspaces, query, create_dialog, delete_dialog, pending_delete } =
        named_page(move || (create.version().get(), delete.version().get()), list_workspaces);
    let (q, sort) = (query.text("q"), query.text("sort"));
    let typed_key = RwSignal::new(String::new());
    let create_error = Signal::derive(move || create.value().get().and_then(Result::err));

    report_outcome(create, Some(create_dialog), |workspace| format!("Created workspace {}.", workspace.key));
    report_outcome(delete, Some(delete_dialog), |_| "The workspace and its policies were deleted.".to_owned());

    let may_create = can.has(Permission::WorkspaceCreate);
    let open_create = move |_| open_modal(create_dialog);

    view! {
        <PageHead title="Workspaces" about="A workspace is a tenant that owns the platform's resources; access can be given in one workspace only.">
            {may_create.then(|| view! {
                <button type="button" class="button button-primary" on:click=open_create>"New workspace"</button>
            })}
        </PageHead>
        <SearchForm id="workspaces-q" value=q sort=sort/>
        <NamedTable
            data=workspaces
            base="/workspaces"
            label="Workspaces"
            loading="Loading workspaces…"
            empty=EMPTY
            q=Signal::derive(q)
            sort=Signal::derive(sort)
            with_actions=true
            actions=move |workspace: WorkspaceView| {
                // Deleting needs workspace:delete in that workspace; the
                // server decides, the button is offered to global holders.
                let label = format!("Delete workspace {}", workspace.key);
                can.has(Permission::WorkspaceDelete).then(|| view! {
                    <ConfirmButton label dialog=delete_dialog before=move || {
                        typed_key.set(String::new());
                        pending_delete.set(Some(workspace.clone()));
                    }/>
                })
            }
        />

        {may_create.then(|| view! {
            <Modal node_ref=create_dialog title="New workspace" title_id="create-workspace-title" error=create_error>
                <ActionForm action=create attr:class="form" attr:novalidate=true>
                    <NewNamedFields prefix="new-workspace" error=create_error key_example="ml-prod"/>
                    <div class="dialog-actions">
                        <button type="button" class="button" on:click=move |_| close_modal(create_dialog)>"Cancel"</button>
                        <button type="submit" class="button button-primary" disabled=move || create.pending().get()>"Create workspace"</button>
                    </div>
                </ActionForm>
            </Modal>
        })}

        <Modal node_ref=delete_dialog title="Delete workspace" title_id="delete-workspace-title" error=failure(delete)>
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
                    aria-describedby="delete-workspace-confirm-error" aria-invalid=invalid(error, "confirm")
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
