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

/// One permission of the catalog.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CatalogEntry {
    #[schema(example = "endpoint:invoke")]
    key: &'static str,
    description: &'static str,
    scope: app::domain::ScopeKind,
}

/// `GET /permissions`: the catalog.
#[utoipa::path(get, path = "/api/v1/permissions", tag = "access", responses((status = 200, description = "The permission catalog: key, description, scope (global or workspace)", body = Page<CatalogEntry>)))]
pub async fn permissions() -> Json<Page<CatalogEntry>> {
    Json(Page::whole(
        Permission::ALL
            .iter()
            .map(|p| CatalogEntry { key: p.key(), description: p.description(), scope: p.scope() })
            .collect(),
    ))
}
