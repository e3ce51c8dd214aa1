//! `/roles`: built-in roles read-only, custom roles created, edited,
//! duplicated and deleted, each in a permission matrix (resources by
//! actions) that shows what every permission allows.

use leptos::{html, prelude::*};

use crate::{
    api::{list_roles, DeleteRole, SaveRole},
    domain::{Permission, PermissionSet, RoleView, ScopeKind},
    ui::{
        components::{
            close_modal, follow_version, invalid, open_modal, report_outcome, FieldMessage, Modal, PageHead, RowMenu,
            StaleNotice, VersionField,
        },
        list::PagedTable,
        Can,
    },
};

/// What the editor dialog shows: a new role, a copy, an edit, or a view.
#[derive(Clone, Debug, PartialEq)]
struct RoleDraft {
    /// `create` or `update`; `None` shows the role read-only.
    mode: Option<&'static str>,
    key: String,
    name: String,
    description: String,
    permissions: PermissionSet,
    /// The version an edit starts from, and the role as it was then.
    version: Option<i64>,
    seen: Option<serde_json::Value>,
}

/// The fields a 412 compares, by JSON key.
const ROLE_FIELDS: &[(&str, &str)] =
    &[("name", "Name"), ("description", "Description"), ("permissions", "Permissions")];

impl RoleDraft {
    fn new_role() -> Self {
        Self {
            mode: Some("create"),
            key: String::new(),
            name: String::new(),
            description: String::new(),
            permissions: PermissionSet::EMPTY,
            version: None,
            seen: None,
        }
    }

    fn of(role: &RoleView, mode: Option<&'static str>) -> Self {
        Self {
            mode,
            key: role.key.to_string(),
            name: role.name.clone(),
            description: role.description.clone(),
            permissions: role.permissions.iter().copied().collect(),
            version: (mode == Some("update")).then_some(role.version),
            seen: serde_json::to_value(role).ok(),
        }
    }

    /// A starting point for a new role: the same permissions under a new key.
    fn copy_of(role: &RoleView) -> Self {
        Self {
            key: format!("{}-copy", role.key),
            name: format!("Copy of {}", role.name),
            version: None,
            seen: None,
            ..Self::of(role, Some("create"))
        }
    }

    fn title(&self) -> String {
        match self.mode {
            Some("create") => "New role".to_owned(),
            Some(_) => format!("Edit role {}", self.key),
            None => format!("Role {}", self.key),
        }
    }
}

/// The catalog's resources (rows) and actions (columns), in catalog order.
fn matrix_axes() -> (Vec<&'static str>, Vec<&'static str>) {
    let mut resources = Vec::new();
    let mut actions = Vec::new();
    for permission in Permission::all() {
        if !resources.contains(&permission.resource()) {
            resources.push(permission.resource());
        }
        if !actions.contains(&permission.action()) {
            actions.push(permission.action());
        }
    }
    (resources, actions)
}

/// Where a resource's permissions apply: all globally, all per workspace,
/// or some of each (the workspace row: creating one is global, reading one
/// is per workspace).
fn scope_label(resource: &str) -> &'static str {
    let mut scopes = Permission::all().iter().filter(|p| p.resource() == resource).map(|p| p.scope());
    let first = scopes.next();
    match (first, scopes.all(|s| Some(s) == first)) {
        (Some(ScopeKind::Global), true) => "global",
        (Some(ScopeKind::Workspace), true) => "workspace",
        _ => "global and workspace",
    }
}

/// Checkboxes named `permissions[]`, one per permission of the catalog, laid
/// out as resources by actions; each says what it allows.
#[component]
fn PermissionMatrix(selected: PermissionSet, read_only: bool) -> impl IntoView {
    let (resources, actions) = matrix_axes();
    view! {
        <div class="matrix-scroll">
            <table class="matrix" aria-label="Permissions">
                <thead>
                    <tr>
                        <th scope="col">"Resource"</th>
                        {actions.iter().map(|action| view! { <th scope="col">{*action}</th> }).collect::<Vec<_>>()}
                    </tr>
                </thead>
                <tbody>
                    {resources.iter().map(|resource| {
                        let scope_label = scope_label(resource);
                        view! {
                            <tr>
                                <th scope="row">
                                    <span class="matrix-resource">{crate::domain::permission::resource_name(resource)}</span>
                                    <code class="matrix-key">{*resource}</code>
                                    <span class="scope-tag">{scope_label}</span>
                                </th>
                                {actions.iter().map(|action| {
                                    let key = format!("{resource}:{action}");
                                    match Permission::parse(&key) {
                                        None => view! { <td class="matrix-none"></td> }.into_any(),
                                        Some(permission) => {
                                            // Another name the platform uses for it, shown beside the key.
                                            let aliases: Vec<&str> = permission.aliases().collect();
                                            let also = if aliases.is_empty() { String::new() } else { format!(" (also {})", aliases.join(", ")) };
                                            let label = format!("{key}: {}{also}", permission.description());
                                            let alias_tags = aliases.into_iter().map(|alias| view! { <span class="alias-tag">{alias}</span> }).collect::<Vec<_>>();
                                            view! {
                                                <td>
                                                    <input
                                                        type="checkbox"
                                                        name="permissions[]"
                                                        value=key.clone()
                                                        aria-label=label.clone()
                                                        title=label
                                                        prop:checked=selected.contains(permission)
                                                        disabled=read_only
                                                    />
                                                    {alias_tags}
                                                </td>
                                            }.into_any()
                                        }
                                    }
                                }).collect::<Vec<_>>()}
                            </tr>
                        }
                    }).collect::<Vec<_>>()}
                </tbody>
            </table>
        </div>
    }
}

