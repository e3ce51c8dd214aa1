//! The process's authorization index, kept in step with the database.
//!
//! Every change to access data is one transaction that also appends a
//! numbered row to the access log ([`AccessWrite`]). Writers are ordered by
//! this process's mutex and, on Postgres, by a database-wide advisory lock,
//! so revisions commit in order. Each process applies log rows in revision
//! order: its own right after committing, other processes' when the sync task
//! ([`sync`]) hears of them. The index's revision is therefore
//! a consistency token: a check "at least revision N" can wait for it.

pub mod sync;
mod token_cache;
mod write;

pub use token_cache::TokenCache;
pub use write::AccessWrite;

use serde::{Deserialize, Serialize};
use std::{
    sync::{
        atomic::{AtomicI64, AtomicU64, Ordering},
        RwLock, RwLockReadGuard,
    },
    time::{Duration, Instant},
};
use tokio::sync::{watch, Mutex, Notify};

use crate::{
    authz::{AccessIndex, Change},
    domain::{Permission, UserId},
    server::store::{
        access_log::{self, LogRow},
        facts, Conn, Db, StoreError,
    },
};

/// A position in the access log.
pub type Revision = i64;

/// What one revision changed: facts of the index, and API tokens revoked
/// (so every process forgets them at once).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeSet {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<Change>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub revoked_tokens: Vec<uuid::Uuid>,
}

impl ChangeSet {
    fn is_empty(&self) -> bool {
        self.changes.is_empty() && self.revoked_tokens.is_empty()
    }
}

/// Why the index cannot answer now.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Unusable {
    /// Still loading at start.
    Loading,
    /// Not confirmed in step with the database for longer than allowed.
    Stale { seconds: f64 },
    /// The database records another permission catalog than this
    /// process's: its answers would differ from the other processes'.
    CatalogMismatch,
}

impl Unusable {
    /// The error code callers and metrics see.
    pub fn code(self) -> &'static str {
        match self {
            Unusable::Loading => "index_loading",
            Unusable::Stale { .. } => "index_stale",
            Unusable::CatalogMismatch => "catalog_mismatch",
        }
    }
}

impl From<Unusable> for crate::error::AppError {
    fn from(unusable: Unusable) -> Self {
        let message = match unusable {
            Unusable::Loading => {
                "this process is still loading its authorization data: try again in a moment, or another process"
                    .to_owned()
            }
            Unusable::Stale { seconds } => format!(
                "this process has not been in step with the database for {seconds:.0} s, longer than allowed \
                 (PORTCULLIS_MAX_STALENESS): it refuses to answer from data that may be out of date until it \
                 reconnects"
            ),
            Unusable::CatalogMismatch => "this process runs another permission catalog than the one the database \
                records (PORTCULLIS_CATALOG): it answers no check until it runs the installation's, or until \
                `portcullis catalog migrate` switches the installation to this one"
                .to_owned(),
        };
        crate::error::AppError::unavailable(unusable.code(), message)
    }
}

/// What a catch-up found.
#[derive(Clone, Debug, Default)]
pub struct CatchUp {
    /// Revisions applied, with their commit times (ms), for metrics.
    pub applied: Vec<(Revision, i64)>,
    /// Whether a gap in the log forced a full reload.
    pub reloaded: bool,
}

/// The index, its revision and how fresh it is.
#[derive(Debug)]
pub struct Access {
    index: RwLock<AccessIndex>,
    /// The revision the index reflects; `NOT_LOADED` before the first load.
    /// Written after the index, under its write lock, so a reader that sees
    /// revision N reads an index at N or later.
    revision: AtomicI64,
    revisions: watch::Sender<Revision>,
    writes: Mutex<()>,
    /// Whether other processes write to the same database (Postgres): then
    /// the index is only as fresh as its last confirmed sync.
    shared: bool,
    max_staleness: Duration,
    started: Instant,
    /// Milliseconds after `started` when the index was last known to hold
    /// every committed revision.
    fresh_at: AtomicU64,
    /// The newest revision seen in the database.
    database_revision: AtomicI64,
    /// Wakes the sync task: someone waits for a revision we lack.
    wanted: Notify,
    pub tokens: TokenCache,
    /// Set while the database records another catalog (services::catalog).
    catalog_mismatch: std::sync::atomic::AtomicBool,
}

