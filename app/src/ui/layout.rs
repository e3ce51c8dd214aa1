//! The signed-in frame: header with the product name, navigation, the user and
//! sign-out; pages render inside it. Signed-out visitors go to `/login`.

use leptos::prelude::*;
use leptos_router::{
    components::{Outlet, Redirect, A},
    hooks::use_location,
};

use crate::{
    api::{current_user, Logout},
    domain::{Permission, PermissionSet, SignedInUser},
    ui::components::ErrorPanel,
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
    view! {
        <Suspense fallback=|| view! { <p class="page-loading">"Loading…"</p> }>
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
        </Suspense>
    }
}

#[component]
fn ConsoleFrame(signed_in: SignedInUser) -> impl IntoView {
    let me = RwSignal::new(signed_in.user);
    provide_context(Me(me));
    let can = Can(signed_in.permissions);
    provide_context(can);
    let logout = ServerAction::<Logout>::new();
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="topbar">
            <A href="/" attr:class="brand">
                <span class="brand-mark" aria-hidden="true">"▦"</span>
                "Portcullis"
            </A>
            <nav class="mainnav" aria-label="Main">
                <A href="/" exact=true>"Dashboard"</A>
                {can.has(Permission::UserRead).then(|| view! { <A href="/users">"Users"</A> })}
                <A href="/workspaces">"Workspaces"</A>
                {can.has(Permission::TeamRead).then(|| view! { <A href="/teams">"Teams"</A> })}
                {can.has(Permission::RoleRead).then(|| view! { <A href="/roles">"Roles"</A> })}
                <A href="/policies">"Policies"</A>
                {can.has(Permission::AuditRead).then(|| view! { <A href="/audit">"Audit"</A> })}
                {can.has(Permission::InviteManage).then(|| view! { <A href="/invitations">"Invitations"</A> })}
                <A href="/account">"My account"</A>
            </nav>
            <div class="topbar-end">
                <ThemeToggle/>
                <span class="whoami" title=move || me.with(|u| u.email.to_string())>
                    {move || me.with(|u| u.name.clone())}
                </span>
                <ActionForm action=logout attr:class="inline-form">
                    <button type="submit" class="button button-quiet">"Sign out"</button>
                </ActionForm>
            </div>
        </header>
        <main id="main" class="page">
            <Outlet/>
        </main>
    }
}

/// Switches between the light and dark themes and remembers the choice.
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
            {move || if dark.get() { "Light theme" } else { "Dark theme" }}
        </button>
    }
}
