//! What the database holds of the permission catalog: the catalog it runs
//! (`installed_catalog`), and the permission keys and token scopes that
//! roles and tokens store as text, read raw so that keys the running
//! catalog lacks are seen rather than dropped.

use sqlx::Row;

use super::{Conn, StoreError};

/// The catalog recorded as the installation's: what processes compare
/// (its JSON is kept beside it for operators, never read back).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recorded {
    pub name: String,
    pub fingerprint: String,
}

pub async fn recorded(conn: &mut Conn) -> Result<Option<Recorded>, StoreError> {
    let row =
        sqlx::query("select name, fingerprint from installed_catalog where id = 1").fetch_optional(&mut *conn).await?;
    row.map(|r| Ok(Recorded { name: r.try_get("name")?, fingerprint: r.try_get("fingerprint")? })).transpose()
}

pub async fn record(conn: &mut Conn, catalog: &Recorded, json: &str, now: i64) -> Result<(), StoreError> {
    sqlx::query(
        "insert into installed_catalog (id, name, fingerprint, catalog, installed_at) values (1, $1, $2, $3, $4) \
         on conflict (id) do update set name = excluded.name, fingerprint = excluded.fingerprint, \
         catalog = excluded.catalog, installed_at = excluded.installed_at",
    )
    .bind(catalog.name.clone())
    .bind(catalog.fingerprint.clone())
    .bind(json.to_owned())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A role as stored: its permission keys as text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredRole {
    pub key: String,
    pub name: String,
    pub builtin: bool,
    pub permissions: Vec<String>,
    /// Policies and pending invitations that name it.
    pub uses: i64,
}

pub async fn roles(conn: &mut Conn) -> Result<Vec<StoredRole>, StoreError> {
    let rows = sqlx::query(
        "select r.key, r.name, r.builtin, r.permissions, \
         (select count(*) from policies p where p.role_key = r.key) \
         + (select count(*) from invitations i where i.role_key = r.key and i.status = 'pending') as uses \
         from roles r order by r.key",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let text: String = r.try_get("permissions")?;
            Ok(StoredRole {
                key: r.try_get("key")?,
                name: r.try_get("name")?,
                builtin: r.try_get::<i64, _>("builtin")? != 0,
                permissions: text.split_whitespace().map(str::to_owned).collect(),
                uses: r.try_get("uses")?,
            })
        })
        .collect()
}

/// Writes a built-in role as the catalog defines it; its permissions are
/// kept as text too, so a later catalog without it can keep it as custom.
pub async fn put_builtin(
    conn: &mut Conn,
    key: &str,
    name: &str,
    description: &str,
    permissions: &str,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "insert into roles (key, name, description, permissions, builtin, created_at) values ($1, $2, $3, $4, 1, $5) \
         on conflict (key) do update set name = excluded.name, description = excluded.description, \
         permissions = excluded.permissions where roles.builtin = 1",
    )
    .bind(key.to_owned())
    .bind(name.to_owned())
    .bind(description.to_owned())
    .bind(permissions.to_owned())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Sets a role's stored permissions, and whether it is built in.
pub async fn set_role(conn: &mut Conn, key: &str, permissions: &str, builtin: bool) -> Result<(), StoreError> {
    sqlx::query("update roles set permissions = $1, builtin = $2 where key = $3")
        .bind(permissions.to_owned())
        .bind(i64::from(builtin))
        .bind(key.to_owned())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Deletes a built-in role nothing names.
pub async fn delete_builtin(conn: &mut Conn, key: &str) -> Result<(), StoreError> {
    sqlx::query("delete from roles where key = $1 and builtin = 1").bind(key.to_owned()).execute(&mut *conn).await?;
    Ok(())
}

/// A live token as stored: its scope and (custom) permission keys as text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredToken {
    pub id: String,
    pub name: String,
    pub owner_email: String,
    pub scope: String,
    pub permissions: Vec<String>,
}

/// Tokens not revoked (an expired one may not be renewed, but is listed).
pub async fn tokens(conn: &mut Conn) -> Result<Vec<StoredToken>, StoreError> {
    let rows = sqlx::query(
        "select t.id, t.name, u.email, t.scope, t.permissions from api_tokens t join users u on u.id = t.user_id \
         where t.revoked_at is null order by t.created_at, t.id",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let text: String = r.try_get("permissions")?;
            Ok(StoredToken {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                owner_email: r.try_get("email")?,
                scope: r.try_get("scope")?,
                permissions: text.split_whitespace().map(str::to_owned).collect(),
            })
        })
        .collect()
}

pub async fn set_token_permissions(conn: &mut Conn, id: &str, permissions: &str) -> Result<(), StoreError> {
    sqlx::query("update api_tokens set permissions = $1 where id = $2")
        .bind(permissions.to_owned())
        .bind(id.to_owned())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn revoke_token(conn: &mut Conn, id: &str, now: i64) -> Result<(), StoreError> {
    sqlx::query("update api_tokens set revoked_at = $1 where id = $2 and revoked_at is null")
        .bind(now)
        .bind(id.to_owned())
        .execute(&mut *conn)
        .await?;
    Ok(())
}