const NOT_LOADED: Revision = -1;
/// Log rows read per query when catching up.
const CATCH_UP_BATCH: i64 = 500;
/// Log rows older than this are deleted (every `PRUNE_EVERY` revisions): a
/// process away longer reloads its index instead of catching up.
const LOG_RETENTION_MS: i64 = 7 * 24 * 3600 * 1000;
const PRUNE_EVERY: i64 = 100;

impl Access {
    /// An index not loaded yet. `shared`: other processes may write to the
    /// database; `max_staleness`: how long to answer from an index not
    /// confirmed fresh before refusing.
    pub fn new(shared: bool, max_staleness: Duration) -> Self {
        Self {
            index: RwLock::new(AccessIndex::new()),
            revision: AtomicI64::new(NOT_LOADED),
            revisions: watch::Sender::new(NOT_LOADED),
            writes: Mutex::new(()),
            shared,
            max_staleness,
            started: Instant::now(),
            fresh_at: AtomicU64::new(0),
            catalog_mismatch: std::sync::atomic::AtomicBool::new(false),
            database_revision: AtomicI64::new(0),
            wanted: Notify::new(),
            tokens: TokenCache::default(),
        }
    }

    /// Loads every fact and the revision they are at, from one snapshot,
    /// and replaces the index.
    pub async fn load(&self, db: &Db) -> Result<(), StoreError> {
        let checked_at = self.elapsed_ms();
        let mut tx = db.snapshot().await?;
        access_log::read_one_snapshot(&mut tx, db.backend()).await?;
        let revision = access_log::latest(&mut tx).await?;
        let facts = facts::load(&mut tx).await?;
        tx.commit().await?;
        let index = AccessIndex::build(&facts);
        {
            let mut current = self.write_index();
            // Changes applied while this loaded are newer: keep them.
            if revision < self.revision() {
                return Ok(());
            }
            *current = index;
            self.publish(revision);
        }
        self.tokens.clear();
        self.confirm_fresh(checked_at, revision);
        Ok(())
    }

    /// Whether the first load is done.
    pub fn is_loaded(&self) -> bool {
        self.revision() != NOT_LOADED
    }

    /// The revision the index reflects (-1 before the first load).
    pub fn revision(&self) -> Revision {
        self.revision.load(Ordering::Acquire)
    }

    /// The newest revision this process has seen in the database.
    pub fn database_revision(&self) -> Revision {
        self.database_revision.load(Ordering::Acquire).max(self.revision())
    }

    /// Records a revision another process announced (for the lag metrics).
    pub fn heard_of(&self, revision: Revision) {
        self.database_revision.fetch_max(revision, Ordering::AcqRel);
    }

    /// Whether `user` may use `permission` in `workspace` (or globally).
    pub fn check(&self, user: &UserId, permission: Permission, workspace: Option<&str>) -> bool {
        self.read().check(user, permission, workspace)
    }

    /// The index, for several questions at once.
    pub fn read(&self) -> RwLockReadGuard<'_, AccessIndex> {
        self.index.read().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn write_index(&self) -> std::sync::RwLockWriteGuard<'_, AccessIndex> {
        self.index.write().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Sets the revision; the caller holds the index's write lock.
    fn publish(&self, revision: Revision) {
        self.revision.store(revision, Ordering::Release);
        self.revisions.send_replace(revision);
        self.database_revision.fetch_max(revision, Ordering::AcqRel);
    }

