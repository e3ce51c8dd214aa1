//! Request logging (tower-http), cross-origin refusal, the index gate,
//! idempotent creates, page validators and bundle caching.

use axum::{
    body::Body,
    extract::{Request, State},
    http::{header, HeaderMap, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use headers::HeaderMapExt as _;
use serde_json::Value;
use std::time::Duration;

use app::{server::AppState, AppError};

/// tower-http's tracing layer as this server sets it up (see [`request_log`]).
pub type RequestLog = tower_http::trace::TraceLayer<
    tower_http::classify::SharedClassifier<tower_http::classify::ServerErrorsAsFailures>,
    fn(&Request) -> tracing::Span,
    (),
    fn(&Response, Duration, &tracing::Span),
    (),
    (),
    (),
>;

/// One log line per request, by tower-http's tracing layer: method and
/// path (secrets left out, see [`loggable_path`]) in the span, status and
/// latency when it is answered. Server errors are logged where they happen,
/// with their correlation id, so the layer does not log them again.
pub fn request_log() -> RequestLog {
    tower_http::trace::TraceLayer::new_for_http()
        .make_span_with(request_span as fn(&Request) -> tracing::Span)
        .on_request(())
        .on_response(answered as fn(&Response, Duration, &tracing::Span))
        .on_body_chunk(())
        .on_eos(())
        .on_failure(())
}

fn request_span(request: &Request) -> tracing::Span {
    let path = loggable_path(request.uri().path());
    tracing::info_span!(target: "portcullis::http", "request", method = %request.method(), %path)
}

fn answered(response: &Response, latency: Duration, _: &tracing::Span) {
    let latency_ms = latency.as_secs_f64() * 1000.0;
    tracing::info!(target: "portcullis::http", status = response.status().as_u16(), latency_ms = format_args!("{latency_ms:.2}"), "answered");
}

/// Finds the client's address once per request (the peer, or what a
/// trusted proxy says: `trusted_proxies`), for the sign-in throttle,
/// sessions' devices and tokens' last use.
pub async fn find_client(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let peer = request.extensions().get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|info| info.0.ip());
    let client = peer.map(|peer| app::server::http::client_ip(peer, request.headers(), &state.config.trusted_proxies));
    request.extensions_mut().insert(app::server::http::ClientIp(client));
    next.run(request).await
}

/// Path segments that are secrets (an invitation link's token) are logged
/// as `…`: whoever reads the log must not be able to accept the invitation.
/// Query strings are never logged.
pub fn loggable_path(path: &str) -> String {
    match path.strip_prefix("/invite/") {
        Some(rest) if !rest.is_empty() => "/invite/…".to_owned(),
        _ => path.to_owned(),
    }
}

/// Refuses state-changing requests that a browser sent from another site, so
/// the session cookie cannot be ridden by a forged form or fetch (the same
/// rule as Go's `http.CrossOriginProtection`). Programs that send neither
/// `Sec-Fetch-Site` nor `Origin` are not browsers and are let through.
pub async fn refuse_cross_origin(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if is_safe(request.method()) || same_origin(request.headers(), &state.config.base_url) {
        next.run(request).await
    } else {
        tracing::warn!(path = %request.uri().path(), "refused a cross-origin request");
        AppError::forbidden("cross_origin", "this request came from another site and was refused").into_response()
    }
}

/// Refuses requests while this process's authorization index cannot answer
/// (loading at start, or stale after losing the database): a 503 with the
/// reason, never an answer or a page built from data that may be out of date.
pub async fn require_usable_index(State(state): State<AppState>, request: Request, next: Next) -> Response {
    match state.access.usable() {
        Ok(()) => next.run(request).await,
        Err(unusable) => {
            state.metrics.refused(unusable.code());
            AppError::from(unusable).into_response()
        }
    }
}

/// How long a console page may take to render before it is rendered again.
const PAGE_RENDER_LIMIT: Duration = Duration::from_secs(5);

/// Renders a console page again when its render stalls. Leptos 0.8's server
/// rendering, rarely and under load, never completes: every thread idle, the
/// page waiting on a wake-up that never comes (seen here about once in ten
/// runs of the API tests; upstream reports leptos-rs/leptos#4578 and #4673).
/// A browser would wait forever. Pages are GETs that render from scratch,
/// so a second render is safe; a second stall answers 503.
pub async fn rerender_stalled_pages(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if request.method() != Method::GET {
        return next.run(request).await;
    }
    let (parts, _) = request.into_parts();
    for attempt in 1..=2 {
        let mut again = Request::new(Body::empty());
        *again.method_mut() = parts.method.clone();
        *again.uri_mut() = parts.uri.clone();
        *again.version_mut() = parts.version;
        *again.headers_mut() = parts.headers.clone();
        *again.extensions_mut() = parts.extensions.clone();
        let next = next.clone();
        // The whole body inside the limit: the stall can come after the headers.
        let rendered = tokio::time::timeout(PAGE_RENDER_LIMIT, async move {
            let (head, body) = next.run(again).await.into_parts();
            axum::body::to_bytes(body, usize::MAX).await.map(|bytes| Response::from_parts(head, Body::from(bytes)))
        })
        .await;
        match rendered {
            Ok(Ok(response)) => return response,
            Ok(Err(error)) => return app::server::http::internal_error("rendering a page", error).into_response(),
            Err(_) => {
                state.metrics.page_stalled();
                tracing::warn!(path = %parts.uri.path(), attempt, "a page render stalled; rendering it again");
            }
        }
    }
    AppError::unavailable("render_stalled", "the page did not render in time: reload it").into_response()
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn same_origin(headers: &HeaderMap, base_url: &str) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return matches!(site.to_str(), Ok("same-origin" | "none"));
    }
    let Some(origin) = headers.get(header::ORIGIN) else { return true };
    let Ok(origin) = origin.to_str() else { return false };
    if origin == base_url {
        return true;
    }
    // Also accept the host the request was sent to (a second name, a port).
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    match (origin.split_once("://"), host) {
        (Some((_, origin_host)), Some(host)) => origin_host == host,
        _ => false,
    }
}

