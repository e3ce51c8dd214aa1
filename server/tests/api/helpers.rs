//! `TestApp`: a server on a random loopback port with its own database.

use reqwest::{header, Client, Response, StatusCode};
use serde_json::{json, Value};
use std::{
    collections::BTreeMap,
    sync::atomic::{AtomicU64, Ordering},
};
use tokio::sync::OnceCell;

use app::server::{AppState, Config};

pub const ADMIN_EMAIL: &str = "admin@example.com";
pub const ADMIN_PASSWORD: &str = "correct horse battery staple";

/// Which database a test runs against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs each named `async fn(Backend)` once per backend.
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::helpers::Backend::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::helpers::Backend::Postgres).await
                }
            )*
        }
    };
}

use crate::support::{admin_connection, create_database, drop_database};

static RUN_ID: OnceCell<String> = OnceCell::const_new();
static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A fresh database URL. Postgres databases from earlier runs are dropped the
/// first time, so a failed run leaves nothing behind for long.
pub async fn fresh_database(backend: Backend) -> (String, Option<tempfile::TempDir>) {
    let run = RUN_ID
        .get_or_init(|| async {
            if let Ok(mut conn) = admin_connection().await {
                drop_stale_databases(&mut conn).await;
            }
            format!("{:x}", std::process::id())
        })
        .await;
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!("sqlite://{}/test.db", dir.path().display());
            (url, Some(dir))
        }
        Backend::Postgres => (create_database(&format!("portcullis_test_{run}_{n}")).await, None),
    }
}

async fn drop_stale_databases(conn: &mut sqlx::PgConnection) {
    use sqlx::Row;
    let rows = sqlx::query("select datname from pg_database where datname like 'portcullis_test_%'")
        .fetch_all(&mut *conn)
        .await
        .unwrap_or_default();
    for row in rows {
        let name: String = row.get(0);
        drop_database(conn, &name).await;
    }
}

/// A running server and a cookie-keeping client for it.
pub struct TestApp {
    pub database_url: String,
    pub base_url: String,
    pub client: Client,
    pub state: AppState,
    pub backend: Backend,
    _sqlite_dir: Option<tempfile::TempDir>,
    _site_dir: tempfile::TempDir,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl TestApp {
    /// A server with the first admin created, on `backend`.
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, &[]).await
    }

    /// A server with extra environment settings.
    pub async fn spawn_with(backend: Backend, extra: &[(&str, &str)]) -> Self {
        let (database_url, sqlite_dir) = fresh_database(backend).await;
        Self::spawn_on(backend, database_url, sqlite_dir, extra).await
    }

    /// Another server process over this one's database (shared sessions).
    pub async fn spawn_second(&self) -> Self {
        Self::spawn_on(self.backend, self.database_url.clone(), None, &[]).await
    }

    async fn spawn_on(
        backend: Backend,
        database_url: String,
        sqlite_dir: Option<tempfile::TempDir>,
        extra: &[(&str, &str)],
    ) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = listener.local_addr().expect("address");
        let site_dir = tempfile::tempdir().expect("site dir");
        let base_url = format!("http://{address}");
        let mut env: BTreeMap<String, String> = [
            ("DATABASE_URL", database_url.as_str()),
            ("PORTCULLIS_LISTEN", &address.to_string()),
            ("PORTCULLIS_BASE_URL", &base_url),
            ("PORTCULLIS_SITE_ROOT", &site_dir.path().display().to_string()),
            ("PORTCULLIS_ADMIN_EMAIL", ADMIN_EMAIL),
            ("PORTCULLIS_ADMIN_PASSWORD", ADMIN_PASSWORD),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        for (k, v) in extra {
            env.insert((*k).to_owned(), (*v).to_owned());
        }
        let config = Config::from_sources(None, &env).expect("test config");
        let state = portcullis::connect(config).await.expect("connect");
        portcullis::announce_first_admin(&state).await.expect("first admin");
        let served = state.clone();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let shutdown = async move {
                let _ = stopped.await;
            };
            portcullis::serve(served, listener, shutdown).await.expect("serve");
        });
        Self {
            database_url,
            base_url,
            client: new_client(),
            state,
            backend,
            _sqlite_dir: sqlite_dir,
            _site_dir: site_dir,
            // Dropping the sender stops the server, which releases its
            // database connections (Postgres allows only so many).
            _stop: stop,
        }
    }

    /// An absolute URL for `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// A second browser: its own cookie jar.
    pub fn new_client(&self) -> Client {
        new_client()
    }

    /// `POST /api/v1/auth/login` with this app's client.
    pub async fn login(&self, email: &str, password: &str) -> Response {
        self.login_with(&self.client, email, password).await
    }

    /// `POST /api/v1/auth/login` with `client`.
    pub async fn login_with(&self, client: &Client, email: &str, password: &str) -> Response {
        client
            .post(self.url("/api/v1/auth/login"))
            .json(&json!({ "email": email, "password": password }))
            .send()
            .await
            .expect("login request")
    }

    /// Signs in as the first admin, asserting success.
    pub async fn login_admin(&self) {
        let response = self.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
        assert_eq!(response.status(), StatusCode::OK, "admin login failed");
    }
}

fn new_client() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        // A server that never answers fails its test instead of hanging the suite.
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .expect("client")
}

/// The session cookie's `name=value` from a response, if it set one.
pub fn session_cookie(response: &Response) -> Option<String> {
    set_cookie_headers(response)
        .into_iter()
        .find(|c| c.starts_with("portcullis_session="))
        .map(|c| c.split(';').next().unwrap_or_default().to_owned())
}

/// Every `Set-Cookie` header of a response.
pub fn set_cookie_headers(response: &Response) -> Vec<String> {
    response.headers().get_all(header::SET_COOKIE).iter().filter_map(|v| v.to_str().ok().map(str::to_owned)).collect()
}

/// The `{"error":{…}}` body's code and message.
pub async fn error_of(response: Response) -> (StatusCode, String, String) {
    let status = response.status();
    let body: Value = response.json().await.expect("JSON error body");
    let code = body["error"]["code"].as_str().unwrap_or_default().to_owned();
    let message = body["error"]["message"].as_str().unwrap_or_default().to_owned();
    (status, code, message)
}
