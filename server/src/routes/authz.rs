//! `/authz`: the decisions the platform asks for on its hot path.

use axum::{extract::State, Json, Router};
use serde::{Deserialize, Serialize};

use super::{ApiJson, SignedIn};
use app::server::http::ErrorBody;
use app::{
    server::{
        metrics::CheckEndpoint,
        services::decisions::{self, CheckRequest, CheckResponse, PrincipalCheck},
        AppState,
    },
    AppError,
};

/// The routes of this resource, under `/api/v1`.
pub fn router() -> Router<AppState> {
    use axum::extract::DefaultBodyLimit;
    use axum::routing::post;
    Router::new()
        .route("/authz/check", post(check))
        // Up to 1000 questions.
        .route("/authz/check-batch", post(check_batch).layer(DefaultBodyLimit::max(super::BULK_BODY_LIMIT)))
        // nginx `auth_request` and Traefik send GET; Envoy's ext_authz the
        // original method.
        // nginx and Traefik send GET; a POST is answered alike.
        .route("/authz/forward", axum::routing::get(forward).post(forward_post))
        // Envoy's ext_authz appends the original path to the service's and
        // keeps the original method, whatever it is.
        .route("/authz/forward/{*original}", axum::routing::any(forward))
}

/// Where `/authz/forward` is mounted: what follows it is Envoy's original path.
const FORWARD_PATH: &str = "/api/v1/authz/forward";

/// One reading of the request a gateway holds, from every source that
/// names it: nginx's `X-Original-*`, Traefik's `X-Forwarded-*`, Envoy's
/// request line. Sources that disagree are refused: a client may send one of
/// these headers itself, and a gateway passes on what it does not set.
fn one_reading<'a>(sources: impl IntoIterator<Item = Option<&'a str>>) -> Result<Option<&'a str>, ()> {
    let mut found = None;
    for value in sources.into_iter().flatten() {
        match found {
            None => found = Some(value),
            Some(seen) if seen == value => {}
            Some(_) => return Err(()),
        }
    }
    Ok(found)
}

/// What a gateway asks explicitly: `?permission=endpoint:invoke&workspace=ml`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ForwardQuery {
    /// The permission the request needs.
    #[param(schema_with = app::server::http::schema::permission)]
    permission: Option<String>,
    /// The workspace it is asked in; absent or blank for a global question.
    workspace: Option<String>,
}

/// The header that says why a gateway's request was refused.
const REASON: &str = "x-portcullis-reason";

