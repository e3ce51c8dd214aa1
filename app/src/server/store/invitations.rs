//! The `invitations` and `outbox` tables.

use sqlx::{any::AnyRow, Row};

use super::{parse_id, Conn, StoreError};
use crate::domain::{Email, RoleKey, TeamKey, UserId, WorkspaceKey};

/// A stored invitation (its token only as a hash).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct InvitationRow {
    #[sqlx(try_from = "String")]
    pub id: uuid::Uuid,
    pub email: Email,
    #[sqlx(rename = "role_key")]
    pub role: RoleKey,
    #[sqlx(rename = "workspace_key")]
    pub workspace: Option<WorkspaceKey>,
    #[sqlx(rename = "team_key")]
    pub team: Option<TeamKey>,
    /// `pending`, `accepted` or `revoked`.
    pub status: String,
    pub invited_by: Option<UserId>,
    pub invited_by_email: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub accepted_by: Option<UserId>,
    pub finished_at: Option<i64>,
}

impl InvitationRow {
    /// Where the invited role applies.
    pub fn scope(&self) -> crate::domain::Scope {
        self.workspace.clone().map_or(crate::domain::Scope::Global, crate::domain::Scope::Workspace)
    }
}

const COLUMNS: &str = "id, email, role_key, workspace_key, team_key, status, invited_by, invited_by_email, \
                       created_at, expires_at, accepted_by, finished_at";

fn from_row(row: &AnyRow) -> Result<InvitationRow, StoreError> {
    Ok(sqlx::FromRow::from_row(row)?)
}

