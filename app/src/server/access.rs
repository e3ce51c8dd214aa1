//! The process's authorization index, kept in step with the database: every
//! change to access data is made under `lock_writes`, committed, then applied
//! here, so this process reads its own writes and never applies two changes
//! out of order.

use std::sync::{RwLock, RwLockReadGuard};
use tokio::sync::{Mutex, MutexGuard};

use crate::{
    authz::{AccessIndex, Change},
    domain::{Permission, UserId},
    server::store::{access::load_facts, Db, StoreError},
};

/// The index and the lock that orders changes to it.
#[derive(Debug)]
pub struct Access {
    index: RwLock<AccessIndex>,
    writes: Mutex<()>,
}

impl Access {
    /// Loads every fact from the database and builds the index.
    pub async fn load(db: &Db) -> Result<Self, StoreError> {
        let mut tx = db.begin().await?;
        let facts = load_facts(&mut tx).await?;
        tx.commit().await?;
        Ok(Self { index: RwLock::new(AccessIndex::build(&facts)), writes: Mutex::new(()) })
    }

    /// Whether `user` may use `permission` in `workspace` (or globally).
    pub fn check(&self, user: &UserId, permission: Permission, workspace: Option<&str>) -> bool {
        self.read().check(user, permission, workspace)
    }

    /// The index, for several questions at once.
    pub fn read(&self) -> RwLockReadGuard<'_, AccessIndex> {
        self.index.read().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Held for the whole of a change: decide, write, commit, apply.
    pub async fn lock_writes(&self) -> MutexGuard<'_, ()> {
        self.writes.lock().await
    }

    /// Applies committed changes.
    pub fn apply(&self, changes: impl IntoIterator<Item = Change>) {
        let mut index = self.index.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        for change in changes {
            index.apply(change);
        }
    }
}