/// `/authz/forward` (any method): a gateway's subrequest (nginx
/// `auth_request`, Traefik `ForwardAuth`, Envoy `ext_authz`) for the request
/// it holds. The caller is that request's own credential (`Authorization:
/// Bearer` API token, or the session cookie). What is asked comes from
/// `?permission=&workspace=` when the gateway's configuration sends them,
/// else from the route rules (`forward.routes`) matched against the original
/// method and URI. Answers 200 with `X-Portcullis-User`, `-Email` and
/// `-Workspace` for the upstream, 401 with `WWW-Authenticate` without a valid
/// credential, 403 with `X-Portcullis-Reason` otherwise. No body. Envoy
/// calls `/authz/forward/{original path}` with the original method.
#[utoipa::path(get, path = "/api/v1/authz/forward", tag = "authz", params(ForwardQuery), responses((status = 200, description = "Allowed, with no body: the headers name who and where, for the upstream", headers(("X-Portcullis-User" = String, description = "The caller's user id"), ("X-Portcullis-Email" = String, description = "The caller's email"), ("X-Portcullis-Workspace" = String, description = "The workspace asked about, when one was"))), (status = 401, description = "No valid credential", headers(("WWW-Authenticate" = String, description = "`Bearer realm=\"portcullis\"`"))), (status = 403, description = "Denied, with no body", headers(("X-Portcullis-Reason" = String, description = "`no_permission` (the caller or its token does not hold it there), `no_rule` (no route rule matches and nothing was asked), `unsafe_path` (dot or empty segments, encoded separators), `no_host`, `no_original_request` (neither a question nor the original method and URI) or `conflicting_request` (the headers naming the original request disagree)"))), (status = 400, description = "The permission is not in the catalog", body = ErrorBody), (status = 503, description = "No answer from this process now (`index_loading`, `index_stale`, `catalog_mismatch`)", body = ErrorBody)))]
pub async fn forward(
    State(state): State<AppState>,
    caller: Result<SignedIn, AppError>,
    method: axum::http::Method,
    axum::extract::OriginalUri(uri): axum::extract::OriginalUri,
    headers: axum::http::HeaderMap,
    query: Result<axum::extract::Query<ForwardQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<axum::response::Response, AppError> {
    use axum::http::{header, HeaderValue, StatusCode};
    use axum::response::IntoResponse;
    let started = std::time::Instant::now();
    let refuse = |reason: &'static str| -> Result<axum::response::Response, AppError> {
        Ok((StatusCode::FORBIDDEN, [(REASON, reason)]).into_response())
    };
    let actor = match caller {
        Ok(SignedIn(actor)) => actor,
        Err(AppError::Unauthenticated { .. }) => {
            return Ok((StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, r#"Bearer realm="portcullis""#)])
                .into_response());
        }
        Err(other) => return Err(other),
    };
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    // Envoy: `/api/v1/authz/forward/v1/ml/…?…`. Its query string is the
    // client's, so then nothing is taken from it as a question.
    let envoy_path = uri
        .path_and_query()
        .map(|pq| pq.as_str())
        .and_then(|pq| pq.strip_prefix(FORWARD_PATH))
        .filter(|rest| rest.starts_with('/'));
    let query = match (envoy_path, query) {
        (Some(_), _) => ForwardQuery::default(),
        (None, Ok(axum::extract::Query(query))) => query,
        (None, Err(rejection)) => return Err(AppError::invalid("query", rejection.body_text())),
    };
    let explicit = query.permission.as_deref().map(str::trim);
    let (permission, workspace) = match explicit.filter(|p| !p.is_empty()) {
        Some(permission) => {
            let workspace = query.workspace.as_deref().map(str::trim).filter(|w| !w.is_empty()).map(str::to_owned);
            (permission.to_owned(), workspace)
        }
        None => {
            let Ok(original) = one_reading([text("x-original-uri"), text("x-forwarded-uri"), envoy_path]) else {
                return refuse("conflicting_request");
            };
            let own = envoy_path.map(|_| method.as_str());
            let Ok(verb) = one_reading([text("x-original-method"), text("x-forwarded-method"), own]) else {
                return refuse("conflicting_request");
            };
            // nginx's subrequest is a GET whatever the original was: without
            // the original method and URI nothing can be matched.
            let (Some(original), Some(verb)) = (original, verb) else {
                return refuse("no_original_request");
            };
            let host = text("x-forwarded-host").or_else(|| text("host"));
            match state.config.forward_routes.needed(verb, original, host) {
                Ok(needed) => (needed.permission.to_owned(), needed.workspace),
                Err(undecided) => return refuse(undecided.reason()),
            }
        }
    };
    let workspace = workspace.as_deref();
    let allowed = decisions::check_self(&state, &actor, &permission, workspace)?;
    state.metrics.answered(u64::from(allowed), u64::from(!allowed));
    state.metrics.check_took(CheckEndpoint::Forward, started.elapsed().as_secs_f64());
    if !allowed {
        return refuse("no_permission");
    }
    let mut response = StatusCode::OK.into_response();
    let headers = response.headers_mut();
    // Ids, keys and normalised emails are header-safe; a value that is not
    // is left out rather than answered wrongly.
    for (name, value) in [
        ("x-portcullis-user", Some(actor.id.to_string())),
        ("x-portcullis-email", Some(actor.email.to_string())),
        ("x-portcullis-workspace", workspace.map(str::to_owned)),
    ] {
        if let Some(value) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
            headers.insert(name, value);
        }
    }
    Ok(response)
}

