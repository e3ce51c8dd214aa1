//! Sessions: tower-sessions over our own database table (both backends), and a
//! typed wrapper that keeps our keys in one namespace.

use async_trait::async_trait;
use std::{collections::HashMap, time::Duration};
use time::OffsetDateTime;
use tower_sessions::{
    session::{Id, Record},
    session_store::{self, ExpiredDeletion},
    Session, SessionStore,
};

use crate::{
    domain::UserId,
    error::AppError,
    server::store::{self, Db},
};

/// Where the signed-in user's id lives in the session data.
pub const USER_ID_KEY: &str = "portcullis.user_id";
/// What the session remembers of the device that signed in.
pub const DEVICE_KEY: &str = "portcullis.device";
/// When the session was last used (ms), to the minute.
pub const SEEN_KEY: &str = "portcullis.seen_at";
/// A session's use is written at most this often: a busy console must not
/// rewrite its session row on every request.
const SEEN_GRANULARITY_MS: i64 = 60_000;

/// The device a sign-in came from, kept for the sessions list.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct SignInDevice {
    pub address: Option<String>,
    /// The `User-Agent`, cut to 200 characters.
    pub agent: Option<String>,
    /// When the sign-in happened (ms).
    #[serde(default)]
    pub since: i64,
}

impl SignInDevice {
    /// From a request's peer address and headers.
    pub fn of(address: Option<std::net::IpAddr>, headers: &axum::http::HeaderMap) -> Self {
        let agent = headers
            .get(axum::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|ua| ua.chars().take(200).collect());
        Self { address: address.map(|a| a.to_string()), agent, since: crate::server::now_ms() }
    }
}
/// The session cookie's name.
pub const COOKIE_NAME: &str = "portcullis_session";

/// Keeps sessions in the `sessions` table, shared by every server process.
#[derive(Clone, Debug)]
pub struct DbSessionStore {
    db: Db,
}

impl DbSessionStore {
    /// A store over this database.
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// Deletes expired sessions every `period`, until the process stops.
    pub fn spawn_cleanup(&self, period: Duration) -> tokio::task::JoinHandle<()> {
        let store = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(period);
            loop {
                tick.tick().await;
                if let Err(error) = store.delete_expired().await {
                    tracing::warn!(%error, "could not delete expired sessions");
                }
            }
        })
    }
}

/// Starts a session store error's message when the database could not be
/// reached, so the request answers 503 rather than 500 (the store's errors
/// are strings).
const UNREACHABLE: &str = "database unreachable: ";

fn backend_error(error: store::StoreError) -> session_store::Error {
    let prefix = if error.is_unreachable() { UNREACHABLE } else { "" };
    session_store::Error::Backend(format!("{prefix}{error}"))
}

fn user_of(record: &Record) -> Option<UserId> {
    record.data.get(USER_ID_KEY).and_then(|v| v.as_str()).and_then(|s| s.parse().ok())
}

fn millis(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

fn encode(record: &Record) -> session_store::Result<String> {
    serde_json::to_string(&record.data).map_err(|e| session_store::Error::Encode(e.to_string()))
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let mut tx = self.db.write().await.map_err(backend_error)?;
        // A collision of 128 random bits is unlikely, but never overwrite one.
        loop {
            let data = encode(record)?;
            let id = record.id.to_string();
            if store::sessions::insert(&mut tx, &id, user_of(record), &data, millis(record.expiry_date))
                .await
                .map_err(backend_error)?
            {
                return tx.commit().await.map_err(|e| backend_error(e.into()));
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let data = encode(record)?;
        let mut tx = self.db.write().await.map_err(backend_error)?;
        store::sessions::upsert(&mut tx, &record.id.to_string(), user_of(record), &data, millis(record.expiry_date))
            .await
            .map_err(backend_error)?;
        tx.commit().await.map_err(|e| backend_error(e.into()))
    }

    async fn load(&self, session_id: &Id) -> session_store::Result<Option<Record>> {
        let mut conn = self.db.read().await.map_err(backend_error)?;
        let Some(row) = store::sessions::find_live(&mut conn, &session_id.to_string(), crate::server::now_ms())
            .await
            .map_err(backend_error)?
        else {
            return Ok(None);
        };
        let data: HashMap<String, serde_json::Value> =
            serde_json::from_str(&row.data).map_err(|e| session_store::Error::Decode(e.to_string()))?;
        let expiry_date = OffsetDateTime::from_unix_timestamp_nanos(i128::from(row.expires_at) * 1_000_000)
            .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        Ok(Some(Record { id: *session_id, data, expiry_date }))
    }

    async fn delete(&self, session_id: &Id) -> session_store::Result<()> {
        let mut tx = self.db.write().await.map_err(backend_error)?;
        store::sessions::delete(&mut tx, &session_id.to_string()).await.map_err(backend_error)?;
        tx.commit().await.map_err(|e| backend_error(e.into()))
    }
}

#[async_trait]
impl ExpiredDeletion for DbSessionStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        let mut tx = self.db.write().await.map_err(backend_error)?;
        store::sessions::delete_expired(&mut tx, crate::server::now_ms()).await.map_err(backend_error)?;
        tx.commit().await.map_err(|e| backend_error(e.into()))
    }
}

