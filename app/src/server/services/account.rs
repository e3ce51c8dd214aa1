//! What signed-in members change about themselves.

use crate::{
    domain::{DisplayName, UserView},
    error::AppError,
    server::store::users::{self, UserRow},
    server::AppState,
};

/// Renames the signed-in user.
pub async fn update_display_name(state: &AppState, actor: &UserRow, name: &str) -> Result<UserView, AppError> {
    let name = DisplayName::parse(name).map_err(|e| AppError::invalid("name", e.to_string()))?;
    let mut tx = state.db.begin().await?;
    if !users::update_name(&mut tx, actor.id, &name).await? {
        return Err(AppError::not_found(format!("user {}", actor.id)));
    }
    let updated =
        users::find_by_id(&mut tx, actor.id).await?.ok_or_else(|| AppError::not_found(format!("user {}", actor.id)))?;
    tx.commit().await.map_err(crate::server::store::StoreError::from)?;
    Ok(updated.view())
}