/// `POST /authz/forward`: as the GET, for a gateway that sends its
/// subrequest as a POST (the body is not read).
#[utoipa::path(post, path = "/api/v1/authz/forward", tag = "authz", operation_id = "forward_post", params(ForwardQuery), responses((status = 200, description = "Allowed, with no body (as the GET)", headers(("X-Portcullis-User" = String, description = "The caller's user id"), ("X-Portcullis-Email" = String, description = "The caller's email"), ("X-Portcullis-Workspace" = String, description = "The workspace asked about, when one was"))), (status = 401, description = "No valid credential", headers(("WWW-Authenticate" = String))), (status = 403, description = "Denied, with no body (as the GET)", headers(("X-Portcullis-Reason" = String))), (status = 400, description = "The permission is not in the catalog", body = ErrorBody), (status = 503, description = "No answer from this process now", body = ErrorBody)))]
pub async fn forward_post(
    state: State<AppState>,
    caller: Result<SignedIn, AppError>,
    method: axum::http::Method,
    uri: axum::extract::OriginalUri,
    headers: axum::http::HeaderMap,
    query: Result<axum::extract::Query<ForwardQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<axum::response::Response, AppError> {
    forward(state, caller, method, uri, headers, query).await
}

/// `POST /authz/check`.
#[utoipa::path(post, path = "/api/v1/authz/check", tag = "authz", request_body = PrincipalCheck, responses((status = 200, body = CheckResponse), (status = 503, description = "No answer from this process now: `index_loading`, `index_stale` (it lost the database for longer than allowed; fails closed) or `revision_unavailable` (`at_least_revision` not reached in time). Retry, or ask another process", body = ErrorBody), (status = 409, description = "`revision_unknown`: no write has made `at_least_revision` yet", body = ErrorBody)))]
pub async fn check(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiJson(body): ApiJson<PrincipalCheck>,
) -> Result<Json<CheckResponse>, AppError> {
    let started = std::time::Instant::now();
    decisions::reach_revision(&state, body.at_least_revision).await?;
    let answer = decisions::check_principal(&state, &actor, &body).await?;
    state.metrics.answered(u64::from(answer.allowed), u64::from(!answer.allowed));
    state.metrics.check_took(CheckEndpoint::Check, started.elapsed().as_secs_f64());
    Ok(Json(answer))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct BatchBody {
    #[schema(max_items = 1000)]
    checks: Vec<CheckRequest>,
    /// As for `/authz/check`: answer only once this revision is applied.
    #[serde(default, deserialize_with = "app::server::http::whole_number")]
    #[schema(minimum = 0)]
    at_least_revision: Option<i64>,
}

/// The answers of a batch, in the order asked.
#[derive(Serialize, utoipa::ToSchema)]
pub struct BatchAnswers {
    results: Vec<CheckResponse>,
}

/// `POST /authz/check-batch`: answers in the order asked.
#[utoipa::path(post, path = "/api/v1/authz/check-batch", tag = "authz", request_body = BatchBody, responses((status = 200, description = "`{\"results\":[…]}`, one CheckResponse per question, in order", body = BatchAnswers), (status = 503, description = "No answer from this process now: `index_loading`, `index_stale` (it lost the database for longer than allowed; fails closed) or `revision_unavailable` (`at_least_revision` not reached in time). Retry, or ask another process", body = ErrorBody), (status = 409, description = "`revision_unknown`: no write has made `at_least_revision` yet", body = ErrorBody)))]
pub async fn check_batch(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    ApiJson(body): ApiJson<BatchBody>,
) -> Result<Json<BatchAnswers>, AppError> {
    if body.checks.len() > 1000 {
        return Err(AppError::invalid("checks", "at most 1000 checks per batch"));
    }
    let started = std::time::Instant::now();
    decisions::reach_revision(&state, body.at_least_revision).await?;
    let results = decisions::check_batch(&state, &actor, &body.checks)?;
    let allowed = results.iter().filter(|r| r.allowed).count() as u64;
    state.metrics.answered(allowed, results.len() as u64 - allowed);
    state.metrics.check_took(CheckEndpoint::Batch, started.elapsed().as_secs_f64());
    Ok(Json(BatchAnswers { results }))
}
