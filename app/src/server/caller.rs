//! Who is asking: the signed-in user behind a browser session.

use crate::{
    authz::{Holder, TokenGrant},
    domain::UserStatus,
    error::AppError,
    server::{
        sessions::AuthSession,
        store::users::{self, UserRow},
        AppState,
    },
};

/// Seen-times are written at most this often per user, not on every request.
const LAST_SEEN_GRANULARITY_MS: i64 = 60_000;

/// The signed-in user with their global permissions, for the console's
/// header, or `None`.
pub async fn signed_in_user(
    state: &AppState,
    session: &AuthSession,
) -> Result<Option<crate::domain::SignedInUser>, AppError> {
    Ok(current_user(state, session).await?.map(|user| crate::domain::SignedInUser {
        permissions: state.access.read().permissions(&user.id, None),
        user: user.view(),
    }))
}

/// The signed-in, active user of this session, if any. A session whose user
/// was disabled or deleted, or that was idle or signed in too long, is
/// ended on the spot.
pub async fn current_user(state: &AppState, session: &AuthSession) -> Result<Option<UserRow>, AppError> {
    let Some(id) = session.user_id().await? else { return Ok(None) };
    let config = &state.config;
    let now = state.clock.now_ms();
    if !session.keep_alive(now, config.session_lifetime, config.session_max_lifetime).await? {
        return Ok(None);
    }
    let mut conn = state.db.read().await?;
    match users::find_by_id(&mut conn, id).await? {
        Some(mut user) if user.status == UserStatus::Active => {
            if user.last_seen_at.is_none_or(|seen| now - seen >= LAST_SEEN_GRANULARITY_MS) {
                drop(conn);
                let mut tx = state.db.write().await?;
                users::touch_last_seen(&mut tx, id, now).await?;
                tx.commit().await.map_err(crate::server::store::StoreError::from)?;
                user.last_seen_at = Some(now);
            }
            Ok(Some(user))
        }
        _ => {
            drop(conn);
            session.sign_out().await?;
            Ok(None)
        }
    }
}

/// The session's user as the actor of a use case, or a 401 when nobody is
/// signed in.
pub async fn require_user(state: &AppState, session: &AuthSession) -> Result<Actor, AppError> {
    current_user(state, session).await?.map(Actor::user).ok_or_else(AppError::sign_in_required)
}

/// Who is acting: a user, narrowed by the API token they came with, if
/// any. What every use case takes; it reads as the user (`actor.id`).
#[derive(Clone, Debug)]
pub struct Actor {
    pub user: UserRow,
    /// The token's limits apply on top of the user's own permissions.
    pub token: Option<TokenGrant>,
}

impl Actor {
    /// The user of a browser session (or the CLI): no token limits.
    pub fn user(user: UserRow) -> Self {
        Self { user, token: None }
    }

    /// The owner of an API token, within the token's limits.
    pub fn with_token(user: UserRow, token: TokenGrant) -> Self {
        Self { user, token: Some(token) }
    }

    /// The actor as the escalation rule sees them.
    pub fn holder(&self) -> Holder<'_> {
        Holder { user: &self.user.id, token: self.token.as_ref() }
    }
}

impl std::ops::Deref for Actor {
    type Target = UserRow;
    fn deref(&self) -> &UserRow {
        &self.user
    }
}
