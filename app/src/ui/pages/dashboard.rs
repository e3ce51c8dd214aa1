//! `/`: counts read from the database, of what the viewer may read.

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
                            {[
                                ("users", "Users", stats.users_total),
                                ("users-active", "Active users", stats.users_active),
                                ("users-disabled", "Disabled users", stats.users_disabled),
                                ("sessions", "Signed-in sessions", stats.sessions_active),
                                ("roles", "Roles", stats.roles),
                                ("teams", "Teams", stats.teams),
                                ("workspaces", "Workspaces", stats.workspaces),
                                ("policies", "Policies", stats.policies),
                            ]
                                .into_iter()
                                .filter_map(|(key, label, count)| count.map(|n| view! {
                                    <li class="stat"><span class="stat-value" data-stat=key>{n}</span><span class="stat-label">{label}</span></li>
                                }))
                                .collect_view()}
                        </ul>
                    }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
