//! `/policies`: every binding the viewer may read, filtered by workspace,
//! role and subject in the query string; create with a subject picker (users
//! by email as you type, teams), a role picker that shows what the role
//! grants, and a scope picker; delete after confirming.

use leptos::prelude::*;
use leptos_router::components::Form;

use crate::{
    api::{list_policies, load_policy_choices},
    domain::{Permission, PolicyListing},
    ui::{
        components::{href_with, PageHead},
        grants::{GrantDialog, Grants, RevokeDialog},
        list::{Empty, FilterField, FilterSelect, ListQuery, PagedTable},
        Can,
    },
};

const ANY: &[(&str, &str)] = &[("", "Any")];
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

    let grants = Grants::new();
    let policies = Resource::new(
        move || (workspace(), role(), subject(), sort(), cursor(), grants.changes()),
        |(workspace, role, subject, sort, cursor, ..)| {
            list_policies(Some(workspace), Some(role), Some(subject), Some(sort), cursor)
        },
    );
    let choices = Resource::new(|| (), |_| load_policy_choices());

    // Creating needs policy:manage at the policy's scope; holders of it
    // globally are offered the button, the server decides for the rest.
    let may_manage = can.has(Permission::PolicyManage);

    view! {
        <PageHead title="Policies" about="A policy binds a role to a user or a team, globally or in one workspace.">
            {may_manage.then(|| view! {
                <button type="button" class="button button-primary" on:click=move |_| grants.open_grant()>"New policy"</button>
            })}
        </PageHead>
        <Form method="GET" action="/policies" attr:class="filters" attr:role="search">
            <Transition>
                {move || Suspend::new(async move {
                    let choices = choices.await.unwrap_or_default();
                    let workspaces = choices.workspaces.iter().map(|w| (w.key.to_string(), format!("{} ({})", w.name, w.key))).collect();
                    let roles = choices.roles.iter().map(|r| (r.key.to_string(), format!("{} ({})", r.name, r.key))).collect();
                    view! {
                        <FilterSelect id="filter-workspace" label="Workspace" name="workspace" options=ANY more=workspaces value=workspace/>
                        <FilterSelect id="filter-role" label="Role" name="role" options=ANY more=roles value=role/>
                    }
                })}
            </Transition>
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
                                <button type="button" class="button button-small button-danger" aria-label=format!("Delete policy {id}")
                                    on:click=move |_| grants.open_revoke(target.clone())>"Delete"</button>
                            })}
                        </td>
                    </tr>
                }
            }
        />

        {may_manage.then(|| view! { <GrantDialog grants choices/> })}
        <RevokeDialog grants/>
    }
}