/// The browser session, with Portcullis's keys.
#[derive(Clone, Debug)]
pub struct AuthSession(pub Session);

fn session_error(error: tower_sessions::session::Error) -> AppError {
    if let tower_sessions::session::Error::Store(session_store::Error::Backend(message)) = &error {
        if message.starts_with(UNREACHABLE) {
            tracing::warn!(%error, "the database cannot be reached");
            return store::database_unavailable();
        }
    }
    crate::server::http::internal_error("session", error)
}

impl AuthSession {
    /// Marks the session as `user`'s, under a new id (against session fixation,
    /// OWASP ASVS 3.2.1).
    pub async fn sign_in(&self, user: UserId, mut device: SignInDevice, now: i64) -> Result<(), AppError> {
        device.since = now;
        self.0.cycle_id().await.map_err(session_error)?;
        self.0.insert(DEVICE_KEY, device).await.map_err(session_error)?;
        self.0.insert(SEEN_KEY, now).await.map_err(session_error)?;
        self.0.insert(USER_ID_KEY, user.to_string()).await.map_err(session_error)
    }

    /// Whether this signed-in session is still within its limits at `now`:
    /// used within `idle`, and signed in within `max`. A live one records
    /// its use (at most once a minute), which restarts the idle timer and
    /// moves the stored expiry; an expired one is ended.
    pub async fn keep_alive(&self, now: i64, idle: Duration, max: Duration) -> Result<bool, AppError> {
        let ms = |d: Duration| i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 2);
        let device: Option<SignInDevice> = self.0.get(DEVICE_KEY).await.map_err(session_error)?;
        let since = device.map_or(now, |d| d.since);
        let seen: i64 = self.0.get(SEEN_KEY).await.map_err(session_error)?.unwrap_or(since);
        if now.saturating_sub(seen) > ms(idle) || now.saturating_sub(since) > ms(max) {
            self.sign_out().await?;
            return Ok(false);
        }
        if now.saturating_sub(seen) >= SEEN_GRANULARITY_MS {
            self.0.insert(SEEN_KEY, now).await.map_err(session_error)?;
            // Saved with the response: the row lives until the earlier of
            // the idle timeout and the absolute one.
            let ends = now.saturating_add(ms(idle)).min(since.saturating_add(ms(max)));
            if let Ok(at) = OffsetDateTime::from_unix_timestamp_nanos(i128::from(ends) * 1_000_000) {
                self.0.set_expiry(Some(tower_sessions::Expiry::AtDateTime(at)));
            }
        }
        Ok(true)
    }

    /// This session's id, once it has one.
    pub fn id(&self) -> Option<String> {
        self.0.id().map(|id| id.to_string())
    }

    /// The signed-in user's id, if any.
    pub async fn user_id(&self) -> Result<Option<UserId>, AppError> {
        let value: Option<String> = self.0.get(USER_ID_KEY).await.map_err(session_error)?;
        Ok(value.and_then(|s| s.parse().ok()))
    }

    /// Deletes the session on the server and expires the cookie.
    pub async fn sign_out(&self) -> Result<(), AppError> {
        self.0.flush().await.map_err(session_error)
    }
}
