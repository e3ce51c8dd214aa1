//! Pieces several pages show: who has access and why, the user picker, and
//! the fields of named things (teams, workspaces).

use leptos::prelude::*;

use crate::{
    api::list_users,
    domain::{EffectivePermission, GrantView, PeopleWithAccess, UserView},
    error::AppError,
    ui::components::{invalid, FieldMessage},
};

/// A moment, shown as a UTC date and time, machine-readable in `datetime`.
#[component]
pub fn Timestamp(ms: i64) -> impl IntoView {
    let shown = crate::domain::dates::format_timestamp(ms);
    let machine = format!("{}Z", shown.replace(' ', "T"));
    view! { <time datetime=machine>{shown}</time> }
}

/// How a grant reaches a person, in a few words.
pub fn describe_grant(grant: &GrantView) -> String {
    let scope = grant.workspace.as_ref().map_or_else(|| "globally".to_owned(), |w| format!("in {w}"));
    let via = grant.team.as_ref().map(|t| format!(", through team {t}")).unwrap_or_else(|| ", directly".to_owned());
    format!("policy #{}: {} {scope}{via}", grant.policy.0, grant.role)
}

/// Each permission with the policies that grant it.
#[component]
pub fn EffectiveTable(effective: Vec<EffectivePermission>, label: &'static str) -> impl IntoView {
    if effective.is_empty() {
        return view! { <p class="muted">"No permission here."</p> }.into_any();
    }
    view! {
        <table class="table" aria-label=label>
            <thead><tr><th scope="col">"Permission"</th><th scope="col">"Granted by"</th></tr></thead>
            <tbody>
                {effective.iter().map(|e| view! {
                    <tr data-permission=e.permission.key()>
                        <td><code>{e.permission.key()}</code><div class="muted small">{e.permission.description()}</div></td>
                        <td>{e.granted_by.iter().map(|g| view! { <div>{describe_grant(g)}</div> }).collect::<Vec<_>>()}</td>
                    </tr>
                }).collect::<Vec<_>>()}
            </tbody>
        </table>
    }
    .into_any()
}

/// People with access, each with the policies that reach them.
#[component]
pub fn PeopleTable(people: PeopleWithAccess, label: &'static str) -> impl IntoView {
    if people.people.is_empty() {
        return view! { <p class="muted">"Nobody."</p> }.into_any();
    }
    let note = if people.total > people.people.len() {
        format!("Showing {} of {} people.", people.people.len(), people.total)
    } else {
        format!("{} in all.", people.total)
    };
    view! {
        <p class="muted">{note}</p>
        <table class="table" aria-label=label>
            <thead><tr><th scope="col">"Person"</th><th scope="col">"Through"</th></tr></thead>
            <tbody>
                {people.people.into_iter().map(|person| view! {
                    <tr data-email=person.email.clone()>
                        <td><a href=format!("/users/{}", person.user_id)>{person.email.clone()}</a><div class="muted small">{person.name.clone()}</div></td>
                        <td>{person.grants.iter().map(|g| view! { <div>{describe_grant(g)}</div> }).collect::<Vec<_>>()}</td>
                    </tr>
                }).collect::<Vec<_>>()}
            </tbody>
        </table>
    }
    .into_any()
}

/// Active users whose name or email contains what is typed (two characters
/// at least), for a type-ahead picker; `typed` may carry a `user:` prefix.
pub fn user_matches(typed: RwSignal<String>) -> Resource<Vec<UserView>> {
    Resource::new(
        move || typed.get(),
        |typed| async move {
            let q = typed.trim().trim_start_matches("user:").to_owned();
            if q.len() < 2 || typed.starts_with("team:") {
                return Vec::new();
            }
            list_users(Some(q), Some("active".to_owned()), None, None).await.map(|page| page.items).unwrap_or_default()
        },
    )
}

/// The options of a user picker's `<datalist>`.
pub fn user_options(users: Vec<UserView>) -> impl IntoView {
    users.into_iter().map(|u| view! { <option value=u.email.to_string()>{u.name.clone()}</option> }).collect::<Vec<_>>()
}

/// Key, name and description fields of a new team or workspace; `prefix`
/// makes the ids unique (`new-team` gives `new-team-key`…).
#[component]
pub fn NewNamedFields(
    prefix: &'static str,
    #[prop(into)] error: Signal<Option<AppError>>,
    key_example: &'static str,
) -> impl IntoView {
    let id = move |field: &str| format!("{prefix}-{field}");
    view! {
        <div class="field">
            <label for=id("key")>"Key"</label>
            <input id=id("key") name="key" type="text" required aria-describedby=format!("{} {}", id("key-help"), id("key-error"))
                aria-invalid=invalid(error, "key")/>
            <p class="field-help" id=id("key-help")>{format!("Lower-case letters, digits, dashes and underscores, e.g. {key_example}. It cannot change later.")}</p>
            <FieldMessage error field="key" id=id("key-error")/>
        </div>
        <NameDescriptionFields prefix error name=None description=None/>
    }
}

/// Name and description fields; with signals, they start from (and keep)
/// the values being edited.
#[component]
pub fn NameDescriptionFields(
    prefix: &'static str,
    #[prop(into)] error: Signal<Option<AppError>>,
    name: Option<RwSignal<String>>,
    description: Option<RwSignal<String>>,
) -> impl IntoView {
    let id = move |field: &str| format!("{prefix}-{field}");
    let text = move |signal: Option<RwSignal<String>>| move || signal.map(|s| s.get()).unwrap_or_default();
    let keep = move |signal: Option<RwSignal<String>>| {
        move |ev: leptos::ev::Event| {
            if let Some(s) = signal {
                s.set(event_target_value(&ev));
            }
        }
    };
    view! {
        <div class="field">
            <label for=id("name")>"Name"</label>
            <input id=id("name") name="name" type="text" required aria-describedby=id("name-error") aria-invalid=invalid(error, "name")
                prop:value=text(name) on:input=keep(name)/>
            <FieldMessage error field="name" id=id("name-error")/>
        </div>
        <div class="field">
            <label for=id("description")>"Description"</label>
            <textarea id=id("description") name="description" rows="3"
                prop:value=text(description) on:input=keep(description)></textarea>
        </div>
    }
}

/// The scope of a grant: Global, or one of `workspaces` (sent as `workspace`).
/// A page about one workspace (`?workspace=` in its address) starts on that
/// workspace, never on Global: platform-wide access is always picked on purpose.
#[component]
pub fn ScopeSelect(
    id: &'static str,
    workspaces: Vec<crate::domain::WorkspaceView>,
    #[prop(into)] error: Signal<Option<AppError>>,
    /// The workspace the page is about, when its address does not say it.
    #[prop(optional, into)]
    preselect: Option<Signal<Option<String>>>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let query = leptos_router::hooks::use_query_map();
    let page_workspace =
        move || preselect.and_then(|p| p.get()).or_else(|| query.with(|q| q.get("workspace"))).unwrap_or_default();
    view! {
        <div class="field">
            <label for=id>"Scope"</label>
            <select id=id name="workspace" aria-describedby=error_id.clone() aria-invalid=invalid(error, "workspace")
                prop:value=page_workspace>
                <option value="">"Global (every workspace, and the platform)"</option>
                {workspaces.iter().map(|w| {
                    let key = w.key.to_string();
                    let chosen = key.clone();
                    view! {
                        <option value=key selected=move || page_workspace() == chosen>
                            {format!("Workspace {} ({})", w.name, w.key)}
                        </option>
                    }
                }).collect::<Vec<_>>()}
            </select>
            <FieldMessage error field="workspace" id=error_id/>
        </div>
    }
}