    fn elapsed_ms(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// Records that at `checked_at` (ms after start) the database's newest
    /// revision was `database_revision` and the index held it.
    fn confirm_fresh(&self, checked_at: u64, database_revision: Revision) {
        self.fresh_at.fetch_max(checked_at, Ordering::AcqRel);
        self.database_revision.fetch_max(database_revision, Ordering::AcqRel);
    }

    /// How long since the index was last known to be in step with the
    /// database. Always zero for a database no other process writes to.
    pub fn staleness(&self) -> Duration {
        if !self.shared {
            return Duration::ZERO;
        }
        Duration::from_millis(self.elapsed_ms().saturating_sub(self.fresh_at.load(Ordering::Acquire)))
    }

    /// Whether the index may answer: loaded, and confirmed in step with the
    /// database within `max_staleness`. Past that it fails closed.
    pub fn usable(&self) -> Result<(), Unusable> {
        // First: loading ends by itself, a mismatch only by an operator.
        if self.catalog_mismatch.load(Ordering::Acquire) {
            return Err(Unusable::CatalogMismatch);
        }
        if !self.is_loaded() {
            return Err(Unusable::Loading);
        }
        let staleness = self.staleness();
        if staleness > self.max_staleness {
            return Err(Unusable::Stale { seconds: staleness.as_secs_f64() });
        }
        Ok(())
    }

    /// Whether the database records another catalog than this process's.
    pub fn set_catalog_mismatch(&self, mismatch: bool) {
        self.catalog_mismatch.store(mismatch, Ordering::Release);
    }

    pub fn catalog_mismatched(&self) -> bool {
        self.catalog_mismatch.load(Ordering::Acquire)
    }

    /// Waits until the index is at `revision` or later, at most `timeout`.
    /// Returns whether it got there.
    pub async fn wait_for(&self, revision: Revision, timeout: Duration) -> bool {
        if self.revision() >= revision {
            return true;
        }
        // Do not wait for the notification: ask the sync task to read now.
        self.wanted.notify_one();
        let mut revisions = self.revisions.subscribe();
        tokio::time::timeout(timeout, revisions.wait_for(|r| *r >= revision)).await.is_ok_and(|seen| seen.is_ok())
    }

    /// Resolves when a caller waits for a revision this index lacks.
    pub async fn wanted(&self) {
        self.wanted.notified().await;
    }

    /// Applies every revision the database has beyond ours. On a gap in
    /// the log (rows pruned while this process was away) the index is
    /// reloaded whole.
    pub async fn catch_up(&self, db: &Db) -> Result<CatchUp, StoreError> {
        let mut found = CatchUp::default();
        if !self.is_loaded() {
            self.load(db).await?;
            found.reloaded = true;
            return Ok(found);
        }
        let mut conn = db.read().await?;
        if self.follow_log(&mut conn, &mut found.applied).await?.is_err() {
            drop(conn);
            self.load(db).await?;
            found.reloaded = true;
        }
        Ok(found)
    }

    /// Reads and applies, over `conn`, every log row after the index's
    /// revision, noting each in `applied`; then the index is known fresh.
    /// `Ok(Err(Gap))` when the log misses a revision: the caller reloads.
    async fn follow_log(
        &self,
        conn: &mut Conn,
        applied: &mut Vec<(Revision, i64)>,
    ) -> Result<Result<(), Gap>, StoreError> {
        loop {
            let checked_at = self.elapsed_ms();
            let rows = access_log::after(conn, self.revision(), CATCH_UP_BATCH).await?;
            match self.apply_rows(&rows) {
                Ok(rows_applied) => applied.extend(rows_applied),
                Err(gap) => {
                    tracing::warn!("the access log has a gap: reloading the index");
                    return Ok(Err(gap));
                }
            }
            if rows.len() < CATCH_UP_BATCH as usize {
                self.confirm_fresh(checked_at, self.revision());
                return Ok(Ok(()));
            }
        }
    }

    /// Applies log rows in order, skipping those already applied.
    fn apply_rows(&self, rows: &[LogRow]) -> Result<Vec<(Revision, i64)>, Gap> {
        let mut applied = Vec::new();
        let mut index = self.write_index();
        for row in rows {
            let current = self.revision();
            if row.revision <= current {
                continue;
            }
            if row.revision != current + 1 {
                return Err(Gap);
            }
            let set: ChangeSet = serde_json::from_str(&row.changes).map_err(|error| {
                tracing::error!(revision = row.revision, %error, "unreadable access log row");
                Gap
            })?;
            self.apply_set(&mut index, set, row.revision);
            applied.push((row.revision, row.committed_at));
        }
        Ok(applied)
    }

    fn apply_set(&self, index: &mut AccessIndex, set: ChangeSet, revision: Revision) {
        for change in set.changes {
            index.apply(change);
        }
        self.tokens.forget(&set.revoked_tokens, revision);
        self.publish(revision);
    }

    /// Starts a change to access data: takes this process's write lock and
    /// the database-wide one, opens the transaction and brings the index up
    /// to the database's newest revision, so decisions read current data.
    pub async fn begin_write<'a>(&'a self, db: &Db) -> Result<AccessWrite<'a>, StoreError> {
        let order = self.writes.lock().await;
        if !self.is_loaded() {
            self.load(db).await?;
        }
        loop {
            let mut tx = db.write().await?;
            access_log::lock_for_writing(&mut tx, db.backend()).await?;
            // Under the lock no other writer commits: read to the end, and
            // our revision is the database's.
            if self.follow_log(&mut tx, &mut Vec::new()).await?.is_ok() {
                let base = self.revision();
                return Ok(AccessWrite { access: self, _order: order, tx, backend: db.backend(), base });
            }
            drop(tx);
            self.load(db).await?;
        }
    }
}

