//! The access log: one numbered row per committed change to access data, so
//! every process applies the same changes in the same order.

use sqlx::Row;

use super::{Backend, Conn, StoreError};

/// The Postgres notification channel that carries new revisions.
pub const CHANNEL: &str = "portcullis_access";

/// Any number, as long as every process uses the same: the key of the
/// advisory lock that orders writers of access data across processes.
const WRITE_LOCK_KEY: i64 = 0x706f_7274_6375_6c6c;

/// One committed revision as stored.
#[derive(Clone, Debug)]
pub struct LogRow {
    pub revision: i64,
    /// The [`crate::server::index::ChangeSet`] as JSON.
    pub changes: String,
    /// When it was written (ms), for propagation metrics.
    pub committed_at: i64,
}

/// Makes the rest of the transaction see one snapshot: a full load must
/// read the facts and the revision they are at together. (SQLite reads from
/// one snapshot per transaction already.)
pub async fn read_one_snapshot(conn: &mut Conn, backend: Backend) -> Result<(), StoreError> {
    if backend == Backend::Postgres {
        sqlx::query("set transaction isolation level repeatable read").execute(&mut *conn).await?;
    }
    Ok(())
}

/// Takes the database-wide writer lock until the transaction ends, so
/// revisions are numbered and committed in one order by all processes.
/// (SQLite has one writer process, ordered by its own mutex.)
pub async fn lock_for_writing(conn: &mut Conn, backend: Backend) -> Result<(), StoreError> {
    if backend == Backend::Postgres {
        sqlx::query("select pg_advisory_xact_lock($1)::text").bind(WRITE_LOCK_KEY).execute(&mut *conn).await?;
    }
    Ok(())
}

/// The newest revision, 0 when nothing was ever logged.
pub async fn latest(conn: &mut Conn) -> Result<i64, StoreError> {
    let row =
        sqlx::query("select coalesce(max(revision), 0) as revision from access_log").fetch_one(&mut *conn).await?;
    Ok(row.try_get::<i64, _>("revision")?)
}

/// Up to `limit` revisions after `revision`, oldest first.
pub async fn after(conn: &mut Conn, revision: i64, limit: i64) -> Result<Vec<LogRow>, StoreError> {
    let rows = sqlx::query(
        "select revision, changes, committed_at from access_log where revision > $1 order by revision limit $2",
    )
    .bind(revision)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(LogRow {
                revision: row.try_get("revision")?,
                changes: row.try_get("changes")?,
                committed_at: row.try_get("committed_at")?,
            })
        })
        .collect()
}

/// Writes a revision and, on Postgres, tells every listening process about
/// it when (and only if) the transaction commits.
pub async fn append(conn: &mut Conn, backend: Backend, row: &LogRow) -> Result<(), StoreError> {
    sqlx::query("insert into access_log (revision, changes, committed_at) values ($1, $2, $3)")
        .bind(row.revision)
        .bind(row.changes.clone())
        .bind(row.committed_at)
        .execute(&mut *conn)
        .await?;
    if backend == Backend::Postgres {
        sqlx::query("select pg_notify($1, $2)::text")
            .bind(CHANNEL)
            .bind(row.revision.to_string())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Deletes rows older than `before` (ms), except `keep` and newer: the
/// newest revision must stay, it numbers the next one. A process that was
/// away longer than that finds a gap and reloads its index whole.
pub async fn prune(conn: &mut Conn, keep: i64, before: i64) -> Result<u64, StoreError> {
    let done = sqlx::query("delete from access_log where revision < $1 and committed_at < $2")
        .bind(keep)
        .bind(before)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::store::{scratch::scratch_database, Backend};

    #[tokio::test]
    async fn pruning_keeps_recent_rows_and_the_newest() {
        let (db, _removed) = scratch_database().await;
        let mut conn = db.write().await.unwrap();
        for (revision, committed_at) in [(1, 100), (2, 200), (3, 300), (4, 400)] {
            let row = LogRow { revision, changes: "{}".into(), committed_at };
            append(&mut conn, Backend::Sqlite, &row).await.unwrap();
        }
        // Rows before 250 go, except that the newest always stays.
        assert_eq!(prune(&mut conn, 4, 250).await.unwrap(), 2);
        assert_eq!(prune(&mut conn, 4, 10_000).await.unwrap(), 1);
        let left: Vec<i64> = after(&mut conn, 0, 10).await.unwrap().iter().map(|r| r.revision).collect();
        assert_eq!(left, [4]);
        assert_eq!(latest(&mut conn).await.unwrap(), 4, "the next revision is still 5");
    }
}
