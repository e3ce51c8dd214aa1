//! The `users` table.

use sqlx::Row;

use super::{Conn, StoreError};
use crate::domain::{DisplayName, Email, UserId, UserStatus, UserView};

/// A row of `users`.
#[derive(Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: UserId,
    pub email: Email,
    pub name: String,
    pub status: UserStatus,
    pub password_hash: Option<String>,
    pub created_at: i64,
    pub last_seen_at: Option<i64>,
    /// `human` or `service`.
    pub kind: String,
    pub avatar_url: Option<String>,
    /// Who chose the password (see [`PasswordOrigin`]); `None` without one.
    pub password_set_by: Option<PasswordOrigin>,
    /// When the mailbox was proven (invitation link, provider-verified email).
    pub email_verified_at: Option<i64>,
    /// The password is an administrator's one-time password: signing in
    /// with it needs a new one of the user's own.
    #[sqlx(try_from = "super::columns::Flag")]
    pub password_must_change: bool,
    /// Changes with every edit of name or status (see [`crate::domain::Expected`]).
    pub version: i64,
}

impl std::fmt::Debug for UserRow {
    // The password hash stays out of logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserRow")
            .field("id", &self.id)
            .field("email", &self.email)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

impl UserRow {
    /// What callers may see.
    pub fn view(&self) -> UserView {
        UserView {
            id: self.id,
            email: self.email.clone(),
            name: self.name.clone(),
            status: self.status,
            created_at: self.created_at,
            last_seen_at: self.last_seen_at,
            kind: self.kind.clone(),
            avatar_url: self.avatar_url.clone(),
            version: self.version,
        }
    }
}

/// Who chose an account's password.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasswordOrigin {
    /// The user themselves (invitation sign-up, My account).
    Own,
    /// The operator (first admin, the CLI).
    Operator,
    /// Another user, who created the account with it.
    Admin,
}

impl PasswordOrigin {
    fn as_str(self) -> &'static str {
        match self {
            Self::Own => "self",
            Self::Operator => "operator",
            Self::Admin => "admin",
        }
    }

    pub(in crate::server::store) fn parse(text: &str) -> Result<Self, StoreError> {
        match text {
            "self" => Ok(Self::Own),
            "operator" => Ok(Self::Operator),
            "admin" => Ok(Self::Admin),
            other => Err(StoreError::Corrupt(format!("users.password_set_by holds {other:?}"))),
        }
    }
}

/// What is needed to insert a user.
pub struct NewUser {
    pub email: Email,
    pub name: DisplayName,
    /// The hash and who chose the password.
    pub password: Option<(String, PasswordOrigin)>,
    /// Whether the mailbox is proven as the account is made.
    pub email_verified: bool,
}

pub(super) const COLUMNS: &str = "id, email, name, status, password_hash, created_at, last_seen_at, kind, avatar_url, \
                       password_set_by, email_verified_at, password_must_change, version";

pub(super) fn from_row(row: &sqlx::any::AnyRow) -> Result<UserRow, StoreError> {
    Ok(sqlx::FromRow::from_row(row)?)
}

/// Inserts an active user; a taken email is a unique violation on `users.email`.
pub async fn insert(conn: &mut Conn, new: NewUser, now: i64) -> Result<UserRow, StoreError> {
    let id = UserId::new();
    let (hash, origin) = new.password.map(|(hash, origin)| (hash, origin.as_str())).unzip();
    sqlx::query(
        "insert into users (id, email, name, status, password_hash, password_set_by, email_verified_at, created_at) \
         values ($1, $2, $3, 'active', $4, $5, $6, $7)",
    )
    .bind(id.to_string())
    .bind(new.email.as_str().to_owned())
    .bind(new.name.as_str().to_owned())
    .bind(hash)
    .bind(origin.map(str::to_owned))
    .bind(new.email_verified.then_some(now))
    .bind(now)
    .execute(&mut *conn)
    .await?;
    find_by_id(conn, id).await?.ok_or_else(|| StoreError::Corrupt("inserted user vanished".into()))
}

