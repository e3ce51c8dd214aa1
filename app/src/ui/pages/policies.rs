//! `/policies`: every binding the viewer may read, filtered by workspace,
//! role and subject in the query string; create with a subject picker (users
//! by email as you type, teams), a role picker that shows what the role
//! grants, and a scope picker; delete after confirming.

use leptos::{html, prelude::*};
use leptos_meta::Title;
use leptos_router::components::Form;

use crate::{
    api::{list_policies, load_policy_choices, CreatePolicy, DeletePolicy},
    domain::{Permission, PolicyListing, RoleView},
    ui::{
        components::{close_modal, href_with, open_modal, report_outcome, FieldMessage, Modal},
        list::{ConfirmButton, Empty, FilterField, FilterSelect, ListQuery, PagedTable},
        widgets::{user_matches, user_options, ScopeSelect},
        Can,
    },
};

const ORDERS: &[(&str, &str)] = &[("", "Oldest first"), ("newest", "Newest first")];
const EMPTY: Empty = Empty { none: "No policy matches.", no_match: None, show_all: None };

/// The Policies page.
#[component]
pub fn PoliciesPage() -> impl IntoView {
    let can = expect_context::<Can>();
    let query = ListQuery::new();
    let param = move |name: &'static str| query.text(name);
    let (workspace, role, subject, sort) = (param("workspace"), param("role"), param("subject"), param("sort"));
    let cursor = query.cursor();

    let create = ServerAction::<CreatePolicy>::new();
    let delete = ServerAction::<DeletePolicy>::new();
    let policies = Resource::new(
        move || (workspace(), role(), subject(), sort(), cursor(), create.version().get(), delete.version().get()),
        |(workspace, role, subject, sort, cursor, ..)| {
            list_policies(Some(workspace), Some(role), Some(subject), Some(sort), cursor)
        },
    );
    let choices = Resource::new(|| (), |_| load_policy_choices());
    let create_dialog = NodeRef::<html::Dialog>::new();
    let delete_dialog = NodeRef::<html::Dialog>::new();
    let pending_delete = RwSignal::new(None::<PolicyListing>);
    let create_error = Signal::derive(move || create.value().get().and_then(Result::err));

    // Type-ahead: users whose name or email matches what is typed.
    let typed_subject = RwSignal::new(String::new());
    let user_matches = user_matches(typed_subject);
    let chosen_role = RwSignal::new(String::new());

    report_outcome(create, Some(create_dialog), |policy| format!("Created policy #{}.", policy.id));
    report_outcome(delete, Some(delete_dialog), |_| "The policy was deleted.".to_owned());

    // Creating needs policy:manage at the policy's scope; holders of it
    // globally are offered the button, the server decides for the rest.
    let may_manage = can.has(Permission::PolicyManage);

    view! {
        <Title text="Policies"/>
        <div class="page-head">
            <h1>"Policies"</h1>
            <div class="row-actions">
                <a class="button" href="/policies/explorer">"Access explorer"</a>
                {may_manage.then(|| view! {
                    <button type="button" class="button button-primary" on:click=move |_| {
                        create.value().set(None);
                        open_modal(create_dialog);
                    }>"New policy"</button>
                })}
            </div>
        </div>
        <p class="page-intro">"A policy binds a role to a user or a team, globally or in one workspace."</p>
        <Form method="GET" action="/policies" attr:class="filters" attr:role="search">
            <FilterField id="filter-workspace" label="Workspace" name="workspace" placeholder="any" value=workspace/>
            <FilterField id="filter-role" label="Role" name="role" placeholder="any" value=role/>
            <FilterField id="filter-subject" label="Subject" name="subject" placeholder="email or team:key" value=subject/>
            <FilterSelect id="filter-sort" label="Order" name="sort" options=ORDERS value=sort/>
            <button type="submit" class="button">"Filter"</button>
        </Form>
        <PagedTable
            data=policies
            label="Policies"
            loading="Loading policies…"
            columns={vec!["#", "Subject", "Role", "Scope", ""]}
            filtered=false
            empty=EMPTY
            next=Callback::new(move |c: String| {
                href_with(
                    "/policies",
                    &[("workspace", &workspace()), ("role", &role()), ("subject", &subject()), ("sort", &sort()), ("cursor", &c)],
                )
            })
            row=move |listing: PolicyListing| {
                let id = listing.policy.id.0;
                let scope = listing.policy.workspace.as_ref()
                    .map_or_else(|| "Global".to_owned(), |w| w.to_string());
                let target = listing.clone();
                view! {
                    <tr data-policy=id>
                        <td>{id}</td>
                        <td>{listing.subject_label.clone()}</td>
                        <td><code>{listing.policy.role.to_string()}</code></td>
                        <td>{scope}</td>
                        <td class="row-actions">
                            {may_manage.then(|| view! {
                                <ConfirmButton label=format!("Delete policy {id}") dialog=delete_dialog before=move || {
                                    pending_delete.set(Some(target.clone()));
                                }/>
                            })}
                        </td>
                    </tr>
                }
            }
        />

        {may_manage.then(|| view! {
            <Modal node_ref=create_dialog title="New policy" title_id="create-policy-title">
                <ActionForm action=create attr:class="form" attr:novalidate=true>
                    <div class="field">
                        <label for="new-policy-subject">"Subject"</label>
                        <input id="new-policy-subject" name="subject" type="text" list="subject-options" autocomplete="off"
                            aria-describedby="new-policy-subject-help new-policy-subject-error"
                            on:input=move |ev| typed_subject.set(event_target_value(&ev))/>
                        <p class="field-help" id="new-policy-subject-help">"A user's email, or team: and a team's key."</p>
                        <datalist id="subject-options">
                            <Transition>
                                {move || Suspend::new(async move {
                                    let users = user_matches.await;
                                    let teams = choices.await.map(|c| c.teams).unwrap_or_default();
                                    view! {
                                        {user_options(users)}
                                        {teams.into_iter().map(|t| view! {
                                            <option value=format!("team:{}", t.key)>{t.name.clone()}</option>
                                        }).collect::<Vec<_>>()}
                                    }
                                })}
                            </Transition>
                        </datalist>
                        <FieldMessage error=create_error field="subject" id="new-policy-subject-error"/>
                    </div>
                    <Transition>
                        {move || Suspend::new(async move {
                            let choices = choices.await.unwrap_or_default();
                            let roles = choices.roles.clone();
                            let grants = move || {
                                let key = chosen_role.get();
                                roles.iter().find(|r: &&RoleView| r.key.as_str() == key).map(|r| {
                                    r.permissions.iter().map(|p| p.key()).collect::<Vec<_>>().join(", ")
                                })
                            };
                            view! {
                                <div class="field">
                                    <label for="new-policy-role">"Role"</label>
                                    <select id="new-policy-role" name="role" aria-describedby="new-policy-role-grants new-policy-role-error"
                                        on:change=move |ev| chosen_role.set(event_target_value(&ev))>
                                        <option value="">"Pick a role…"</option>
                                        {choices.roles.iter().map(|r| view! {
                                            <option value=r.key.to_string()>{format!("{} ({})", r.name, r.key)}</option>
                                        }).collect::<Vec<_>>()}
                                    </select>
                                    <p class="field-help" id="new-policy-role-grants">
                                        {move || grants().map(|g| format!("Grants: {g}")).unwrap_or_default()}
                                    </p>
                                    <FieldMessage error=create_error field="role" id="new-policy-role-error"/>
                                </div>
                                <ScopeSelect id="new-policy-workspace" workspaces=choices.workspaces.clone() error=create_error/>
                            }
                        })}
                    </Transition>
                    <div class="dialog-actions">
                        <button type="button" class="button" on:click=move |_| close_modal(create_dialog)>"Cancel"</button>
                        <button type="submit" class="button button-primary" disabled=move || create.pending().get()>"Create policy"</button>
                    </div>
                </ActionForm>
            </Modal>
        })}

        <Modal node_ref=delete_dialog title="Delete policy" title_id="delete-policy-title">
            {move || pending_delete.get().map(|listing| view! {
                <p>
                    "Remove " <code>{listing.policy.role.to_string()}</code> " from " <strong>{listing.subject_label.clone()}</strong>
                    {listing.policy.workspace.as_ref().map_or_else(|| " globally".to_owned(), |w| format!(" in {w}"))} "?"
                </p>
                <ActionForm action=delete attr:class="form">
                    <input type="hidden" name="id" value=listing.policy.id.0/>
                    <div class="dialog-actions">
                        <button type="button" class="button" on:click=move |_| close_modal(delete_dialog)>"Cancel"</button>
                        <button type="submit" class="button button-danger">"Delete policy"</button>
                    </div>
                </ActionForm>
            })}
        </Modal>
    }
}
