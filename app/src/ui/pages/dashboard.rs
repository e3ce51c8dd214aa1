//! `/`: counts read from the database.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{api::load_dashboard, ui::components::ErrorPanel, ui::Me};

/// The dashboard.
#[component]
pub fn DashboardPage() -> impl IntoView {
    let me = expect_context::<Me>().0;
    let stats = Resource::new(|| (), |_| load_dashboard());
    view! {
        <Title text="Dashboard"/>
        <h1>"Dashboard"</h1>
        <p class="muted">{move || format!("Welcome, {}.", me.with(|u| u.name.clone()))}</p>
        <Suspense fallback=|| view! { <p class="page-loading">"Loading counts…"</p> }>
            {move || Suspend::new(async move {
                match stats.await {
                    Ok(stats) => view! {
                        <ul class="stat-grid" aria-label="Counts">
                            <li class="stat"><span class="stat-value" data-stat="users">{stats.users_total}</span><span class="stat-label">"Users"</span></li>
                            <li class="stat"><span class="stat-value" data-stat="users-active">{stats.users_active}</span><span class="stat-label">"Active users"</span></li>
                            <li class="stat"><span class="stat-value" data-stat="users-disabled">{stats.users_disabled}</span><span class="stat-label">"Disabled users"</span></li>
                            <li class="stat"><span class="stat-value" data-stat="sessions">{stats.sessions_active}</span><span class="stat-label">"Signed-in sessions"</span></li>
                            <li class="stat"><span class="stat-value" data-stat="roles">{stats.roles}</span><span class="stat-label">"Roles"</span></li>
                            <li class="stat"><span class="stat-value" data-stat="teams">{stats.teams}</span><span class="stat-label">"Teams"</span></li>
                            <li class="stat"><span class="stat-value" data-stat="workspaces">{stats.workspaces}</span><span class="stat-label">"Workspaces"</span></li>
                            <li class="stat"><span class="stat-value" data-stat="policies">{stats.policies}</span><span class="stat-label">"Policies"</span></li>
                        </ul>
                    }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
