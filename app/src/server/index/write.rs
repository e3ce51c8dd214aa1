//! One change to access data: a transaction that appends the next revision
//! to the access log and, once committed, applies it to this process's index.

use tokio::sync::MutexGuard;

use super::{Access, ChangeSet, Revision, LOG_RETENTION_MS, PRUNE_EVERY};
use crate::{
    authz::Change,
    server::{
        now_ms,
        store::{
            access_log::{self, LogRow},
            StoreError,
        },
    },
};

/// One change to access data in progress. Use it as the transaction; end it
/// with [`AccessWrite::commit`] (dropping it rolls back).
pub struct AccessWrite<'a> {
    pub(super) access: &'a Access,
    pub(super) _order: MutexGuard<'a, ()>,
    pub(super) tx: sqlx::Transaction<'static, sqlx::Any>,
    pub(super) backend: crate::server::store::Backend,
    pub(super) base: Revision,
}

impl std::ops::Deref for AccessWrite<'_> {
    type Target = sqlx::Transaction<'static, sqlx::Any>;
    fn deref(&self) -> &Self::Target {
        &self.tx
    }
}

impl std::ops::DerefMut for AccessWrite<'_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.tx
    }
}

impl AccessWrite<'_> {
    /// Logs `changes` as the next revision, commits, and applies them to this
    /// process's index. Returns the revision (the current one when nothing
    /// in the index changed).
    pub async fn commit(self, changes: impl IntoIterator<Item = Change>) -> Result<Revision, StoreError> {
        self.commit_set(ChangeSet { changes: changes.into_iter().collect(), revoked_tokens: Vec::new() }).await
    }

    /// [`AccessWrite::commit`] for a change set that may also revoke tokens.
    pub async fn commit_set(mut self, set: ChangeSet) -> Result<Revision, StoreError> {
        if set.is_empty() {
            self.tx.commit().await?;
            return Ok(self.base);
        }
        let row = LogRow {
            revision: self.base + 1,
            changes: serde_json::to_string(&set).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            committed_at: now_ms(),
        };
        access_log::append(&mut self.tx, self.backend, &row).await?;
        if row.revision % PRUNE_EVERY == 0 {
            access_log::prune(&mut self.tx, row.revision, row.committed_at - LOG_RETENTION_MS).await?;
        }
        self.tx.commit().await?;
        // Unless the sync task applied it already, from the notification.
        let mut index = self.access.write_index();
        if self.access.revision() == self.base {
            self.access.apply_set(&mut index, set, row.revision);
        }
        Ok(row.revision)
    }
}
