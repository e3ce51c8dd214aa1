//! The data-access layer. One set of queries serves SQLite and Postgres
//! through `sqlx::Any`: ids are stored as text and times as milliseconds, the
//! types both backends share, and SQL uses `$N` placeholders, which both
//! accept. Each backend keeps its own migrations folder with the same steps.

pub mod access_log;
pub mod attention;
pub mod audit;
pub mod catalog;
pub mod columns;
pub mod facts;
pub mod idempotency;
pub mod invitations;
pub mod login_failures;
pub mod named;
pub mod policies;
pub mod roles;
pub mod sessions;
pub mod teams;
pub mod tokens;
pub mod users;
pub mod versions;

/// Throwaway databases for unit tests of the store.
#[cfg(test)]
pub mod scratch {
    use super::Db;

    /// An SQLite file with the migrations applied; its files go with the guard.
    pub async fn scratch_database() -> (Db, Removed) {
        let path = std::env::temp_dir().join(format!("portcullis-scratch-{}.db", uuid::Uuid::new_v4()));
        let db = Db::connect(&format!("sqlite://{}", path.display())).await.unwrap();
        db.migrate().await.unwrap();
        (db, Removed(path))
    }

    pub struct Removed(std::path::PathBuf);

    impl Drop for Removed {
        fn drop(&mut self) {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", self.0.display()));
            }
        }
    }
}

use sqlx::{
    any::{AnyConnectOptions, AnyPoolOptions},
    AnyConnection, AnyPool, Connection, Executor,
};
use std::{str::FromStr, time::Duration};

use crate::error::AppError;

/// Which database the URL pointed at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A failure talking to the database. Never shown to callers: it becomes
/// [`AppError::Internal`] (logged once) unless a use case maps it first.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("unreadable row: {0}")]
    Corrupt(String),
    #[error("cannot prepare the database location: {0}")]
    Io(#[from] std::io::Error),
}

/// Which table and column a unique violation was on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Taken {
    pub table: String,
    pub column: String,
}

impl StoreError {
    /// The table and column of a unique violation (primary keys included).
    /// SQLite names them in its message (`UNIQUE constraint failed:
    /// roles.key`); Postgres in its detail (`Key (key)=(ops) already
    /// exists.`), or else in the constraint's name (`{table}_{column}_key`,
    /// as the migrations name them).
    pub fn taken(&self) -> Option<Taken> {
        let StoreError::Sqlx(sqlx::Error::Database(db)) = self else { return None };
        if db.kind() != sqlx::error::ErrorKind::UniqueViolation {
            return None;
        }
        if let Some(pg) = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
            let table = pg.table()?.to_owned();
            let from_detail = pg
                .detail()
                .and_then(|d| d.strip_prefix("Key ("))
                .and_then(|d| d.split(")=").next())
                .and_then(|columns| columns.split(", ").last());
            let from_name = || pg.constraint()?.strip_prefix(&format!("{table}_"))?.strip_suffix("_key");
            let column = from_detail.or_else(from_name)?.trim_start_matches('(').to_owned();
            return Some(Taken { table, column });
        }
        let columns = db.message().split_once("constraint failed: ")?.1;
        // Of a key of several columns, the last names the thing (a team
        // member is `team_members.team_key, team_members.user_id`).
        let (table, column) = columns.split(", ").last()?.split_once('.')?;
        Some(Taken { table: table.to_owned(), column: column.to_owned() })
    }

    /// Whether this is a unique violation of `table.column`.
    pub fn is_unique_violation(&self, table: &str, column: &str) -> bool {
        self.taken().is_some_and(|taken| taken.table == table && taken.column == column)
    }

    /// A 409 `code` naming `column` when this is a unique violation of
    /// `table.column` (the caller asked for something that exists), else
    /// what any other store error becomes.
    pub fn conflict_on(self, table: &str, column: &str, code: &str, message: impl FnOnce() -> String) -> AppError {
        if self.is_unique_violation(table, column) {
            AppError::taken(column, code, message())
        } else {
            self.into()
        }
    }
}

impl StoreError {
    /// Whether the database could not be reached at all (as opposed to a
    /// query that failed): then the request may succeed later, or on
    /// another process.
    pub fn is_unreachable(&self) -> bool {
        matches!(
            self,
            StoreError::Sqlx(
                sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::Tls(_)
            )
        )
    }
}

