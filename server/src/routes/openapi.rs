//! `GET /api/v1/openapi.json`: the OpenAPI 3 document, generated from the
//! handlers' `#[utoipa::path]` attributes and the types they exchange.

use axum::{extract::State, Json};

use app::server::AppState;
use utoipa::OpenApi;

use super::{audit, authz, invitations, permissions, policies, roles, session, teams, tokens, users, workspaces};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Portcullis API",
        description = "Users, roles, teams, workspaces, policies, authorization checks and the audit log. \
                       Authenticate with the session cookie from POST /api/v1/auth/login, or with an API token as Authorization: Bearer pcs_…. Errors are \
                       {\"error\":{\"code\",\"message\"}}; lists take limit and cursor and return \
                       {\"items\",\"next_cursor\"}."
    ),
    paths(
        session::login, session::logout, session::me, session::update_me,
        permissions::permissions,
        roles::list_roles, roles::create_role, roles::get_role, roles::update_role, roles::delete_role,
        users::list_users, users::create_user, users::get_user, users::update_user, users::delete_user,
        users::effective_permissions,
        workspaces::list_workspaces, workspaces::create_workspace, workspaces::get_workspace, workspaces::update_workspace,
        workspaces::delete_workspace,
        teams::list_teams, teams::create_team, teams::get_team, teams::update_team, teams::delete_team,
        teams::list_members, teams::put_member, teams::remove_member,
        policies::list_policies, policies::create_policy, policies::delete_policy,
        authz::check, authz::check_batch, authz::forward, authz::forward_post,
        audit::list_audit, audit::export_audit,
        invitations::list, invitations::create, invitations::resend, invitations::revoke, invitations::accept,
        tokens::list_mine, tokens::create, tokens::revoke_mine, tokens::list_of_user, tokens::revoke_of_user,
        tokens::list_sessions, tokens::end_session,
        tokens::list_service_accounts, tokens::create_service_account, tokens::create_service_account_token,
    ),
    components(schemas(
        app::server::http::ErrorBody,
        app::domain::AuditEntryView,
        app::domain::EffectivePermission,
        app::domain::GrantView
    )),
    tags(
        (name = "auth", description = "Signing in and out"),
        (name = "authz", description = "Authorization checks and explanations"),
        (name = "users"), (name = "roles"), (name = "teams"), (name = "workspaces"), (name = "policies"),
        (name = "audit", description = "The audit log (audit:read)"),
        (name = "access", description = "The permission catalog"),
        (name = "invitations", description = "Inviting people by email (invite:manage) and accepting"),
        (name = "tokens", description = "Personal API tokens: send them as Authorization: Bearer pcs_…"),
        (name = "service-accounts", description = "Non-human principals with policies and tokens (user:manage)"),
    )
)]
pub struct ApiDoc;

/// The document, built once per request (it is small and rarely asked for),
/// with this process's limits where they are configurable.
pub async fn document(State(state): State<AppState>) -> Json<serde_json::Value> {
    let mut document = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    let max_days = state.config.token_max_lifetime.as_secs() / 86_400;
    if let Some(variants) = document.pointer_mut("/components/schemas/TokenBody/oneOf").and_then(|v| v.as_array_mut()) {
        for variant in variants {
            if let Some(days) = variant.pointer_mut("/properties/expires_in_days/maximum") {
                *days = max_days.max(1).into();
            }
        }
    }
    declare_shared(&mut document);
    // A query string or header cannot carry JSON null: an optional one is
    // left out, so its schema is the value's type alone.
    if let Some(paths) = document.get_mut("paths").and_then(|p| p.as_object_mut()) {
        for operation in paths.values_mut().filter_map(|p| p.as_object_mut()).flat_map(|p| p.values_mut()) {
            let Some(parameters) = operation.get_mut("parameters").and_then(|p| p.as_array_mut()) else { continue };
            for parameter in parameters {
                if let Some(types) = parameter.pointer_mut("/schema/type").and_then(|t| t.as_array_mut()) {
                    types.retain(|t| t != "null");
                    if types.len() == 1 {
                        let only = types[0].clone();
                        parameter["schema"]["type"] = only;
                    }
                }
            }
        }
    }
    Json(document)
}

