//! `/permissions`: the permission catalog.

use axum::{Json, Router};
use serde::Serialize;

use super::answers::Page;
use app::{domain::Permission, server::AppState};

/// The routes of this resource, under `/api/v1`.
pub fn router() -> Router<AppState> {
    use axum::routing::get;
    Router::new().route("/permissions", get(permissions))
}

/// One permission of the installed catalog.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CatalogEntry {
    #[schema(example = "endpoint:invoke")]
    key: &'static str,
    description: &'static str,
    scope: app::domain::ScopeKind,
    /// The resource's key and its name for people.
    #[schema(example = "endpoint")]
    resource: &'static str,
    #[schema(example = "Inference endpoints")]
    resource_name: &'static str,
    /// Portcullis's own (users, roles, teams, workspaces, policies,
    /// invitations, audit, settings) rather than the platform's.
    builtin: bool,
    /// Other keys the catalog accepts for it (Adaptive's `admin:manage_users`).
    aliases: Vec<&'static str>,
}

/// `GET /permissions`: the catalog.
#[utoipa::path(get, path = "/api/v1/permissions", tag = "access", responses((status = 200, description = "The installed permission catalog (setting `catalog`): Portcullis's own permissions, then the platform's, each with its scope (global or workspace), resource and aliases", body = Page<CatalogEntry>)))]
pub async fn permissions() -> Json<Page<CatalogEntry>> {
    Json(Page::whole(
        Permission::all()
            .iter()
            .map(|p| CatalogEntry {
                key: p.key(),
                description: p.description(),
                scope: p.scope(),
                resource: p.resource(),
                resource_name: p.resource_name(),
                builtin: p.is_builtin(),
                aliases: p.aliases().collect(),
            })
            .collect(),
    ))
}
