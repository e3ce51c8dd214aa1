//! The Portcullis server: the router (console pages, server functions, REST
//! API, health checks) and how a process starts.

pub mod cli;
mod middleware;
mod routes;

use axum::{
    http::{header, HeaderValue},
    routing::get,
    Router,
};
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::sync::Arc;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_sessions::{cookie::SameSite, Expiry, SessionManagerLayer};

use app::server::{
    bootstrap::{ensure_first_admin, FirstAdminOutcome},
    bundle,
    sessions::{DbSessionStore, COOKIE_NAME},
    store::Db,
    AppState, Config,
};

/// Leptos's settings, derived from ours: deployments run the binary, not
/// cargo-leptos, so nothing is read from Cargo.toml at run time. A release
/// build names the bundle's files by their hash and lists the names in
/// `hash.txt` beside the binary; without that file (tests, `cargo run`)
/// the plain names are used.
pub fn leptos_options(config: &Config) -> leptos::config::LeptosOptions {
    let hashed = bundle::hash_file().is_some();
    leptos::config::LeptosOptions::builder()
        .output_name("portcullis")
        .site_root(config.site_root.to_string_lossy().into_owned())
        .site_pkg_dir("pkg")
        .site_addr(config.listen)
        .env(leptos::config::Env::PROD)
        .hash_files(hashed)
        .hash_file(std::sync::Arc::from(bundle::HASH_FILE))
        .build()
}

/// The wasm file the pages will ask for: `portcullis.<hash>.wasm` after a
/// release build, `portcullis.wasm` otherwise.
pub fn bundle_wasm(config: &Config) -> std::path::PathBuf {
    let name =
        bundle::hash_of("wasm").map_or_else(|| "portcullis.wasm".to_owned(), |hash| format!("portcullis.{hash}.wasm"));
    config.site_root.join("pkg").join(name)
}

/// Opens the database, applies migrations and builds the shared state,
/// with the index not loaded yet (serving loads it: see `/readyz`).
pub async fn open(config: Config) -> Result<AppState, String> {
    let state = open_unreconciled(config).await?;
    app::server::services::catalog::reconcile(&state).await.map_err(|e| format!("cannot start: {e}"))?;
    Ok(state)
}

/// [`open`] without adopting the catalog: for `portcullis catalog migrate`,
/// which shows and applies what adopting it changes.
pub async fn open_unreconciled(config: Config) -> Result<AppState, String> {
    app::domain::catalog::install(config.catalog.clone())?;
    let db = Db::connect(&config.database_url)
        .await
        .map_err(|e| format!("cannot open the database ({}): {e}", redact_url(&config.database_url)))?;
    db.migrate().await.map_err(|e| format!("cannot migrate the database: {e}"))?;
    let options = leptos_options(&config);
    Ok(AppState::new(db, config, options))
}

/// [`open`], then loads the index: for commands and tests.
pub async fn connect(config: Config) -> Result<AppState, String> {
    let state = open(config).await?;
    state.access.load(&state.db).await.map_err(|e| format!("cannot load the access data: {e}"))?;
    Ok(state)
}

/// Hides the password part of a database URL.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// The whole HTTP surface of one process.
pub fn router(state: AppState) -> Router {
    let config = Arc::clone(&state.config);
    let lifetime = time::Duration::seconds(i64::try_from(config.session_lifetime.as_secs()).unwrap_or(i64::MAX));
    let sessions = SessionManagerLayer::new(DbSessionStore::new(state.db.clone()))
        .with_name(COOKIE_NAME)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(config.secure_cookies())
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(lifetime));

    let leptos_options = state.leptos_options.clone();
    let page_routes = generate_route_list(app::ui::App);
    let page_state = state.clone();
    let server_fn_state = state.clone();

    let pages = Router::new()
        .leptos_routes_with_context(&state, page_routes, move || provide_context(page_state.clone()), {
            let options = leptos_options.clone();
            move || app::ui::shell(options.clone())
        })
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::rerender_stalled_pages))
        .layer(axum::middleware::from_fn(middleware::page_validators))
        // leptos_axum routes every registered server function here, beside
        // the pages: they read their body themselves, so the limit is on
        // the stream.
        .layer(tower_http::limit::RequestBodyLimitLayer::new(routes::BULK_BODY_LIMIT));
    // Everything that answers from the index waits until it can.
    let gated = Router::new()
        .merge(pages)
        .route("/auth/{provider}/start", get(routes::oauth::start))
        .route("/auth/{provider}/callback", get(routes::oauth::callback))
        .nest(
            "/api/v1",
            routes::api().layer(axum::middleware::from_fn_with_state(state.clone(), middleware::idempotent_creates)),
        )
        // A name no server function has (registered ones are routed above).
        .route(
            "/sfn/{*name}",
            axum::routing::any(move |req: axum::extract::Request| {
                let state = server_fn_state.clone();
                leptos_axum::handle_server_fns_with_context(move || provide_context(state.clone()), req)
            }),
        )
        .layer(axum::middleware::from_fn(middleware::server_fn_status))
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::require_usable_index));

    // The browser bundle, sent as its precompressed copy the browser accepts
    // (scripts/precompress.mjs writes them), cached for as long as its name
    // says it is the same file (see `middleware::bundle_caching`).
    let bundle =
        tower_http::services::ServeDir::new(config.site_root.join("pkg")).precompressed_br().precompressed_gzip();
    let bundle = Router::new().fallback_service(bundle).layer(axum::middleware::from_fn(middleware::bundle_caching));

    Router::new()
        .nest("/pkg", bundle)
        .route("/healthz", get(routes::health::alive))
        .route("/readyz", get(routes::health::ready))
        .route("/metrics", get(routes::health::metrics))
        .merge(gated)
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(app::ui::shell))
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::refuse_cross_origin))
        .layer(sessions)
        // The security headers of every answer (OWASP's secure headers):
        // console pages set their own Content-Security-Policy with the
        // response's nonce (see `app::ui::shell`); every other answer gets
        // one that allows nothing, and a 304 none. Referrer-Policy keeps invitation links
        // out of `Referer`; HSTS only when served over https.
        .layer(SetResponseHeaderLayer::if_not_present(header::CONTENT_SECURITY_POLICY, {
            let nothing = HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'; base-uri 'none'");
            // A 304 leaves the stored policy as it is (see `middleware::page_validators`).
            move |response: &axum::response::Response| {
                (response.status() != axum::http::StatusCode::NOT_MODIFIED).then(|| nothing.clone())
            }
        }))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::overriding(header::STRICT_TRANSPORT_SECURITY, {
            let hsts = config
                .base_url
                .starts_with("https://")
                .then(|| HeaderValue::from_static("max-age=31536000; includeSubDomains"));
            move |_: &axum::response::Response| hsts.clone()
        }))
        .layer(middleware::request_log())
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::find_client))
        .with_state(state)
}

