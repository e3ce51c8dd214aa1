//! `/`: what needs looking at (each item linking to where it is fixed),
//! then counts, all of what the viewer may read.

use leptos::prelude::*;

use crate::{
    api::{load_attention, load_dashboard},
    domain::{dates::format_timestamp, Attention, Listed, UserView},
    ui::{
        components::{ErrorPanel, PageHead},
        widgets::Timestamp,
        Me,
    },
};

/// The dashboard.
#[component]
pub fn DashboardPage() -> impl IntoView {
    let me = expect_context::<Me>().0;
    let stats = Resource::new(|| (), |_| load_dashboard());
    let attention = Resource::new(|| (), |_| load_attention());
    view! {
        <PageHead title="Dashboard" about=me.with_untracked(|u| format!("Welcome, {}. What needs attention, and the latest changes.", u.name))/>
        <Suspense fallback=|| view! { <p class="page-loading">"Loading what needs attention…"</p> }>
            {move || Suspend::new(async move {
                match attention.await {
                    Ok(attention) => view! { <AttentionPanel attention/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
        <Suspense fallback=|| view! { <p class="page-loading">"Loading counts…"</p> }>
            {move || Suspend::new(async move {
                match stats.await {
                    Ok(stats) => view! {
                        <h2 class="section-title">"In numbers"</h2>
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

fn plural(n: i64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Users, each linking to their page, and "and N more".
fn people(listed: &Listed<UserView>) -> impl IntoView {
    let more = listed.total - listed.items.len() as i64;
    view! {
        <ul class="inline-list">
            {listed.items.iter().map(|u| view! { <li><a href=format!("/users/{}", u.id)>{u.email.to_string()}</a></li> }).collect::<Vec<_>>()}
            {(more > 0).then(|| view! { <li class="muted">{format!("and {more} more")}</li> })}
        </ul>
    }
}

/// The items that need a look; an empty panel says all is well.
#[component]
fn AttentionPanel(attention: Attention) -> impl IntoView {
    let mut items: Vec<AnyView> = Vec::new();
    if let Some((pending, expiring)) = attention.invitations.filter(|(pending, _)| *pending > 0) {
        let soon = if expiring > 0 { format!(", {expiring} expiring within 3 days") } else { String::new() };
        items.push(view! {
            <li data-attention="invitations">
                <a href="/invitations?status=pending">{plural(pending, "pending invitation", "pending invitations")}</a>
                {soon}
            </li>
        }.into_any());
    }
    let groups = [
        (
            "no-access",
            attention.users_without_access,
            ("person", "people"),
            "with no policy (they can sign in and do nothing)",
        ),
        (
            "disabled-with-access",
            attention.disabled_with_access,
            ("disabled user", "disabled users"),
            "still holding policies (enabling gives it all back)",
        ),
    ];
    for (key, listed, (one, many), why) in groups {
        if let Some(listed) = listed.filter(|l| l.total > 0) {
            items.push(
                view! {
                    <li data-attention=key>
                        {format!("{} {why}: ", plural(listed.total, one, many))}
                        {people(&listed)}
                    </li>
                }
                .into_any(),
            );
        }
    }
    if !attention.expiring_tokens.is_empty() {
        let names = attention
            .expiring_tokens
            .iter()
            .map(|t| format!("{} ({})", t.name, format_timestamp(t.expires_at)))
            .collect::<Vec<_>>()
            .join(", ");
        items.push(view! {
            <li data-attention="tokens">
                <a href="/account">{plural(attention.expiring_tokens.len() as i64, "of your API tokens expires", "of your API tokens expire")}</a>
                {format!(" within 7 days: {names}")}
            </li>
        }.into_any());
    }
    if let Some(refusals) = attention.refusals.filter(|n| *n > 0) {
        items.push(view! {
            <li data-attention="refusals">
                <a href="/audit">{plural(refusals, "refused attempt", "refused attempts")}</a>" in the last 24 hours"
            </li>
        }.into_any());
    }
    let all_well = items.is_empty();
    view! {
        <section class="panel" aria-labelledby="attention-title">
            <h2 id="attention-title">"Needs attention"</h2>
            {if all_well {
                view! { <p class="muted">"Nothing: no pending invitation, no one without access, no token about to expire."</p> }.into_any()
            } else {
                view! { <ul class="attention-list">{items}</ul> }.into_any()
            }}
        </section>
        {attention.recent.filter(|r| !r.is_empty()).map(|recent| view! {
            <section class="panel" aria-labelledby="recent-title">
                <div class="panel-head">
                    <h2 id="recent-title">"Latest changes"</h2>
                    <a href="/audit">"The whole audit log"</a>
                </div>
                <ul class="plain-list">
                    {recent.into_iter().map(|e| view! {
                        <li>
                            <span class="muted small"><Timestamp ms=e.at/></span> " "
                            {e.actor_email.clone().unwrap_or_else(|| "system".to_owned())} " " <code>{e.action.clone()}</code>
                            {(e.outcome == crate::domain::Outcome::Denied).then(|| view! { " " <span class="badge badge-denied">"denied"</span> })}
                        </li>
                    }).collect::<Vec<_>>()}
                </ul>
            </section>
        })}
    }
}