/// The user with this id.
pub async fn find_by_id(conn: &mut Conn, id: UserId) -> Result<Option<UserRow>, StoreError> {
    let row = sqlx::query(&format!("select {COLUMNS} from users where id = $1"))
        .bind(id.to_string())
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// The users with these ids (missing ones are left out), in no order.
pub async fn find_many(conn: &mut Conn, ids: &[UserId]) -> Result<Vec<UserRow>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!("select {COLUMNS} from users where id in ({})", placeholders.join(", "));
    let mut query = sqlx::query(&sql);
    for id in ids {
        query = query.bind(id.to_string());
    }
    query.fetch_all(&mut *conn).await?.iter().map(from_row).collect()
}

/// The user with this (normalised) email.
pub async fn find_by_email(conn: &mut Conn, email: &Email) -> Result<Option<UserRow>, StoreError> {
    let row = sqlx::query(&format!("select {COLUMNS} from users where email = $1"))
        .bind(email.as_str().to_owned())
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// How many users there are, per status: `(active, disabled)`.
pub async fn count_by_status(conn: &mut Conn) -> Result<(i64, i64), StoreError> {
    let rows = sqlx::query("select status, count(*) as n from users group by status").fetch_all(&mut *conn).await?;
    let (mut active, mut disabled) = (0, 0);
    for row in rows {
        let status: String = row.try_get("status")?;
        let n: i64 = row.try_get("n")?;
        match status.parse().map_err(StoreError::Corrupt)? {
            UserStatus::Active => active = n,
            UserStatus::Disabled => disabled = n,
        }
    }
    Ok((active, disabled))
}

/// Renames a user; `false` when there is no such user.
pub async fn update_name(conn: &mut Conn, id: UserId, name: &DisplayName) -> Result<bool, StoreError> {
    let done = sqlx::query("update users set name = $1 where id = $2")
        .bind(name.as_str().to_owned())
        .bind(id.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks a user's email as proven (kept when it already was).
pub async fn mark_email_verified(conn: &mut Conn, id: UserId, now: i64) -> Result<(), StoreError> {
    sqlx::query("update users set email_verified_at = coalesce(email_verified_at, $1) where id = $2")
        .bind(now)
        .bind(id.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Removes a user's password (they sign in another way).
pub async fn clear_password(conn: &mut Conn, id: UserId) -> Result<(), StoreError> {
    sqlx::query(
        "update users set password_hash = null, password_set_by = null, password_must_change = 0 where id = $1",
    )
    .bind(id.to_string())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Replaces a user's password hash; `false` when there is no such user.
pub async fn set_password_hash(
    conn: &mut Conn,
    id: UserId,
    hash: &str,
    origin: PasswordOrigin,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "update users set password_hash = $1, password_set_by = $2, password_must_change = 0 where id = $3",
    )
    .bind(hash.to_owned())
    .bind(origin.as_str().to_owned())
    .bind(id.to_string())
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Gives a user a one-time password an administrator chose: the next
/// sign-in with it must set a new one.
pub async fn set_one_time_password(conn: &mut Conn, id: UserId, hash: &str) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "update users set password_hash = $1, password_set_by = 'admin', password_must_change = 1 where id = $2",
    )
    .bind(hash.to_owned())
    .bind(id.to_string())
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records that the user was seen now.
pub async fn touch_last_seen(conn: &mut Conn, id: UserId, now: i64) -> Result<(), StoreError> {
    sqlx::query("update users set last_seen_at = $1 where id = $2")
        .bind(now)
        .bind(id.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The order of a user list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum UserOrder {
    /// By email (the default).
    #[default]
    Email,
    /// By name, then email.
    Name,
    /// Newest first.
    Newest,
}

impl std::str::FromStr for UserOrder {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "email" => Ok(Self::Email),
            "name" => Ok(Self::Name),
            "newest" => Ok(Self::Newest),
            _ => Err("sort by email, name or newest".to_owned()),
        }
    }
}

/// Users whose email or name contains `query` (any case), in `order`, after
/// the user with the email `after` (a cursor), at most `limit`.
pub async fn list(
    conn: &mut Conn,
    query: &str,
    status: Option<UserStatus>,
    order: UserOrder,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<UserRow>, StoreError> {
    let mut conditions = super::Conditions::new();
    if let Some(after) = after {
        // Keyset paging: the cursor row's own sort key, so a page never
        // repeats or skips a row whatever the order.
        conditions.text(after, |p| match order {
            UserOrder::Email => format!("email > {p}"),
            UserOrder::Name => format!("(name, email) > (select name, email from users where email = {p})"),
            UserOrder::Newest => {
                format!("(created_at, email) < (select created_at, email from users where email = {p})")
            }
        });
    }
    if !query.trim().is_empty() {
        conditions.text(super::like_pattern(query), |p| {
            format!("(email like {p} escape '\\' or lower(name) like {p} escape '\\')")
        });
    }
    if let Some(status) = status {
        conditions.text(status.as_str(), |p| format!("status = {p}"));
    }
    let order_by = match order {
        UserOrder::Email => "email",
        UserOrder::Name => "name, email",
        UserOrder::Newest => "created_at desc, email desc",
    };
    let limit = conditions.extra(limit);
    let sql = format!("select {COLUMNS} from users{} order by {order_by} limit {limit}", conditions.where_clause());
    conditions.fetch_all(conn, &sql).await?.iter().map(from_row).collect()
}

/// Sets a user's status; `false` when there is no such user.
pub async fn set_status(conn: &mut Conn, id: UserId, status: UserStatus) -> Result<bool, StoreError> {
    let done = sqlx::query("update users set status = $1 where id = $2")
        .bind(status.as_str())
        .bind(id.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Deletes a user row (sessions, memberships and policies cascade).
pub async fn delete(conn: &mut Conn, id: UserId) -> Result<(), StoreError> {
    sqlx::query("delete from users where id = $1").bind(id.to_string()).execute(&mut *conn).await?;
    Ok(())
}

/// The user a provider's account (`provider`, `subject`) signs in as.
pub async fn find_by_identity(conn: &mut Conn, provider: &str, subject: &str) -> Result<Option<UserRow>, StoreError> {
    let row = sqlx::query(&format!(
        "select {} from users where id = (select user_id from identities where provider = $1 and subject = $2)",
        COLUMNS
    ))
    .bind(provider.to_owned())
    .bind(subject.to_owned())
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// Links a provider's account to a user.
pub async fn insert_identity(
    conn: &mut Conn,
    provider: &str,
    subject: &str,
    user: UserId,
    email: &str,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query("insert into identities (provider, subject, user_id, email, created_at) values ($1, $2, $3, $4, $5)")
        .bind(provider.to_owned())
        .bind(subject.to_owned())
        .bind(user.to_string())
        .bind(email.to_owned())
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A user's linked sign-in identities: (provider, email, linked at).
pub async fn identities_of(conn: &mut Conn, user: UserId) -> Result<Vec<(String, String, i64)>, StoreError> {
    let rows = sqlx::query("select provider, email, created_at from identities where user_id = $1 order by provider")
        .bind(user.to_string())
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(|r| Ok((r.try_get("provider")?, r.try_get("email")?, r.try_get("created_at")?))).collect()
}

/// Unlinks a user's identity of `provider`; `false` when there was none.
pub async fn delete_identity(conn: &mut Conn, user: UserId, provider: &str) -> Result<bool, StoreError> {
    let done = sqlx::query("delete from identities where user_id = $1 and provider = $2")
        .bind(user.to_string())
        .bind(provider.to_owned())
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Inserts a service account: active, no password, kind `service`.
pub async fn insert_service_account(
    conn: &mut Conn,
    email: &Email,
    name: &DisplayName,
    now: i64,
) -> Result<UserRow, StoreError> {
    let id = UserId::new();
    sqlx::query(
        "insert into users (id, email, name, status, created_at, kind) values ($1, $2, $3, 'active', $4, 'service')",
    )
    .bind(id.to_string())
    .bind(email.to_string())
    .bind(name.as_str().to_owned())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    find_by_id(conn, id).await?.ok_or_else(|| StoreError::Corrupt("a service account vanished on insert".into()))
}

/// Service accounts by email.
pub async fn list_service_accounts(conn: &mut Conn) -> Result<Vec<UserRow>, StoreError> {
    let rows = sqlx::query(&format!("select {COLUMNS} from users where kind = 'service' order by email"))
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(from_row).collect()
}

/// Sets or clears a user's picture.
pub async fn set_avatar(conn: &mut Conn, id: UserId, url: Option<&str>) -> Result<(), StoreError> {
    sqlx::query("update users set avatar_url = $1 where id = $2")
        .bind(url.map(str::to_owned))
        .bind(id.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(())
}
