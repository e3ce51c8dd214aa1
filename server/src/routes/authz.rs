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
        .route("/authz/forward", axum::routing::get(forward).post(forward))
}

/// What a gateway asks explicitly: `?permission=endpoint:invoke&workspace=ml`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ForwardQuery {
    /// The permission the request needs.
    permission: Option<String>,
    /// The workspace it is asked in; absent or blank for a global question.
    workspace: Option<String>,
}

/// The header that says why a gateway's request was refused.
const REASON: &str = "x-portcullis-reason";

/// `GET|POST /authz/forward`: a gateway's subrequest (nginx `auth_request`,
/// Traefik `ForwardAuth`, Envoy `ext_authz`) for the request it holds. The
/// caller is the request's own credential (`Authorization: Bearer` API
/// token, or the session cookie). Answers 200 with `X-Portcullis-User`,
/// `-Email` and `-Workspace` for the upstream, 401 with `WWW-Authenticate`
/// without a valid credential, 403 with `X-Portcullis-Reason` when denied.
/// No body: the gateway reads the status and headers only.
#[utoipa::path(get, path = "/api/v1/authz/forward", tag = "authz", params(ForwardQuery), responses((status = 200, description = "Allowed, with no body: the headers name who and where, for the upstream", headers(("X-Portcullis-User" = String, description = "The caller's user id"), ("X-Portcullis-Email" = String, description = "The caller's email"), ("X-Portcullis-Workspace" = String, description = "The workspace asked about, when one was"))), (status = 401, description = "No valid credential", headers(("WWW-Authenticate" = String, description = "`Bearer realm=\"portcullis\"`"))), (status = 403, description = "Denied, with no body", headers(("X-Portcullis-Reason" = String, description = "`no_permission` (the caller or its token does not hold it there) or `no_rule` (nothing says what to ask)"))), (status = 400, description = "The permission is not in the catalog", body = ErrorBody), (status = 503, description = "No answer from this process now (`index_loading`, `index_stale`, `catalog_mismatch`)", body = ErrorBody)))]
pub async fn forward(
    State(state): State<AppState>,
    caller: Result<SignedIn, AppError>,
    axum::extract::Query(query): axum::extract::Query<ForwardQuery>,
) -> Result<axum::response::Response, AppError> {
    use axum::http::{header, HeaderValue, StatusCode};
    use axum::response::IntoResponse;
    let started = std::time::Instant::now();
    let actor = match caller {
        Ok(SignedIn(actor)) => actor,
        Err(AppError::Unauthenticated { .. }) => {
            return Ok((StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, r#"Bearer realm="portcullis""#)])
                .into_response());
        }
        Err(other) => return Err(other),
    };
    let Some(permission) = query.permission.as_deref().map(str::trim).filter(|p| !p.is_empty()) else {
        // Fail closed: a request nothing says how to check is refused.
        return Ok((StatusCode::FORBIDDEN, [(REASON, "no_rule")]).into_response());
    };
    let workspace = query.workspace.as_deref().map(str::trim).filter(|w| !w.is_empty());
    let allowed = decisions::check_self(&state, &actor, permission, workspace)?;
    state.metrics.answered(u64::from(allowed), u64::from(!allowed));
    state.metrics.check_took(CheckEndpoint::Forward, started.elapsed().as_secs_f64());
    if !allowed {
        return Ok((StatusCode::FORBIDDEN, [(REASON, "no_permission")]).into_response());
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
