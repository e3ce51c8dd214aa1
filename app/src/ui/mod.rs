//! The console: the HTML shell, the routes, the layout and the pages.

mod components;
mod grants;
mod layout;
mod list;
mod pages;
mod palette;
mod widgets;

use leptos::{nonce::use_nonce, prelude::*};
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::{
    components::{ParentRoute, Route, Router, Routes},
    lazy_route, path, Lazy, LazyRoute, SsrMode,
};

pub use components::{encode_query_value, ToastKind, Toasts};
pub use layout::{Can, ConsoleLayout, Me};

/// Picks the saved theme before the first paint, so a dark page never flashes
/// white. Runs before the wasm arrives.
const THEME_BOOT_SCRIPT: &str =
    "try{var t=localStorage.getItem('portcullis.theme');if(t){document.documentElement.dataset.theme=t}}catch(e){}";

/// The Content-Security-Policy of a console page: scripts only from this
/// origin or inline with this response's nonce (the theme and hydration
/// scripts), wasm allowed to compile, no framing, no plugins.
pub fn page_csp(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; \
         img-src 'self' https: data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors 'none'"
    )
}

/// The HTML document around the app, rendered on the server.
pub fn shell(options: leptos::config::LeptosOptions) -> impl IntoView {
    // The page's policy names the nonce leptos_axum made for this response.
    #[cfg(feature = "ssr")]
    if let (Some(nonce), Some(response)) = (use_nonce(), use_context::<leptos_axum::ResponseOptions>()) {
        if let Ok(value) = axum::http::HeaderValue::from_str(&page_csp(&nonce)) {
            response.insert_header(axum::http::header::CONTENT_SECURITY_POLICY, value);
        }
        // A page holds what this user may see, and a nonce of its own: kept
        // by no shared cache, and never reused without asking (no ETag: a
        // 304 would pair the old page's nonce with a new policy).
        response.insert_header(
            axum::http::header::CACHE_CONTROL,
            axum::http::HeaderValue::from_static("no-cache, private"),
        );
    }
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <script nonce=use_nonce()>{THEME_BOOT_SCRIPT}</script>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                // Under its hashed name in a release build (hash.txt).
                <HashedStylesheet options=options.clone() id="leptos"/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The console's root component.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_context(Toasts::new());

    view! {
        <Title formatter=|text: String| if text.is_empty() { "Portcullis".to_owned() } else { format!("{text} · Portcullis") }/>
        <Router>
            <Routes fallback=pages::NotFoundPage>
                <Route path=path!("/login") view={Lazy::<Login>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/invite/:token") view={Lazy::<Invite>::new()} ssr=SsrMode::Async/>
                <ParentRoute path=path!("") view=ConsoleLayout ssr=SsrMode::Async>
                    <Route path=path!("") view={Lazy::<Dashboard>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("account") view={Lazy::<Account>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("users") view={Lazy::<Users>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("users/:id") view={Lazy::<UserDetail>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("workspaces") view={Lazy::<Workspaces>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("workspaces/:key") view={Lazy::<WorkspaceDetail>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("teams") view={Lazy::<Teams>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("teams/:key") view={Lazy::<TeamDetail>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("roles") view={Lazy::<Roles>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("policies") view={Lazy::<Policies>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("policies/explorer") view={Lazy::<Explorer>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("audit") view={Lazy::<Audit>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("invitations") view={Lazy::<Invitations>::new()} ssr=SsrMode::Async/>
                </ParentRoute>
            </Routes>
        </Router>
        <components::ToastRegion/>
    }
}

/// Each page is a route of its own chunk of the browser bundle (split by
/// `cargo leptos build --split`): a first visit downloads the shell and the
/// page it opens, and every other page's code only when it is first shown.
/// The console's frame (sidebar, palette) stays in the shell: as a chunk of
/// its own it moved code every page shares out of the shell into dozens of
/// small shared chunks, and the sign-in page fetched as much as before.
macro_rules! lazy_pages {
    ($($route:ident => $page:path),* $(,)?) => {$(
        struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            fn view(_this: Self) -> AnyView {
                $page().into_any()
            }
        }
    )*};
}

lazy_pages! {
    Login => pages::LoginPage,
    Invite => pages::InvitePage,
    Dashboard => pages::DashboardPage,
    Account => pages::AccountPage,
    Users => pages::UsersPage,
    UserDetail => pages::UserDetailPage,
    Workspaces => pages::WorkspacesPage,
    WorkspaceDetail => pages::WorkspaceDetailPage,
    Teams => pages::TeamsPage,
    TeamDetail => pages::TeamDetailPage,
    Roles => pages::RolesPage,
    Policies => pages::PoliciesPage,
    Explorer => pages::ExplorerPage,
    Audit => pages::AuditPage,
    Invitations => pages::InvitationsPage,
}
