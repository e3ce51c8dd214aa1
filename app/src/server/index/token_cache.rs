//! The API tokens this process has recently authenticated.

use std::time::{Duration, Instant};

use super::{Access, Revision};
use crate::server::store::{tokens::TokenRow, users::UserRow};

/// How long a cached token is trusted before it is read again.
const TOKEN_CACHE_TTL: Duration = Duration::from_secs(300);
/// Forget everything rather than grow past this.
const TOKEN_CACHE_CAPACITY: usize = 10_000;

/// API tokens this process has recently authenticated, by the SHA-256 of
/// their secret, with their owner: a platform service's check then needs
/// no query, and keeps being answered while the database is briefly away.
/// A revoked token is dropped when its revision is applied; a disabled owner
/// is seen in the index; expiry is checked on every use.
#[derive(Debug, Default)]
pub struct TokenCache {
    inner: std::sync::Mutex<TokenCacheInner>,
}

#[derive(Debug, Default)]
struct TokenCacheInner {
    entries: rustc_hash::FxHashMap<String, CachedToken>,
    /// The revision of the last revocation applied.
    last_revocation: Revision,
}

#[derive(Clone, Debug)]
struct CachedToken {
    row: TokenRow,
    owner: UserRow,
    cached_at: Instant,
}

impl TokenCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, TokenCacheInner> {
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The cached token of `secret_hash`, unless it expired, its owner is no
    /// longer active, or it has been trusted too long.
    pub fn get(&self, access: &Access, secret_hash: &str, now_ms: i64) -> Option<(TokenRow, UserRow)> {
        let cached = self.lock().entries.get(secret_hash).cloned()?;
        let usable = cached.cached_at.elapsed() < TOKEN_CACHE_TTL
            && cached.row.expires_at > now_ms
            && access.read().is_active(&cached.owner.id);
        usable.then_some((cached.row, cached.owner))
    }

    /// Remembers a token read from the database when the index was at
    /// `read_at` — unless a revocation was applied since, which the read
    /// may predate.
    pub fn put(&self, secret_hash: String, row: TokenRow, owner: UserRow, read_at: Revision) {
        let mut inner = self.lock();
        if inner.last_revocation > read_at {
            return;
        }
        if inner.entries.len() >= TOKEN_CACHE_CAPACITY {
            inner.entries.clear();
        }
        inner.entries.insert(secret_hash, CachedToken { row, owner, cached_at: Instant::now() });
    }

    /// Updates the cached last-use time (so the database is touched once a minute).
    pub fn touched(&self, secret_hash: &str, at: i64) {
        if let Some(entry) = self.lock().entries.get_mut(secret_hash) {
            entry.row.last_used_at = Some(at);
        }
    }

    pub(super) fn forget(&self, tokens: &[uuid::Uuid], revision: Revision) {
        if tokens.is_empty() {
            return;
        }
        let mut inner = self.lock();
        inner.entries.retain(|_, cached| !tokens.contains(&cached.row.id));
        inner.last_revocation = revision;
    }

    pub(super) fn clear(&self) {
        self.lock().entries.clear();
    }
}