/// Starts serving on `listener` until `shutdown` resolves.
pub async fn serve(
    state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let cleanup = DbSessionStore::new(state.db.clone()).spawn_cleanup(std::time::Duration::from_secs(300));
    let outbox = tokio::spawn(app::server::services::mail::run_outbox(state.clone()));
    let idempotency = tokio::spawn(forget_idempotency_keys(state.clone()));
    let sync = tokio::spawn(app::server::index::sync::run(state.clone()));
    let served = serve_connections(&state, listener, shutdown).await;
    // These tasks hold pool handles: stop them so the pool can close.
    cleanup.abort();
    outbox.abort();
    idempotency.abort();
    sync.abort();
    served
}

/// Forgets `Idempotency-Key` answers past their 24 hours, every ten minutes.
async fn forget_idempotency_keys(state: AppState) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(600));
    loop {
        tick.tick().await;
        let pruned = async {
            let mut tx = state.db.write().await?;
            let expired = app::server::now_ms() - middleware::IDEMPOTENCY_TTL_MS;
            app::server::store::idempotency::prune(&mut tx, expired).await?;
            tx.commit().await.map_err(app::server::store::StoreError::from)
        };
        if let Err(error) = pruned.await {
            tracing::warn!(%error, "could not forget old idempotency keys");
        }
    }
}

/// Accepts and serves connections until `shutdown`, then lets the open
/// ones finish (up to 10 s). Unlike `axum::serve`, a connection that does
/// not send a request's headers within `header_timeout`, or idles that long
/// between kept-alive requests, is closed (hyper's header read timeout with
/// a timer), and at most `max_connections` are served at once: one client
/// cannot hold thousands of idle sockets and run the process out of file
/// descriptors. Past the cap, new connections wait in the listen backlog.
async fn serve_connections(
    state: &AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use hyper_util::{
        rt::{TokioIo, TokioTimer},
        server::graceful::GracefulShutdown,
        service::TowerToHyperService,
    };
    use tower::ServiceExt;

    let app = router(state.clone());
    let slots = Arc::new(tokio::sync::Semaphore::new(state.config.max_connections));
    // HTTP/1.1 only (TLS and HTTP/2 end at the load balancer): the
    // automatic version sniffing would first wait, with no timeout, for a
    // silent client's first bytes.
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(state.config.header_timeout);
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            slot = Arc::clone(&slots).acquire_owned() => slot.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, or a connection reset while queued: wait a moment.
                    tracing::warn!(%error, "could not accept a connection");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service = app.clone().map_request(move |mut request: axum::extract::Request<hyper::body::Incoming>| {
            request.extensions_mut().insert(axum::extract::ConnectInfo(peer));
            request.map(axum::body::Body::new)
        });
        let connection =
            graceful.watch(builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service)));
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "connection ended with an error");
            }
            drop(slot);
        });
    }
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(std::time::Duration::from_secs(10)) => tracing::warn!("connections still open at shutdown"),
    }
    Ok(())
}

/// Creates the first admin on an empty database and says how to sign in.
pub async fn announce_first_admin(state: &AppState) -> Result<(), String> {
    let login_url = format!("{}/login", state.config.base_url);
    match ensure_first_admin(state).await.map_err(|e| format!("cannot create the first admin: {e}"))? {
        FirstAdminOutcome::AlreadyHadUsers => {}
        FirstAdminOutcome::Created { email } => {
            tracing::info!(%email, "created the first admin with the configured password; sign in at {login_url}");
        }
        FirstAdminOutcome::CreatedWithGeneratedPassword { email, password } => {
            // Shown once: only its hash is stored.
            tracing::warn!(
                "created the first admin. Sign in at {login_url} as {email} with the one-time password {password} \
                 (shown only now; change it with `portcullis admin set-password --email {email}`)"
            );
        }
    }
    Ok(())
}