/// The Roles page.
#[component]
pub fn RolesPage() -> impl IntoView {
    let can = expect_context::<Can>();
    let save = ServerAction::<SaveRole>::new();
    let delete = ServerAction::<DeleteRole>::new();
    let roles = Resource::new(move || (save.version().get(), delete.version().get()), |_| list_roles());
    let editor = NodeRef::<html::Dialog>::new();
    let delete_dialog = NodeRef::<html::Dialog>::new();
    let draft = RwSignal::new(None::<RoleDraft>);
    let pending_delete = RwSignal::new(None::<RoleView>);
    let save_error = Signal::derive(move || save.value().get().and_then(Result::err));
    let delete_error = Signal::derive(move || delete.value().get().and_then(Result::err));
    let version = RwSignal::new(None::<i64>);
    let seen = RwSignal::new(None::<serde_json::Value>);
    let delete_version = RwSignal::new(None::<i64>);
    follow_version(save_error, version);
    follow_version(delete_error, delete_version);

    report_outcome(save, Some(editor), |role| format!("Saved role {}.", role.key));
    report_outcome(delete, Some(delete_dialog), |_| "The role was deleted.".to_owned());

    let may_manage = can.has(Permission::RoleManage);
    // The editor's fields are set as properties, not attributes: the dialog
    // reuses its inputs, and a property is what the browser shows and posts.
    let open_editor = move |next: RoleDraft| {
        // A fresh form: no error left over from an earlier attempt.
        save.value().set(None);
        version.set(next.version);
        seen.set(next.seen.clone());
        draft.set(Some(next));
        open_modal(editor);
    };

    view! {
        <PageHead title="Roles" about=if may_manage {
            "A role is a named set of permissions, given by policies. Built-in roles are fixed; duplicate one to start a custom role."
        } else {
            "A role is a named set of permissions, given by policies. Built-in roles are fixed; custom ones are made by those who manage roles."
        }>
            {may_manage.then(|| view! {
                <button type="button" class="button button-primary" on:click=move |_| open_editor(RoleDraft::new_role())>
                    "New role"
                </button>
            })}
        </PageHead>
        <PagedTable
            data=roles
            label="Roles"
            loading="Loading roles…"
            columns={vec!["Role", "Description", "Permissions", "Used by", ""]}
            row=move |role: RoleView| {
                let key = role.key.to_string();
                let used = match role.used_by {
                    1 => "1 policy".to_owned(),
                    n => format!("{n} policies"),
                };
                let (view_role, copy_role, edit_role, delete_target) =
                    (role.clone(), role.clone(), role.clone(), role.clone());
                let row_key = key.clone();
                let in_use = role.used_by > 0;
                view! {
                    <tr data-key=row_key>
                        <td>
                            <strong>{role.name.clone()}</strong>
                            " " <code>{key.clone()}</code>
                            {role.builtin.then(|| view! { <span class="badge">"built-in"</span> })}
                        </td>
                        <td class="muted">{role.description.clone()}</td>
                        <td>{role.permissions.len()}</td>
                        <td>{used}</td>
                        <td class="row-actions">
                            {(!may_manage).then(|| {
                                let view_role = view_role.clone();
                                view! {
                                    <button type="button" class="button button-small"
                                        aria-label=format!("View role {key}")
                                        on:click=move |_| open_editor(RoleDraft::of(&view_role, None))>"View"</button>
                                }
                            })}
                            {may_manage.then(move || view! {
                                <RowMenu key=format!("role-{key}") name=format!("role {key}")>
                                    {role.builtin.then(|| {
                                        let view_role = view_role.clone();
                                        view! {
                                            <button type="button" class="button button-small"
                                                aria-label=format!("View role {key}")
                                                on:click=move |_| open_editor(RoleDraft::of(&view_role, None))>"View"</button>
                                        }
                                    })}
                                    {(!role.builtin).then(|| view! {
                                        <button type="button" class="button button-small"
                                            aria-label=format!("Edit role {key}")
                                            on:click=move |_| open_editor(RoleDraft::of(&edit_role, Some("update")))>"Edit"</button>
                                    })}
                                    <button type="button" class="button button-small"
                                        aria-label=format!("Duplicate role {key}")
                                        on:click=move |_| open_editor(RoleDraft::copy_of(&copy_role))>"Duplicate"</button>
                                    {(!role.builtin).then(|| view! {
                                        <button type="button" class="button button-small button-danger"
                                            aria-label=format!("Delete role {key}")
                                            disabled=in_use
                                            title=in_use.then_some("Delete or change the policies that use it first")
                                            on:click=move |_| {
                                                delete.value().set(None);
                                                delete_version.set(Some(delete_target.version));
                                                pending_delete.set(Some(delete_target.clone()));
                                                open_modal(delete_dialog);
                                            }>"Delete"</button>
                                    })}
                                </RowMenu>
                            })}
                        </td>
                    </tr>
                }
            }
        />

        <Modal
            node_ref=editor
            title=Signal::derive(move || draft.with(|d| d.as_ref().map(RoleDraft::title).unwrap_or_default()))
            title_id="role-editor-title"
            wide=true
            error=save_error
        >
            {move || draft.get().map(|draft| {
                let read_only = draft.mode.is_none();
                let creating = draft.mode == Some("create");
                view! {
                    <ActionForm action=save attr:class="form" attr:novalidate=true>
                        <input type="hidden" name="mode" value=draft.mode.unwrap_or("view")/>
                        <VersionField version/>
                        <div class="field-row">
                            <div class="field">
                                <label for="role-key">"Key"</label>
                                <input id="role-key" name="key" type="text" required prop:value=draft.key.clone()
                                    readonly=!creating aria-describedby="role-key-help role-key-error" aria-invalid=invalid(save_error, "key")/>
                                <p class="field-help" id="role-key-help">
                                    {if creating { "Lower-case letters, digits, dashes and underscores, e.g. endpoint-operator. It cannot change later." } else { "The key cannot change." }}
                                </p>
                                <FieldMessage error=save_error field="key" id="role-key-error"/>
                            </div>
                            <div class="field">
                                <label for="role-name">"Name"</label>
                                <input id="role-name" name="name" type="text" required prop:value=draft.name.clone()
                                    readonly=read_only aria-describedby="role-name-error" aria-invalid=invalid(save_error, "name")/>
                                <FieldMessage error=save_error field="name" id="role-name-error"/>
                            </div>
                        </div>
                        <div class="field">
                            <label for="role-description">"Description"</label>
                            <textarea id="role-description" name="description" rows="2" readonly=read_only
                                prop:value=draft.description.clone()></textarea>
                        </div>
                        <fieldset class="field">
                            <legend>"Permissions"</legend>
                            <p class="field-help">"Workspace permissions apply in the workspace a policy names (or everywhere for a global policy); global ones only through a global policy."</p>
                            <PermissionMatrix selected=draft.permissions read_only/>
                            <FieldMessage error=save_error field="permissions" id="role-permissions-error"/>
                        </fieldset>
                        <StaleNotice error=save_error seen fields=ROLE_FIELDS/>
                        <div class="dialog-actions">
                            <button type="button" class="button" on:click=move |_| close_modal(editor)>
                                {if read_only { "Close" } else { "Cancel" }}
                            </button>
                            {(!read_only).then(|| view! {
                                <button type="submit" class="button button-primary" disabled=move || save.pending().get()>
                                    {if creating { "Create role" } else { "Save changes" }}
                                </button>
                            })}
                        </div>
                    </ActionForm>
                }
            })}
        </Modal>

        <Modal node_ref=delete_dialog title="Delete role" title_id="delete-role-title" error=delete_error>
            {move || pending_delete.get().map(|role| view! {
                <p>"Delete the role " <strong>{role.name.clone()}</strong> " (" <code>{role.key.to_string()}</code> ")? No policy uses it."</p>
                <ActionForm action=delete attr:class="form">
                    <input type="hidden" name="key" value=role.key.to_string()/>
                    <VersionField version=delete_version/>
                    <StaleNotice
                        error=delete_error
                        seen=Signal::derive(move || pending_delete.with(|r| r.as_ref().and_then(|r| serde_json::to_value(r).ok())))
                        fields=ROLE_FIELDS
                        advice="Delete again to delete it as it is now, or cancel."
                    />
                    <div class="dialog-actions">
                        <button type="button" class="button" on:click=move |_| close_modal(delete_dialog)>"Cancel"</button>
                        <button type="submit" class="button button-danger">"Delete role"</button>
                    </div>
                </ActionForm>
            })}
        </Modal>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_row_of_both_scopes_says_so() {
        assert_eq!(super::scope_label("workspace"), "global and workspace");
        assert_eq!(super::scope_label("user"), "global");
        assert_eq!(super::scope_label("endpoint"), "workspace");
    }
}