/// Stores a new pending invitation.
pub async fn insert(conn: &mut Conn, invitation: &InvitationRow, token_hash: &str) -> Result<(), StoreError> {
    sqlx::query(
        "insert into invitations (id, email, role_key, workspace_key, team_key, token_hash, status, invited_by, \
         invited_by_email, created_at, expires_at) values ($1, $2, $3, $4, $5, $6, 'pending', $7, $8, $9, $10)",
    )
    .bind(invitation.id.to_string())
    .bind(invitation.email.to_string())
    .bind(invitation.role.to_string())
    .bind(invitation.workspace.as_ref().map(ToString::to_string))
    .bind(invitation.team.as_ref().map(ToString::to_string))
    .bind(token_hash.to_owned())
    .bind(invitation.invited_by.map(|u| u.to_string()))
    .bind(invitation.invited_by_email.clone())
    .bind(invitation.created_at)
    .bind(invitation.expires_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// One invitation by id.
pub async fn find(conn: &mut Conn, id: uuid::Uuid) -> Result<Option<InvitationRow>, StoreError> {
    let row = sqlx::query(&format!("select {COLUMNS} from invitations where id = $1"))
        .bind(id.to_string())
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// The invitation whose token hashes to `token_hash`.
pub async fn find_by_token(conn: &mut Conn, token_hash: &str) -> Result<Option<InvitationRow>, StoreError> {
    let row = sqlx::query(&format!("select {COLUMNS} from invitations where token_hash = $1"))
        .bind(token_hash.to_owned())
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// The pending invitation of `email`, if any.
pub async fn find_pending_for(conn: &mut Conn, email: &Email) -> Result<Option<InvitationRow>, StoreError> {
    let row = sqlx::query(&format!("select {COLUMNS} from invitations where email = $1 and status = 'pending'"))
        .bind(email.to_string())
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// The emails of invitations that may still be accepted with `role`, at
/// most `limit`, and how many there are in all.
pub async fn pending_with_role(
    conn: &mut Conn,
    role: &RoleKey,
    now: i64,
    limit: i64,
) -> Result<(Vec<String>, i64), StoreError> {
    let rows = sqlx::query(
        "select email, count(*) over () as total from invitations \
         where role_key = $1 and status = 'pending' and expires_at >= $2 order by email limit $3",
    )
    .bind(role.to_string())
    .bind(now)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    let total = rows.first().map(|r| r.try_get::<i64, _>("total")).transpose()?.unwrap_or(0);
    let emails = rows.iter().map(|r| r.try_get::<String, _>("email")).collect::<Result<_, _>>()?;
    Ok((emails, total))
}

/// Gives a pending invitation a new token and expiry (the old link dies);
/// whoever renewed it is its inviter from now on.
pub async fn renew(
    conn: &mut Conn,
    id: uuid::Uuid,
    token_hash: &str,
    expires_at: i64,
    inviter: (crate::domain::UserId, &str),
) -> Result<(), StoreError> {
    sqlx::query(
        "update invitations set token_hash = $2, expires_at = $3, invited_by = $4, invited_by_email = $5 \
         where id = $1 and status = 'pending'",
    )
    .bind(id.to_string())
    .bind(token_hash.to_owned())
    .bind(expires_at)
    .bind(inviter.0.to_string())
    .bind(inviter.1.to_owned())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Ends a pending invitation: `accepted` (by `user`) or `revoked`. `false`
/// when it was not pending any more (someone else got there first).
pub async fn finish(
    conn: &mut Conn,
    id: uuid::Uuid,
    status: &str,
    user: Option<UserId>,
    now: i64,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "update invitations set status = $2, accepted_by = $3, finished_at = $4 where id = $1 and status = 'pending'",
    )
    .bind(id.to_string())
    .bind(status.to_owned())
    .bind(user.map(|u| u.to_string()))
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Which invitations to list.
#[derive(Clone, Debug, Default)]
pub struct InvitationFilter {
    /// Part of the invited email.
    pub query: String,
    pub status: Option<InvitationStatus>,
}

/// Where an invitation stands (an expired one is pending past its time).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InvitationStatus {
    Pending,
    Expired,
    Accepted,
    Revoked,
}

impl std::str::FromStr for InvitationStatus {
    type Err = &'static str;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "pending" => Ok(Self::Pending),
            "expired" => Ok(Self::Expired),
            "accepted" => Ok(Self::Accepted),
            "revoked" => Ok(Self::Revoked),
            _ => Err("use pending, expired, accepted or revoked"),
        }
    }
}

/// Invitations matching `filter`, newest first, after the invitation `after`.
pub async fn list(
    conn: &mut Conn,
    filter: &InvitationFilter,
    now: i64,
    after: Option<uuid::Uuid>,
    limit: i64,
) -> Result<Vec<InvitationRow>, StoreError> {
    let mut conditions = super::Conditions::new();
    if let Some(after) = after {
        conditions.text(after.to_string(), |p| {
            format!("(created_at, id) < (select created_at, id from invitations where id = {p})")
        });
    }
    if !filter.query.trim().is_empty() {
        conditions.text(super::like_pattern(&filter.query), |p| format!("email like {p} escape '\\'"));
    }
    match filter.status {
        Some(InvitationStatus::Pending) => {
            conditions.int(now, |p| format!("status = 'pending' and expires_at >= {p}"));
        }
        Some(InvitationStatus::Expired) => {
            conditions.int(now, |p| format!("status = 'pending' and expires_at < {p}"));
        }
        Some(InvitationStatus::Accepted) => {
            conditions.text("accepted", |p| format!("status = {p}"));
        }
        Some(InvitationStatus::Revoked) => {
            conditions.text("revoked", |p| format!("status = {p}"));
        }
        None => {}
    }
    let limit = conditions.extra(limit);
    let sql = format!(
        "select {COLUMNS} from invitations{} order by created_at desc, id desc limit {limit}",
        conditions.where_clause()
    );
    conditions.fetch_all(conn, &sql).await?.iter().map(from_row).collect()
}

/// A mail waiting in (or sent from) the outbox.
#[derive(Clone, Debug)]
pub struct OutboxRow {
    pub id: i64,
    pub to_address: String,
    pub subject: String,
    pub body: String,
    pub invitation_id: Option<uuid::Uuid>,
    /// `pending`, `sent` or `failed`.
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub next_attempt_at: i64,
    pub sent_at: Option<i64>,
}

const OUTBOX_COLUMNS: &str =
    "id, to_address, subject, body, invitation_id, status, attempts, last_error, created_at, next_attempt_at, sent_at";

fn outbox_from_row(row: &AnyRow) -> Result<OutboxRow, StoreError> {
    let invitation: Option<String> = row.try_get("invitation_id")?;
    Ok(OutboxRow {
        id: row.try_get("id")?,
        to_address: row.try_get("to_address")?,
        subject: row.try_get("subject")?,
        body: row.try_get("body")?,
        invitation_id: invitation.map(|i| parse_id("outbox.invitation_id", &i)).transpose()?,
        status: row.try_get("status")?,
        attempts: row.try_get("attempts")?,
        last_error: row.try_get("last_error")?,
        created_at: row.try_get("created_at")?,
        next_attempt_at: row.try_get("next_attempt_at")?,
        sent_at: row.try_get("sent_at")?,
    })
}

/// Queues a mail, to be sent as soon as possible.
pub async fn queue_mail(
    conn: &mut Conn,
    to: &str,
    subject: &str,
    body: &str,
    invitation: Option<uuid::Uuid>,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "insert into outbox (to_address, subject, body, invitation_id, status, created_at, next_attempt_at) \
         values ($1, $2, $3, $4, 'pending', $5, $5)",
    )
    .bind(to.to_owned())
    .bind(subject.to_owned())
    .bind(body.to_owned())
    .bind(invitation.map(|i| i.to_string()))
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Mails due for a (first or next) attempt.
pub async fn due_mail(conn: &mut Conn, now: i64, limit: i64) -> Result<Vec<OutboxRow>, StoreError> {
    let rows = sqlx::query(&format!(
        "select {OUTBOX_COLUMNS} from outbox where status = 'pending' and next_attempt_at <= $1 order by id limit $2"
    ))
    .bind(now)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(outbox_from_row).collect()
}

/// The mails about one invitation, newest first.
pub async fn mail_of(conn: &mut Conn, invitation: uuid::Uuid) -> Result<Vec<OutboxRow>, StoreError> {
    let rows = sqlx::query(&format!("select {OUTBOX_COLUMNS} from outbox where invitation_id = $1 order by id desc"))
        .bind(invitation.to_string())
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(outbox_from_row).collect()
}

/// The latest mail to the invitee of each of `invitations`.
pub async fn latest_mail_of(conn: &mut Conn, invitations: &[uuid::Uuid]) -> Result<Vec<OutboxRow>, StoreError> {
    if invitations.is_empty() {
        return Ok(Vec::new());
    }
    let mut conditions = super::Conditions::new();
    conditions.any_of(invitations.iter().map(ToString::to_string), |list| {
        format!(
            "id in (select max(o.id) from outbox o join invitations i on i.id = o.invitation_id \
             where o.to_address = i.email and o.invitation_id in ({list}) group by o.invitation_id)"
        )
    });
    let sql = format!("select {OUTBOX_COLUMNS} from outbox{}", conditions.where_clause());
    conditions.fetch_all(conn, &sql).await?.iter().map(outbox_from_row).collect()
}

/// Marks a mail sent, replacing its body with `body` (without the link).
pub async fn mail_sent(conn: &mut Conn, id: i64, body: &str, now: i64) -> Result<(), StoreError> {
    sqlx::query("update outbox set status = 'sent', body = $2, sent_at = $3, attempts = attempts + 1 where id = $1")
        .bind(id)
        .bind(body.to_owned())
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Records a failed attempt: tried again at `retry_at`, or given up
/// (`failed`, shown to administrators) when `retry_at` is `None`.
pub async fn mail_failed(conn: &mut Conn, id: i64, error: &str, retry_at: Option<i64>) -> Result<(), StoreError> {
    sqlx::query(
        "update outbox set attempts = attempts + 1, last_error = $2, \
         status = case when $3 = 0 then 'failed' else 'pending' end, next_attempt_at = $4 where id = $1",
    )
    .bind(id)
    .bind(error.to_owned())
    .bind(i64::from(retry_at.is_some()))
    .bind(retry_at.unwrap_or(0))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Puts failed mails of an invitation back in the queue.
pub async fn retry_failed(conn: &mut Conn, invitation: uuid::Uuid, now: i64) -> Result<u64, StoreError> {
    let done = sqlx::query(
        "update outbox set status = 'pending', next_attempt_at = $2 where invitation_id = $1 and status = 'failed'",
    )
    .bind(invitation.to_string())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected())
}