/// A gap in the log: a revision is missing between ours and the next row.
#[derive(Debug)]
struct Gap;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        authz::PolicyFact,
        domain::{PolicyId, RoleKey, Scope, Subject, WorkspaceKey},
    };

    #[test]
    fn an_index_not_loaded_refuses_with_a_503() {
        let access = Access::new(true, Duration::from_secs(10));
        assert!(!access.is_loaded());
        assert_eq!(access.usable(), Err(Unusable::Loading));
        let error = crate::error::AppError::from(Unusable::Loading);
        assert_eq!((error.status_code(), error.code()), (503, "index_loading"));
        let error = crate::error::AppError::from(Unusable::Stale { seconds: 12.0 });
        assert_eq!((error.status_code(), error.code()), (503, "index_stale"));
    }

    /// The log is read by other processes, possibly of the next version:
    /// its format is fixed here.
    #[test]
    fn change_sets_are_stored_in_a_stable_json_form() {
        let user = UserId(uuid::Uuid::nil());
        let set = ChangeSet {
            changes: vec![
                Change::UserSet { user, active: false },
                Change::PolicyRemoved(PolicyFact {
                    id: PolicyId(7),
                    subject: Subject::User(user),
                    role: RoleKey::parse("developer").unwrap(),
                    scope: Scope::Workspace(WorkspaceKey::parse("ml").unwrap()),
                }),
            ],
            revoked_tokens: vec![uuid::Uuid::nil()],
        };
        let json = serde_json::to_string(&set).unwrap();
        assert_eq!(
            json,
            r#"{"changes":[{"user_set":{"user":"00000000-0000-0000-0000-000000000000","active":false}},{"policy_removed":{"id":7,"subject":{"user_id":"00000000-0000-0000-0000-000000000000"},"role":"developer","scope":{"Workspace":"ml"}}}],"revoked_tokens":["00000000-0000-0000-0000-000000000000"]}"#
        );
        assert_eq!(serde_json::from_str::<ChangeSet>(&json).unwrap(), set);
        assert_eq!(serde_json::from_str::<ChangeSet>("{}").unwrap(), ChangeSet::default());
    }
}
