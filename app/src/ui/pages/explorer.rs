//! `/policies/explorer`: the access explorer. Pick a user and a workspace
//! to see every permission they hold there and why; pick a permission and a
//! workspace to see who holds it. Both questions live in the query string.

use leptos::prelude::*;
use leptos_router::{components::Form, hooks::use_query_map};

use crate::{
    api::{explain_access, permission_holders},
    domain::Permission,
    ui::{
        components::{invalid, ErrorPanel, FieldMessage, PageHead},
        list::FilterField,
        widgets::{EffectiveTable, PeopleTable},
    },
};

/// The access explorer page.
#[component]
pub fn ExplorerPage() -> impl IntoView {
    let query = use_query_map();
    let param = move |name: &'static str| move || query.with(|m| m.get(name).unwrap_or_default());
    let (user, user_workspace) = (param("user"), param("workspace"));
    let (permission, permission_workspace) = (param("permission"), param("in"));

    let explanation = Resource::new(
        move || (user(), user_workspace()),
        |(user, workspace)| async move {
            if user.trim().is_empty() {
                return None;
            }
            Some(explain_access(user, Some(workspace)).await)
        },
    );
    let holders = Resource::new(
        move || (permission(), permission_workspace()),
        |(permission, workspace)| async move {
            if permission.trim().is_empty() {
                return None;
            }
            Some(permission_holders(permission, Some(workspace)).await)
        },
    );
    let explain_error = Signal::derive(move || explanation.get().flatten().and_then(Result::err));
    let holders_error = Signal::derive(move || holders.get().flatten().and_then(Result::err));

    view! {
        <PageHead title="Access explorer" about="Why someone may or may not do something, and who holds a permission."/>

        <section class="panel" aria-labelledby="explain-title">
            <h2 id="explain-title">"What may a user do, and why?"</h2>
            <Form method="GET" action="" attr:class="filters">
                // Keep the other question's answer on screen.
                <input type="hidden" name="permission" value=permission/>
                <input type="hidden" name="in" value=permission_workspace/>
                <FilterField id="explain-user" label="User email" name="user" placeholder="ada@example.com" value=user
                    error=explain_error field="user"/>
                <FilterField id="explain-workspace" label="Workspace" name="workspace" placeholder="empty: global"
                    value=user_workspace error=explain_error field="workspace"/>
                <button type="submit" class="button button-primary">"Explain"</button>
            </Form>
            <Transition fallback=|| view! { <p class="page-loading">"Working it out…"</p> }>
                {move || Suspend::new(async move {
                    match explanation.await {
                        None => view! { <p class="muted">"Type a user's email and, optionally, a workspace."</p> }.into_any(),
                        Some(Err(error)) if error.field_message("user").is_some() || error.field_message("workspace").is_some() => ().into_any(),
                        Some(Err(error)) => view! { <ErrorPanel error/> }.into_any(),
                        Some(Ok(answer)) => {
                            let place = answer.workspace.as_ref().map_or_else(|| "globally".to_owned(), |w| format!("in workspace {w}"));
                            view! {
                                <h3>{format!("{} ({}) {place}", answer.user.email, answer.user.name)}</h3>
                                <EffectiveTable effective=answer.effective label="Permissions and why"/>
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>

        <section class="panel" aria-labelledby="holders-title">
            <h2 id="holders-title">"Who holds a permission?"</h2>
            <Form method="GET" action="" attr:class="filters">
                <input type="hidden" name="user" value=user/>
                <input type="hidden" name="workspace" value=user_workspace/>
                <div class="field">
                    <label for="holders-permission">"Permission"</label>
                    <select id="holders-permission" name="permission" prop:value=permission aria-describedby="holders-permission-error" aria-invalid=invalid(holders_error, "permission")>
                        <option value="">"Pick a permission"</option>
                        {Permission::all().iter().map(|p| view! {
                            <option value=p.key()>{format!("{} — {}", p.key(), p.description())}</option>
                        }).collect::<Vec<_>>()}
                    </select>
                    <FieldMessage error=holders_error field="permission" id="holders-permission-error"/>
                </div>
                <FilterField id="holders-workspace" label="In workspace" name="in" placeholder="empty: global"
                    value=permission_workspace error=holders_error field="workspace"/>
                <button type="submit" class="button button-primary">"Find"</button>
            </Form>
            <Transition fallback=|| view! { <p class="page-loading">"Looking…"</p> }>
                {move || Suspend::new(async move {
                    match holders.await {
                        None => view! { <p class="muted">"Pick a permission and, optionally, a workspace."</p> }.into_any(),
                        Some(Err(error)) if error.field_message("permission").is_some() || error.field_message("workspace").is_some() => ().into_any(),
                        Some(Err(error)) => view! { <ErrorPanel error/> }.into_any(),
                        Some(Ok(answer)) => {
                            let place = answer.workspace.as_ref().map_or_else(|| "globally".to_owned(), |w| format!("in workspace {w}"));
                            view! {
                                <h3>{format!("Holders of {} {place}", answer.permission.key())}</h3>
                                <PeopleTable people=answer.holders label="Holders"/>
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}