/// The operations whose resource carries a version (`ETag`, `If-Match`).
const VERSIONED: &[&str] = &[
    "/api/v1/me",
    "/api/v1/roles/{key}",
    "/api/v1/users/{id}",
    "/api/v1/workspaces/{key}",
    "/api/v1/teams/{key}",
    "/api/v1/teams/{key}/members/{user_id}",
];

/// What every operation of a kind answers or takes, declared once here
/// instead of in each handler's attribute: the error answers (401, 403,
/// 429, 400 with input, 404 with a path id, 413 with a body, 412 with
/// `If-Match`, 409 and 422 on creates) and the `Idempotency-Key` and
/// `If-Match` headers. An operation that says more about one of them (a
/// 403 for a token, a 409 naming its conflict) keeps its own words.
fn declare_shared(document: &mut serde_json::Value) {
    use serde_json::json;
    let error = |description: &str| {
        json!({
            "description": description,
            "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ErrorBody" } } }
        })
    };
    let Some(paths) = document.get_mut("paths").and_then(|p| p.as_object_mut()) else { return };
    for (path, operations) in paths.iter_mut() {
        let Some(operations) = operations.as_object_mut() else { continue };
        for (method, operation) in operations.iter_mut() {
            let public = path == "/api/v1/auth/login";
            let creates = method == "post" && !path.contains("/authz/") && !path.contains("/auth/");
            let versioned = matches!(method.as_str(), "patch" | "put" | "delete") && VERSIONED.contains(&path.as_str());
            let mut parameters = operation["parameters"].as_array().cloned().unwrap_or_default();
            if creates {
                parameters.insert(0, json!({
                    "name": "Idempotency-Key", "in": "header", "required": false,
                    "description": "Send it again with a retry: the first answer is replayed (for 24 hours) instead of creating twice",
                    "schema": { "type": "string", "pattern": "^[!-~]{1,255}$" }
                }));
            }
            if versioned {
                parameters.push(json!({
                    "name": "If-Match", "in": "header", "required": false,
                    "description": "The ETag of the GET this change was made from: the change applies only to that version, else 412",
                    "schema": { "type": "string", "pattern": r#"^\s*(\*|("[0-9]{1,18}"(\s*,\s*"[0-9]{1,18}")*)?)\s*$"# }
                }));
            }
            let takes_input = operation.get("requestBody").is_some() || !parameters.is_empty();
            if !parameters.is_empty() {
                operation["parameters"] = parameters.into();
            }
            let has_body = operation.get("requestBody").is_some();
            let Some(responses) = operation.get_mut("responses").and_then(|r| r.as_object_mut()) else { continue };
            let mut add = |status: &str, description: &str| {
                responses.entry(status.to_owned()).or_insert_with(|| error(description));
            };
            if !public {
                add("401", "Not signed in");
                add("429", "Too many refused requests (or failed sign-ins): wait Retry-After seconds");
                if path != "/api/v1/me" && path != "/api/v1/auth/logout" {
                    add("403", "Not allowed");
                }
            }
            if takes_input {
                add("400", "Invalid input; the fields are named");
            }
            if path.contains('{') || path == "/api/v1/invitations/accept" {
                add("404", "No such thing, or none you may see");
            }
            if has_body {
                add("413", "The body is over the limit: 16 KiB, 256 KiB for invitations and check batches");
            }
            if versioned {
                add(
                    "412",
                    "Changed since that version: `current_version` and `current` show it as it is now (also as `ETag`)",
                );
            }
            if creates {
                add("422", "This Idempotency-Key came with another request");
                add(
                    "409",
                    "A conflict with what exists; for a create sent with an Idempotency-Key, also: the first request with that key is still running",
                );
            }
        }
    }
}
