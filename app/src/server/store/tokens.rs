//! The `api_tokens` table.

use sqlx::any::AnyRow;

use super::{Conn, StoreError};
use crate::domain::{PermissionSet, UserId, WorkspaceKey};

/// A stored token (its secret only as a hash).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct TokenRow {
    #[sqlx(try_from = "String")]
    pub id: uuid::Uuid,
    pub user_id: UserId,
    pub name: String,
    pub prefix: String,
    /// `developer`, `endpoint` or `custom`.
    pub scope: String,
    pub permissions: PermissionSet,
    #[sqlx(rename = "workspace_key")]
    pub workspace: Option<WorkspaceKey>,
    pub created_at: i64,
    pub expires_at: i64,
    pub last_used_at: Option<i64>,
    pub last_used_address: Option<String>,
    pub revoked_at: Option<i64>,
}

const COLUMNS: &str = "id, user_id, name, prefix, scope, permissions, workspace_key, created_at, expires_at, \
                       last_used_at, last_used_address, revoked_at";

fn from_row(row: &AnyRow) -> Result<TokenRow, StoreError> {
    Ok(sqlx::FromRow::from_row(row)?)
}

/// Stores a new token.
pub async fn insert(conn: &mut Conn, token: &TokenRow, secret_hash: &str) -> Result<(), StoreError> {
    let keys: Vec<&str> = token.permissions.iter().map(|p| p.key()).collect();
    sqlx::query(
        "insert into api_tokens (id, user_id, name, prefix, secret_hash, scope, permissions, workspace_key, \
         created_at, expires_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(token.id.to_string())
    .bind(token.user_id.to_string())
    .bind(token.name.clone())
    .bind(token.prefix.clone())
    .bind(secret_hash.to_owned())
    .bind(token.scope.clone())
    .bind(keys.join(" "))
    .bind(token.workspace.as_ref().map(ToString::to_string))
    .bind(token.created_at)
    .bind(token.expires_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The token whose secret hashes to `secret_hash`.
pub async fn find_by_secret(conn: &mut Conn, secret_hash: &str) -> Result<Option<TokenRow>, StoreError> {
    let row = sqlx::query(&format!("select {COLUMNS} from api_tokens where secret_hash = $1"))
        .bind(secret_hash.to_owned())
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// A user's tokens, newest first.
pub async fn list_for(conn: &mut Conn, user: UserId) -> Result<Vec<TokenRow>, StoreError> {
    let rows =
        sqlx::query(&format!("select {COLUMNS} from api_tokens where user_id = $1 order by created_at desc, id"))
            .bind(user.to_string())
            .fetch_all(&mut *conn)
            .await?;
    rows.iter().map(from_row).collect()
}

/// Revokes a token of `user`; `false` when there is no such live token.
pub async fn revoke(conn: &mut Conn, user: UserId, id: uuid::Uuid, now: i64) -> Result<bool, StoreError> {
    let done =
        sqlx::query("update api_tokens set revoked_at = $3 where id = $1 and user_id = $2 and revoked_at is null")
            .bind(id.to_string())
            .bind(user.to_string())
            .bind(now)
            .execute(&mut *conn)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// Records a use.
pub async fn touch(conn: &mut Conn, id: uuid::Uuid, now: i64, address: Option<String>) -> Result<(), StoreError> {
    sqlx::query("update api_tokens set last_used_at = $2, last_used_address = $3 where id = $1")
        .bind(id.to_string())
        .bind(now)
        .bind(address)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
