//! The signed-in frame: a sidebar grouped by task (a drawer on phones) with
//! the user's own links at its foot; pages render beside it. Signed-out
//! visitors go to `/login`.

use leptos::prelude::*;
use leptos_router::{
    components::{Outlet, Redirect, A},
    hooks::use_location,
};

use crate::{
    api::{current_user, Logout},
    domain::{Permission, PermissionSet, SignedInUser},
    ui::{components::ErrorPanel, palette::CommandPalette},
};

/// The signed-in user as the pages show it; pages that change it update it.
#[derive(Clone, Copy)]
pub struct Me(pub RwSignal<crate::domain::UserView>);

/// What the signed-in user may do globally: the console offers only that
/// (and the server checks again on every call).
#[derive(Clone, Copy)]
pub struct Can(pub PermissionSet);

impl Can {
    /// Whether the user holds `permission` globally.
    pub fn has(self, permission: Permission) -> bool {
        self.0.contains(permission)
    }
}

/// Guards the console pages and draws the frame around them.
#[component]
pub fn ConsoleLayout() -> impl IntoView {
    let me = Resource::new(|| (), |_| current_user());
    let location = use_location();
    // A Transition, not a Suspense: a page's chunk on its way registers with
    // this boundary too, and a Suspense would swap the whole frame (sidebar,
    // an open palette and what was typed in it) for the fallback until the
    // chunk came. A Transition shows the fallback only before the first
    // answer, then keeps the frame while a page loads.
    view! {
        <Transition fallback=|| view! { <p class="page-loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(signed_in)) => view! { <ConsoleFrame signed_in/> }.into_any(),
                    Ok(None) => {
                        let here = location.pathname.get_untracked();
                        let path = if here == "/" { "/login".to_owned() } else { format!("/login?next={}", crate::ui::components::encode_query_value(&here)) };
                        view! { <Redirect path/> }.into_any()
                    }
                    Err(error) => view! { <main class="page"><ErrorPanel error/></main> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ConsoleFrame(signed_in: SignedInUser) -> impl IntoView {
    let me = RwSignal::new(signed_in.user);
    provide_context(Me(me));
    let can = Can(signed_in.permissions);
    provide_context(can);
    let logout = ServerAction::<Logout>::new();
    // Phones: the navigation is a drawer behind the Menu button. Wide
    // screens: a sidebar, which may be hidden (the Menu button brings it back).
    let drawer_open = RwSignal::new(false);
    let collapsed = RwSignal::new(false);
    // Each layout's CSS heeds only its own state (the drawer's below the
    // phone breakpoint, `collapsed` above it), so the button sets both and
    // the breakpoint is written once, in the stylesheet.
    let open_menu = move |_| {
        drawer_open.update(|open| *open = !*open);
        collapsed.set(false);
    };
    // The pages by task, each only for one who may open it.
    let page = |allowed: bool, label: &'static str, href: &'static str| allowed.then_some((label, href));
    let groups: [(&'static str, Vec<(&'static str, &'static str)>); 4] = [
        (
            "People",
            [
                page(can.has(Permission::UserRead), "Users", "/users"),
                page(can.has(Permission::TeamRead), "Teams", "/teams"),
                page(can.has(Permission::InviteManage), "Invitations", "/invitations"),
            ]
            .into_iter()
            .flatten()
            .collect(),
        ),
        (
            "Access",
            [
                page(can.has(Permission::RoleRead), "Roles", "/roles"),
                page(true, "Policies", "/policies"),
                page(true, "Access explorer", "/policies/explorer"),
            ]
            .into_iter()
            .flatten()
            .collect(),
        ),
        ("Platform", vec![("Workspaces", "/workspaces")]),
        ("Security", page(can.has(Permission::AuditRead), "Audit log", "/audit").into_iter().collect()),
    ];
    let mut pages = vec![("Dashboard", "/"), ("My account", "/account")];
    pages.extend(groups.iter().flat_map(|(_, links)| links.iter().copied()));
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <div class="shell" data-drawer=move || drawer_open.get().then_some("open") data-collapsed=move || collapsed.get().then_some("true")>
            <header class="appbar">
                <button type="button" class="button menu-button" aria-controls="sidebar"
                    aria-expanded=move || drawer_open.get().to_string() on:click=open_menu>
                    "Menu"
                </button>
                <A href="/" attr:class="brand">
                    <span class="brand-mark" aria-hidden="true">"▦"</span>
                    "Portcullis"
                </A>
            </header>
            <aside id="sidebar" class="sidebar">
                <div class="sidebar-head">
                    <A href="/" attr:class="brand">
                        <span class="brand-mark" aria-hidden="true">"▦"</span>
                        "Portcullis"
                    </A>
                    <button type="button" class="button button-quiet button-small hide-nav" aria-controls="sidebar"
                        on:click=move |_| { collapsed.set(true); drawer_open.set(false); }>
                        "Hide menu"
                    </button>
                </div>
                <CommandPalette pages/>
                // Following a link closes the drawer.
                <nav class="mainnav" aria-label="Main" on:click=move |_| drawer_open.set(false)>
                    <ul class="nav-list"><li><A href="/" exact=true>"Dashboard"</A></li></ul>
                    {groups.into_iter().map(|(title, links)| view! { <NavGroup title links/> }).collect::<Vec<_>>()}
                </nav>
                <div class="user-menu" role="group" aria-label="Your account" on:click=move |_| drawer_open.set(false)>
                    <span class="whoami" title=move || me.with(|u| u.email.to_string())>
                        {move || me.with(|u| u.name.clone())}
                    </span>
                    <A href="/account">"My account"</A>
                    <ThemeToggle/>
                    <ActionForm action=logout attr:class="inline-form">
                        <button type="submit" class="button button-quiet">"Sign out"</button>
                    </ActionForm>
                </div>
            </aside>
            <div class="drawer-backdrop" aria-hidden="true" on:click=move |_| drawer_open.set(false)></div>
            <main id="main" class="page">
                <Outlet/>
            </main>
        </div>
    }
}

/// One group of the sidebar ("People": Users, Teams, Invitations); a group
/// with no page the viewer may open is left out.
#[component]
fn NavGroup(title: &'static str, links: Vec<(&'static str, &'static str)>) -> impl IntoView {
    let id = format!("nav-{}", title.to_ascii_lowercase());
    (!links.is_empty()).then(|| {
        view! {
            <h2 class="nav-heading" id=id.clone()>{title}</h2>
            <ul class="nav-list" aria-labelledby=id>
                {links.into_iter().map(|(label, href)| view! { <li><A href=href>{label}</A></li> }).collect::<Vec<_>>()}
            </ul>
        }
    })
}

/// Switches between the light and dark themes and remembers the choice: a
/// toggle named "Dark theme", pressed while the dark one shows (a name that
/// flipped with the state read as "Light theme, pressed" in dark).
#[component]
fn ThemeToggle() -> impl IntoView {
    let dark = RwSignal::new(false);
    Effect::new(move |_| {
        let root = document().document_element();
        let current = root.as_ref().and_then(|r| r.get_attribute("data-theme"));
        let prefers_dark =
            window().match_media("(prefers-color-scheme: dark)").ok().flatten().is_some_and(|m| m.matches());
        dark.set(current.as_deref() == Some("dark") || (current.is_none() && prefers_dark));
    });
    let toggle = move |_| {
        let next = !dark.get_untracked();
        dark.set(next);
        let theme = if next { "dark" } else { "light" };
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-theme", theme);
        }
        if let Ok(Some(storage)) = window().local_storage() {
            let _ = storage.set_item("portcullis.theme", theme);
        }
    };
    view! {
        <button
            type="button"
            class="button button-quiet theme-toggle"
            aria-pressed=move || dark.get().to_string()
            on:click=toggle
        >
            "Dark theme"
        </button>
    }
}