impl From<StoreError> for AppError {
    /// A unique violation no use case named is still the caller's clash,
    /// never a 500: two racing creates, or a path that forgot to map it.
    fn from(error: StoreError) -> Self {
        if let Some(Taken { table, column }) = error.taken() {
            tracing::info!(%error, "a unique value was taken");
            let field = if column == "binding" { "policy".to_owned() } else { column.clone() };
            return AppError::taken(
                field.clone(),
                "already_exists",
                format!("that {field} is already taken in {}: choose another", table.replace('_', " ")),
            );
        }
        if let StoreError::Sqlx(sqlx::Error::Database(db)) = &error {
            // What the request named was deleted by another one since it
            // was looked up (a role, a workspace, a user).
            if db.kind() == sqlx::error::ErrorKind::ForeignKeyViolation {
                tracing::info!(%error, "a row named by a write was deleted meanwhile");
                return AppError::conflict(
                    "changed_meanwhile",
                    "something this change refers to was deleted a moment ago: reload and try again",
                );
            }
        }
        if error.is_unreachable() {
            tracing::warn!(%error, "the database cannot be reached");
            return database_unavailable();
        }
        crate::server::http::internal_error("database", error)
    }
}

/// The 503 for a database that cannot be reached.
pub fn database_unavailable() -> AppError {
    AppError::unavailable("database_unavailable", "the database cannot be reached right now: try again in a moment")
}

/// The database: a pool to read from, one to write through, and which
/// backend they talk to.
///
/// SQLite lets one connection write at a time, and a transaction that reads
/// and then writes cannot wait for the lock (it fails with `SQLITE_BUSY` at
/// the upgrade, whatever `busy_timeout` says). So on SQLite every write is a
/// `BEGIN IMMEDIATE` transaction on a single writer connection, and writers
/// queue for it in this process instead of failing; readers have their own
/// pool, opened `query_only` so a write that skips the queue fails in tests
/// rather than under load. On Postgres both are one pool.
#[derive(Clone, Debug)]
pub struct Db {
    reader: AnyPool,
    writer: AnyPool,
    backend: Backend,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

/// How long a request waits for a connection (on SQLite: for its turn to
/// write) before it is answered 503.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

impl Db {
    /// Opens the pools. An SQLite file (and its folder) is created if missing.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        if !url.starts_with("sqlite:") {
            let options = AnyConnectOptions::from_str(url)?;
            let pool = AnyPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(ACQUIRE_TIMEOUT)
                .connect_with(options)
                .await?;
            return Ok(Self { reader: pool.clone(), writer: pool, backend: Backend::Postgres });
        }
        let url = prepare_sqlite_url(url)?;
        // The writer first: it creates the file and turns WAL on.
        let writer = sqlite_pool(&url, 1, false).await?;
        let reader = sqlite_pool(&url, 8, true).await?;
        Ok(Self { reader, writer, backend: Backend::Sqlite })
    }

    /// Applies the pending migrations of this backend.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&self.writer).await?;
        Ok(())
    }

    /// Which backend this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The writer pool, for statements of the command line and tests: they
    /// take their turn with every other write.
    pub fn pool(&self) -> &AnyPool {
        &self.writer
    }

    /// Starts a write: a transaction that holds the write lock from its
    /// first statement (on SQLite, after waiting its turn). Dropping it
    /// without `commit` rolls back.
    pub async fn write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, StoreError> {
        Ok(match self.backend {
            Backend::Sqlite => self.writer.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.writer.begin().await?,
        })
    }

    /// A connection to read from (on SQLite it cannot write).
    pub async fn read(&self) -> Result<sqlx::pool::PoolConnection<sqlx::Any>, StoreError> {
        Ok(self.reader.acquire().await?)
    }

    /// A read-only transaction, for several reads that must see one state.
    pub async fn snapshot(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, StoreError> {
        Ok(self.reader.begin().await?)
    }

    /// Whether the database answers (for `/readyz`).
    pub async fn ping(&self) -> Result<(), StoreError> {
        let mut conn = self.reader.acquire().await?;
        conn.ping().await?;
        Ok(())
    }

    /// Closes every connection (for orderly shutdown and tests).
    pub async fn close(&self) {
        self.reader.close().await;
        self.writer.close().await;
    }
}

