//! `GET /api/v1/openapi.json`: the OpenAPI 3 document, generated from the
//! handlers' `#[utoipa::path]` attributes and the types they exchange.

use axum::{extract::State, Json};

use app::server::AppState;
use utoipa::OpenApi;

use super::{audit, auth, authz, invitations, permissions, policies, roles, teams, tokens, users, workspaces};

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
        auth::login, auth::logout, auth::me, auth::update_me,
        permissions::permissions,
        roles::list_roles, roles::create_role, roles::get_role, roles::update_role, roles::delete_role,
        users::list_users, users::create_user, users::get_user, users::update_user, users::delete_user,
        users::effective_permissions,
        workspaces::list_workspaces, workspaces::create_workspace, workspaces::get_workspace, workspaces::update_workspace,
        workspaces::delete_workspace,
        teams::list_teams, teams::create_team, teams::get_team, teams::update_team, teams::delete_team,
        teams::list_members, teams::put_member, teams::remove_member,
        policies::list_policies, policies::create_policy, policies::delete_policy,
        authz::check, authz::check_batch,
        audit::list_audit, audit::export_audit,
        invitations::list, invitations::create, invitations::resend, invitations::revoke, invitations::accept,
        tokens::list_mine, tokens::create, tokens::revoke_mine, tokens::list_of_user, tokens::revoke_of_user,
        tokens::list_sessions, tokens::end_session,
        tokens::list_service_accounts, tokens::create_service_account, tokens::create_service_account_token,
    ),
    components(schemas(app::server::store::audit::AuditRow, app::domain::EffectivePermission, app::domain::GrantView)),
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