/// Server functions (`/sfn/…`): a call whose arguments cannot be read (a
/// body that is not UTF-8, a query string nested too deep) fails before
/// its body runs, where `app::api::context::respond` would give it its
/// status, and server_fn answers 500. The error in the body says what it
/// is: answer with that error's status, so a client's mistake is never a
/// 500. A name that is no server function is a 404 in the same encoding.
pub async fn server_fn_status(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    if !path.starts_with("/sfn/") {
        return next.run(request).await;
    }
    let response = next.run(request).await;
    let json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    match response.status() {
        StatusCode::INTERNAL_SERVER_ERROR => {}
        StatusCode::BAD_REQUEST if !json => {
            let error = AppError::not_found(format!("a server function at {path}"));
            let mut answer = (StatusCode::NOT_FOUND, axum::Json(error)).into_response();
            answer.headers_mut().extend(response.headers().clone().into_iter().filter(|(name, _)| {
                name.as_ref().is_some_and(|n| n != header::CONTENT_TYPE && n != header::CONTENT_LENGTH)
            }));
            return answer;
        }
        _ => return response,
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return Response::from_parts(parts, Body::empty());
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        if !matches!(error, AppError::Transport { .. }) {
            parts.status = StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// Fields of an answer that are shown once and never stored: a token's
/// secret, an invitation's link.
const SHOWN_ONCE: &[&str] = &["secret", "link"];

/// The answer as it is kept for replays: its one-time secrets nulled (a
/// replay still names what was made, so the caller can revoke it).
fn without_secrets(bytes: &[u8]) -> String {
    fn scrub(value: &mut Value) {
        match value {
            Value::Object(map) => {
                for (key, field) in map.iter_mut() {
                    if SHOWN_ONCE.contains(&key.as_str()) && !field.is_null() {
                        *field = Value::Null;
                    } else {
                        scrub(field);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(scrub),
            _ => {}
        }
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(mut value) => {
            scrub(&mut value);
            value.to_string()
        }
        Err(_) => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// How long an `Idempotency-Key`'s answer is kept.
pub const IDEMPOTENCY_TTL_MS: i64 = 24 * 3600 * 1000;

/// The credential a request came with (a bearer token, or the session
/// cookie), hashed: keys belong to whoever sent them.
fn caller_of(headers: &HeaderMap) -> Option<String> {
    let credential =
        headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).map(str::to_owned).or_else(|| {
            headers
                .get_all(header::COOKIE)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(';'))
                .map(str::trim)
                .find(|c| c.starts_with(app::server::sessions::COOKIE_NAME) && c.contains('='))
                .map(str::to_owned)
        })?;
    Some(app::server::secrets::sha256_hex(&credential))
}

/// Creates sent with an `Idempotency-Key` header (IETF
/// draft-ietf-httpapi-idempotency-key-header) run once: the answer is kept
/// for 24 hours and a retry with the same key and body gets it again
/// (marked `Idempotency-Replayed: true`), without the one-time secrets it
/// carried, which are never stored; the same key with another body is
/// a 422, and while the first is still running a 409. A server failure
/// keeps nothing, so the retry runs.
pub async fn idempotent_creates(State(state): State<AppState>, request: Request, next: Next) -> Response {
    // Checks (the platform's hot path) and sign-in create nothing: a client
    // that sends a key on every POST must not turn each check into writes.
    // Paths here are inside the `/api/v1` nest.
    let path = request.uri().path();
    if request.method() != Method::POST || path.starts_with("/authz/") || path.starts_with("/auth/") {
        return next.run(request).await;
    }
    let Some(sent) = request.headers().get("idempotency-key") else { return next.run(request).await };
    let key = match sent.to_str().map(|k| k.trim().trim_matches('"')) {
        Ok(key) if (1..=255).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic()) => key.to_owned(),
        _ => {
            return AppError::invalid("Idempotency-Key", "send 1 to 255 visible ASCII characters (a UUID, say)")
                .into_response()
        }
    };
    // Without a credential there is no one to keep the key for (sign-in
    // and invitation links are not creates of a caller's).
    let Some(caller) = caller_of(request.headers()) else { return next.run(request).await };
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, crate::routes::BULK_BODY_LIMIT).await else {
        return AppError::TooLarge { message: "the body is over this route's limit".into() }.into_response();
    };
    let fingerprint = app::server::secrets::sha256_hex(&format!(
        "{} {}\n{}",
        parts.method,
        parts.uri.path_and_query().map_or("", |p| p.as_str()),
        String::from_utf8_lossy(&bytes)
    ));
    let now = app::server::now_ms();
    let claimed = async {
        let mut tx = state.db.write().await?;
        let found =
            app::server::store::idempotency::claim(&mut tx, &caller, &key, &fingerprint, now, now - IDEMPOTENCY_TTL_MS)
                .await?;
        tx.commit().await.map_err(app::server::store::StoreError::from)?;
        Ok::<_, AppError>(found)
    };
    use app::server::store::idempotency::Stored;
    match claimed.await {
        Err(error) => return error.into_response(),
        Ok(Some(Stored::Answered { fingerprint: first, .. } | Stored::Running { fingerprint: first }))
            if first != fingerprint =>
        {
            return AppError::Unprocessable {
                code: "idempotency_key_reused".into(),
                message: "this Idempotency-Key was sent with another request: use a new key for a new request".into(),
            }
            .into_response()
        }
        Ok(Some(Stored::Running { .. })) => {
            return AppError::conflict(
                "idempotency_key_in_use",
                "the first request with this Idempotency-Key is still running: retry in a moment",
            )
            .into_response()
        }
        Ok(Some(Stored::Answered { status, content_type, body, .. })) => {
            let mut answer = Response::new(Body::from(body));
            *answer.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            if let Some(value) = content_type.and_then(|c| HeaderValue::from_str(&c).ok()) {
                answer.headers_mut().insert(header::CONTENT_TYPE, value);
            }
            answer.headers_mut().insert("idempotency-replayed", HeaderValue::from_static("true"));
            return answer;
        }
        Ok(None) => {}
    }
    let response = next.run(Request::from_parts(parts, Body::from(bytes))).await;
    let (parts, body) = response.into_parts();
    // Our own answer, bounded by what the request could ask for; one that
    // cannot be read is a server failure, and the key is given up.
    let read = axum::body::to_bytes(body, 16 * 1024 * 1024).await;
    let failed = read.is_err() || parts.status.is_server_error();
    let bytes = read.unwrap_or_default();
    let kept = async {
        let mut tx = state.db.write().await?;
        if failed {
            app::server::store::idempotency::release(&mut tx, &caller, &key).await?;
        } else {
            let content_type = parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
            let body = without_secrets(&bytes);
            app::server::store::idempotency::answer(&mut tx, &caller, &key, parts.status.as_u16(), content_type, &body)
                .await?;
        }
        tx.commit().await.map_err(app::server::store::StoreError::from)
    };
    if let Err(error) = kept.await {
        tracing::warn!(%error, "could not keep the answer of an idempotent request");
    }
    if failed && !parts.status.is_server_error() {
        return app::server::http::internal_error("idempotent answer", "the answer could not be read").into_response();
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// Console pages carry an ETag, so a browser revalidating one (they are
/// `no-cache`) is answered 304 when the page is as it had it. The tag hashes
/// the page without this response's CSP nonce, the one part every render
/// changes. The 304 carries no Content-Security-Policy: a browser keeps the
/// headers it stored beside the body it stored, updating only those the 304
/// names (RFC 9111 §4.3.4), so the page keeps the policy naming its own nonce.
pub async fn page_validators(request: Request, next: Next) -> Response {
    if request.method() != Method::GET {
        return next.run(request).await;
    }
    let asked = request.headers().typed_get::<headers::IfNoneMatch>();
    let response = next.run(request).await;
    let is_page = response.status() == StatusCode::OK
        && response.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if !is_page {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(error) => return app::server::http::internal_error("reading a page", error).into_response(),
    };
    let nonce = parts.headers.get(header::CONTENT_SECURITY_POLICY).and_then(|v| v.to_str().ok()).and_then(csp_nonce);
    let tag = page_etag(&bytes, nonce);
    let unchanged = asked.is_some_and(|asked| !asked.precondition_passes(&tag));
    parts.headers.typed_insert(tag);
    if unchanged {
        parts.status = StatusCode::NOT_MODIFIED;
        parts.headers.remove(header::CONTENT_SECURITY_POLICY);
        parts.headers.remove(header::CONTENT_LENGTH);
        return Response::from_parts(parts, Body::empty());
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// The nonce a page's policy names (`'nonce-…'`).
fn csp_nonce(policy: &str) -> Option<&str> {
    policy.split("'nonce-").nth(1)?.split('\'').next().filter(|nonce| !nonce.is_empty())
}

/// A weak tag (the bytes of equal pages differ): the SHA-256 of the page as
/// [`comparable_page`] gives it, 128 bits in unpadded base64url.
fn page_etag(page: &[u8], nonce: Option<&str>) -> headers::ETag {
    use base64::Engine as _;
    use sha2::Digest as _;
    let digest = match std::str::from_utf8(page) {
        Ok(page) => sha2::Sha256::digest(comparable_page(page, nonce).as_bytes()),
        Err(_) => sha2::Sha256::digest(page),
    };
    let tag = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..16]);
    format!("W/\"{tag}\"").parse().expect("base64url is a valid entity tag")
}

const PENDING: &str = "__PENDING_RESOURCES=[";
const RESOLVED: &str = "__RESOLVED_RESOURCES[";

/// A page without what differs between two renders of the same page: the
/// nonce, and how leptos lists the resources it serialises for hydration.
/// Its server render builds reactive views twice (a dry pass to start
/// resources early, then the real one), and whether the dry pass's copies
/// are serialised, and in which script, depends on timing: the same data is
/// listed once to three times, under other ids. So the payloads are taken
/// out and added once each, sorted, at the end (a resource's id follows from
/// the order the page creates them, which the rest of the page shows).
/// Anything not in the expected shape is kept as it is: the tag then only
/// matches less often.
fn comparable_page(page: &str, nonce: Option<&str>) -> String {
    let page = match nonce {
        Some(nonce) if !nonce.is_empty() => page.replace(nonce, ""),
        _ => page.to_owned(),
    };
    let mut out = String::with_capacity(page.len());
    let mut payloads = std::collections::BTreeSet::new();
    let mut rest = page.as_str();
    loop {
        let next = [rest.find(PENDING), rest.find(RESOLVED)].into_iter().flatten().min();
        let Some(at) = next else { break };
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        if let Some(after) = rest.strip_prefix(PENDING) {
            // The list of ids: left out.
            out.push_str(PENDING);
            match after.find(']') {
                Some(end) => rest = &after[end..],
                None => break,
            }
        } else {
            let after = &rest[RESOLVED.len()..];
            let digits = after.bytes().take_while(u8::is_ascii_digit).count();
            let Some(body) = after[digits..].strip_prefix("] = \"").filter(|_| digits > 0) else {
                out.push_str(RESOLVED);
                rest = after;
                continue;
            };
            let Some(len) = js_string_len(body) else { break };
            payloads.insert(&body[..len]);
            let end = &body[len + 1..];
            rest = end.strip_prefix(';').unwrap_or(end);
        }
    }
    out.push_str(rest);
    // The scripts the payloads leave empty.
    let mut out = out.replace("<script nonce=\"\"></script>", "").replace("<script></script>", "");
    for payload in payloads {
        out.push_str(RESOLVED);
        out.push_str(payload);
    }
    out
}

/// The length of a JS string literal's body, up to its closing quote.
fn js_string_len(body: &str) -> Option<usize> {
    let mut escaped = false;
    for (i, b) in body.bytes().enumerate() {
        match b {
            _ if escaped => escaped = false,
            b'\\' => escaped = true,
            b'"' => return Some(i),
            _ => {}
        }
    }
    None
}

/// A bundle file whose name carries its content's hash (`portcullis.<hash>.wasm`,
/// as a release build names them) never changes: browsers keep it a year
/// without asking. Any other name may change under the same URL, so it is
/// revalidated on every use (and answered 304 when unchanged).
pub async fn bundle_caching(request: Request, next: Next) -> Response {
    let immutable = is_hashed_name(request.uri().path());
    let mut response = next.run(request).await;
    if response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED {
        let value = if immutable { "public, max-age=31536000, immutable" } else { "no-cache" };
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    }
    response
}

/// Whether the file name has a segment of cargo-leptos's hash: 22
/// characters of unpadded base64url (an MD5), between dots; not the
/// placeholder of underscores an unhashed build leaves in the split loader's name.
pub fn is_hashed_name(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    let mut segments = name.split('.');
    segments.next();
    segments.any(|segment| {
        segment.len() == 22
            && segment.bytes().any(|b| b != b'_')
            && segment.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn a_page_tag_ignores_the_nonce_and_nothing_else() {
        let page = |nonce: &str, name: &str| {
            format!("<script nonce=\"{nonce}\">boot</script><p>{name}</p><script nonce=\"{nonce}\"></script>")
        };
        let policy = |nonce: &str| format!("default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'");
        assert_eq!(csp_nonce(&policy("a1B2")), Some("a1B2"));
        assert_eq!(csp_nonce("default-src 'none'"), None);
        let first = page_etag(page("a1B2", "Ada").as_bytes(), Some("a1B2"));
        assert_eq!(first, page_etag(page("Zz9y", "Ada").as_bytes(), Some("Zz9y")), "only the nonce differs");
        assert_ne!(first, page_etag(page("a1B2", "Bob").as_bytes(), Some("a1B2")), "the page differs");
        assert!(format!("{first:?}").contains("W/"), "weak, the bytes differ: {first:?}");
    }

    #[test]
    fn resources_listed_again_by_the_dry_pass_do_not_change_the_tag() {
        let me = r#""{\"Ok\":{\"name\":\"Ada \\\"the\\\" admin\"}}""#;
        let list = r#""{\"Ok\":{\"items\":[1]}}""#;
        let other = r#""{\"Ok\":{\"items\":[2]}}""#;
        let page = |pending: &str, resources: &[(u32, &str)]| {
            let resolved: String =
                resources.iter().map(|(id, v)| format!("__RESOLVED_RESOURCES[{id}] = {v};")).collect();
            format!("<p>x</p><script>__PENDING_RESOURCES=[{pending}];__RESOURCE_RESOLVERS=[];</script><script>{resolved}</script>")
        };
        let once = comparable_page(&page("0,2,", &[(0, me), (2, list)]), None);
        let thrice = comparable_page(&page("0,2,4,6,", &[(0, me), (2, list), (4, list), (6, list)]), None);
        assert_eq!(once, thrice);
        assert!(once.contains("items") && once.contains("admin"), "{once}");
        // Different data is a different page, and so is another order.
        assert_ne!(once, comparable_page(&page("0,2,", &[(0, me), (2, other)]), None));
        let split = page("0,2,4,", &[(0, me), (4, list)]).replace(
            "</script>",
            &format!("</script><script nonce=\"Qm9vdFN0cmFwQQ\">__RESOLVED_RESOURCES[2] = {list};</script>"),
        );
        assert_eq!(once, comparable_page(&split, Some("Qm9vdFN0cmFwQQ")), "listed again in a script of its own");
        // A shape it does not know is kept whole.
        let odd = "<script>__RESOLVED_RESOURCES[x] = 1;__RESOLVED_RESOURCES[3] = \"open</script>";
        assert_eq!(comparable_page(odd, None), odd);
    }

    #[test]
    fn only_names_with_a_hash_are_cached_for_good() {
        assert!(is_hashed_name("/portcullis.Zk3v0yQh9XvP4nM2aB8cDw.wasm"));
        assert!(is_hashed_name("/__wasm_split.Zk3v0yQh9XvP4nM2aB8c-_.js"));
        assert!(!is_hashed_name("/portcullis.wasm"));
        assert!(!is_hashed_name("/portcullis_bg.wasm"));
        assert!(!is_hashed_name("/__wasm_split.______________________.js"));
        assert!(!is_hashed_name("/Zk3v0yQh9XvP4nM2aB8cDw.wasm"));
    }

    #[test]
    fn invitation_tokens_stay_out_of_the_log() {
        assert_eq!(loggable_path("/invite/3f2a9c0d1e"), "/invite/…");
        assert_eq!(loggable_path("/invite/"), "/invite/");
        assert_eq!(loggable_path("/api/v1/invitations"), "/api/v1/invitations");
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, HeaderValue::from_static(v));
        }
        map
    }

    #[test]
    fn fetch_metadata_decides_when_present() {
        let base = "http://127.0.0.1:3000";
        assert!(same_origin(&headers(&[("sec-fetch-site", "same-origin")]), base));
        assert!(same_origin(&headers(&[("sec-fetch-site", "none")]), base));
        assert!(!same_origin(&headers(&[("sec-fetch-site", "cross-site")]), base));
        assert!(!same_origin(&headers(&[("sec-fetch-site", "same-site"), ("origin", "http://127.0.0.1:3000")]), base));
    }

    #[test]
    fn origin_must_match_the_base_url_or_the_host() {
        let base = "https://access.example.com";
        assert!(same_origin(&headers(&[]), base));
        assert!(same_origin(&headers(&[("origin", "https://access.example.com")]), base));
        assert!(same_origin(&headers(&[("origin", "http://10.0.0.5:3000"), ("host", "10.0.0.5:3000")]), base));
        assert!(!same_origin(&headers(&[("origin", "https://evil.example"), ("host", "access.example.com")]), base));
        assert!(!same_origin(&headers(&[("origin", "null")]), base));
    }
}