/// A pool of SQLite connections; `query_only` ones refuse to write.
async fn sqlite_pool(url: &str, size: u32, query_only: bool) -> Result<AnyPool, StoreError> {
    let options = AnyConnectOptions::from_str(url)?;
    let pool = AnyPoolOptions::new()
        .max_connections(size)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .after_connect(move |conn, _meta| {
            Box::pin(async move {
                // WAL lets readers work while one writer commits; foreign
                // keys are off in SQLite unless asked for; the busy timeout
                // covers writers of other processes (the command line).
                conn.execute(
                    "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; \
                     PRAGMA synchronous = NORMAL;",
                )
                .await?;
                if query_only {
                    conn.execute("PRAGMA query_only = ON;").await?;
                }
                Ok(())
            })
        })
        .connect_with(options)
        .await?;
    Ok(pool)
}

/// Adds `mode=rwc` (create if missing) and creates the file's folder.
fn prepare_sqlite_url(url: &str) -> Result<String, StoreError> {
    let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let path = rest.split('?').next().unwrap_or_default();
    if !path.is_empty() && path != ":memory:" {
        if let Some(parent) = std::path::Path::new(path).parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent)?;
            }
        }
    }
    Ok(if url.contains("mode=") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    })
}

/// Reads a text id column back into a typed id.
/// A value in `column` the code cannot read back.
pub(crate) fn corrupt(column: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{column} holds {value:?}"))
}

pub(crate) fn parse_id<T: FromStr>(column: &str, value: &str) -> Result<T, StoreError> {
    value.parse().map_err(|_| StoreError::Corrupt(format!("{column} holds {value:?}")))
}

/// For functions that run inside or outside a transaction alike.
pub type Conn = AnyConnection;

/// A `like` pattern (with `escape '\'`) for rows containing `query`, any case.
pub fn like_pattern(query: &str) -> String {
    let escaped = query.trim().to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

/// A value bound to a placeholder of [`Conditions`].
#[derive(Clone, Debug)]
enum BoundValue {
    Text(String),
    Int(i64),
}

/// The `and`-joined conditions of a list query, holding only those its
/// filter sets: a catch-all like `($2 = '' or workspace_key = $2)` keeps the
/// database from using the column's index, and a rare filter then reads the
/// whole table.
#[derive(Clone, Debug, Default)]
pub struct Conditions {
    clauses: Vec<String>,
    values: Vec<BoundValue>,
}

impl Conditions {
    /// No condition yet.
    pub fn new() -> Self {
        Self::default()
    }

    fn placeholder(&mut self, value: BoundValue) -> String {
        self.values.push(value);
        format!("${}", self.values.len())
    }

    /// Adds the condition `clause(p)`, `p` being the placeholder of `value`.
    pub fn text(&mut self, value: impl Into<String>, clause: impl FnOnce(&str) -> String) -> &mut Self {
        let p = self.placeholder(BoundValue::Text(value.into()));
        self.clauses.push(clause(&p));
        self
    }

    /// Adds the condition `clause(list)`, `list` being the comma-separated
    /// placeholders of `values` (for `in (…)`).
    pub fn any_of(
        &mut self,
        values: impl IntoIterator<Item = String>,
        clause: impl FnOnce(&str) -> String,
    ) -> &mut Self {
        let list: Vec<String> = values.into_iter().map(|v| self.placeholder(BoundValue::Text(v))).collect();
        self.clauses.push(clause(&list.join(", ")));
        self
    }

    /// As [`Conditions::text`], for a number.
    pub fn int(&mut self, value: i64, clause: impl FnOnce(&str) -> String) -> &mut Self {
        let p = self.placeholder(BoundValue::Int(value));
        self.clauses.push(clause(&p));
        self
    }

    /// A placeholder for a value bound after the conditions (a limit, say).
    pub fn extra(&mut self, value: i64) -> String {
        self.placeholder(BoundValue::Int(value))
    }

    /// `where a and b …`, or nothing.
    pub fn where_clause(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!(" where {}", self.clauses.join(" and "))
        }
    }

    /// Runs `sql` (built around [`Conditions::where_clause`]) with the values bound.
    pub async fn fetch_all(&self, conn: &mut Conn, sql: &str) -> Result<Vec<sqlx::any::AnyRow>, StoreError> {
        let mut query = sqlx::query(sql);
        for value in &self.values {
            query = match value {
                BoundValue::Text(text) => query.bind(text.clone()),
                BoundValue::Int(n) => query.bind(*n),
            };
        }
        Ok(query.fetch_all(&mut *conn).await?)
    }
}
