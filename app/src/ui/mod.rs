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
    path, Lazy, LazyRoute, SsrMode,
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

/// The id of the `<script type="application/json">` that carries the
/// server's catalog to the browser.
const CATALOG_ELEMENT: &str = "portcullis-catalog";

/// Installs the catalog the server wrote into the page, before hydrating: the
/// browser must name permissions as the server does. A page without one (or
/// with one that does not read) keeps the built-in fallback, and says why on
/// the console.
#[cfg(feature = "hydrate")]
pub fn install_catalog() {
    let text = document().get_element_by_id(CATALOG_ELEMENT).and_then(|element| element.text_content());
    let Some(text) = text else { return };
    let installed = serde_json::from_str::<crate::domain::catalog::Catalog>(&text)
        .map_err(|e| e.to_string())
        .and_then(crate::domain::catalog::install);
    if let Err(e) = installed {
        leptos::logging::error!("the page's permission catalog was not installed: {e}");
    }
}

/// The HTML document around the app, rendered on the server.
pub fn shell(options: leptos::config::LeptosOptions) -> impl IntoView {
    // For the preloads of the pages' chunks (preload_chunk).
    #[cfg(feature = "ssr")]
    {
        provide_context(options.clone());
        provide_context(PreloadedChunks::default());
    }
    // The page's policy names the nonce leptos_axum made for this response.
    #[cfg(feature = "ssr")]
    if let (Some(nonce), Some(response)) = (use_nonce(), use_context::<leptos_axum::ResponseOptions>()) {
        if let Ok(value) = axum::http::HeaderValue::from_str(&page_csp(&nonce)) {
            response.insert_header(axum::http::header::CONTENT_SECURITY_POLICY, value);
        }
        // A page holds what this user may see: kept by no shared cache, and
        // never reused without asking (the server's `page_validators` gives
        // it an ETag that leaves the nonce out, and a 304 no new policy).
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
                <script id=CATALOG_ELEMENT type="application/json" nonce=use_nonce() inner_html=crate::domain::catalog::installed().page_json().to_owned()></script>
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

/// The pages come in a few chunks of the browser bundle (split by `cargo
/// leptos build --split`), one per task: a first visit downloads the shell
/// and the chunk of the page it opens, and each other chunk only when one of
/// its pages is first shown. One chunk per page made ~270 files, and a page
/// fetched ~125 of them, one request each (a few per round trip over
/// HTTP/1.1); a chunk per task makes a page fetch a handful.
/// The console's frame (sidebar, palette) stays in the shell: as a chunk of
/// its own it moved code every page shares out of the shell into dozens of
/// small shared chunks, and the sign-in page fetched as much as before.
///
/// Only the browser's build splits: the server renders the pages directly,
/// and names the files of the page's chunk in the head ([`preload_chunk`])
/// so the browser fetches them beside the shell, not after it.
macro_rules! page_chunks {
    ($($chunk:ident $preload:ident $which:ident { $($route:ident => $page:path),* $(,)? })*) => {$(
        /// The pages of one chunk, as an argument that crosses into it.
        #[derive(Clone, Copy)]
        #[repr(u8)]
        enum $which {
            $($route),*
        }

        #[cfg_attr(feature = "hydrate", leptos::lazy)]
        fn $chunk(which: $which) -> AnyView {
            match which {
                $($which::$route => $page().into_any()),*
            }
        }

        $(
            struct $route;

            impl LazyRoute for $route {
                fn data() -> Self {
                    Self
                }

                async fn view(_this: Self) -> AnyView {
                    #[cfg(feature = "hydrate")]
                    return $chunk($which::$route).await;
                    #[cfg(feature = "ssr")]
                    preload_chunk(stringify!($chunk));
                    #[cfg(not(feature = "hydrate"))]
                    return $chunk($which::$route);
                }

                // A link hovered or a route matched fetches the chunk early.
                async fn preload() {
                    #[cfg(feature = "hydrate")]
                    $preload().await;
                }
            }
        )*
    )*};
}

/// Puts a `<link rel=preload>` in the head for each wasm file of the
/// chunk, through the meta context (nothing is written where it is called,
/// where a marker would break hydration). leptos_axum 0.8.10 writes these
/// itself only now and then: it looks the split manifest up through
/// whichever reactive owner is current on the thread that polls the
/// response, so most pages went without.
/// The chunks whose files this response's head names already.
#[cfg(feature = "ssr")]
#[derive(Clone, Default)]
struct PreloadedChunks(std::sync::Arc<std::sync::Mutex<std::collections::HashSet<&'static str>>>);

#[cfg(feature = "ssr")]
fn preload_chunk(chunk: &'static str) {
    use leptos_meta::Link;
    let (Some(options), Some(PreloadedChunks(done))) =
        (use_context::<leptos::config::LeptosOptions>(), use_context::<PreloadedChunks>())
    else {
        return;
    };
    // A route's view may be rendered more than once for one response (its
    // layout's Suspense reruns as data arrives): name the files once.
    if !done.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(chunk) {
        return;
    }
    let Some(files) = crate::server::bundle::ChunkFiles::of_site(std::path::Path::new(options.site_root.as_ref()))
    else {
        return;
    };
    let pkg = format!("/{}", options.site_pkg_dir);
    _ = view! { <Link rel="modulepreload" href=format!("{pkg}/{}", files.loader)/> }.to_html();
    for file in files.of_chunk(chunk) {
        _ = view! {
            <Link rel="preload" href=format!("{pkg}/{file}.wasm") as_="fetch" type_="application/wasm" crossorigin="anonymous"/>
        }
        .to_html();
    }
}

page_chunks! {
    sign_in_chunk __preload_sign_in_chunk SignInPages { Login => pages::LoginPage }
    invite_chunk __preload_invite_chunk InvitePages { Invite => pages::InvitePage }
    dashboard_chunk __preload_dashboard_chunk DashboardPages { Dashboard => pages::DashboardPage }
    account_chunk __preload_account_chunk AccountPages { Account => pages::AccountPage }
    // People: two chunks, as one it was the heaviest page to open (589 KB).
    users_chunk __preload_users_chunk UserPages { Users => pages::UsersPage, UserDetail => pages::UserDetailPage }
    teams_chunk __preload_teams_chunk TeamPages {
        Teams => pages::TeamsPage,
        TeamDetail => pages::TeamDetailPage,
        Invitations => pages::InvitationsPage,
    }
    access_chunk __preload_access_chunk AccessPages {
        Roles => pages::RolesPage,
        Policies => pages::PoliciesPage,
        Explorer => pages::ExplorerPage,
    }
    platform_chunk __preload_platform_chunk PlatformPages {
        Workspaces => pages::WorkspacesPage,
        WorkspaceDetail => pages::WorkspaceDetailPage,
        Audit => pages::AuditPage,
    }
}
