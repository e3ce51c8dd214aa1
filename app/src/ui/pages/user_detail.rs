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
    api::load_user_detail,
    ui::{components::ErrorPanel, widgets::EffectiveTable},
};

/// The user detail page.
#[component]
pub fn UserDetailPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let workspace = move || query.with(|q| q.get("workspace").unwrap_or_default());
    let detail = Resource::new(move || (id(), workspace()), |(id, ws)| load_user_detail(id, Some(ws)));
    let can = expect_context::<crate::ui::Can>();
    let me = expect_context::<crate::ui::Me>().0;

    view! {
        <Title text="User"/>
        <p><a href="/users">"← Users"</a></p>
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
                                <h2 id="user-policies">"Policies bound to this user"</h2>
                                {match detail.policies.clone() {
                                    None => view! { <p class="muted">"You may not read policies."</p> }.into_any(),
                                    Some(items) if items.is_empty() => view! { <p class="muted">"None (access may still come through teams)."</p> }.into_any(),
                                    Some(items) => view! {
                                        <ul class="plain-list">
                                            {items.into_iter().map(|p| {
                                                let scope = p.policy.workspace.as_ref().map_or_else(|| "Global".to_owned(), |w| w.to_string());
                                                view! { <li>"#" {p.policy.id.0} " " <code>{p.policy.role.to_string()}</code> " — " {scope}</li> }
                                            }).collect::<Vec<_>>()}
                                        </ul>
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
                                <EffectiveTable effective=detail.effective.clone() label="Effective permissions"/>
                            </section>
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
    }
}
