//! Real `portcullis` processes over one Postgres database, and a TCP proxy
//! that can cut a process off from Postgres: shared by the cluster tests and
//! the cluster benchmark.

#![allow(dead_code)]

use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use sqlx::Connection;

use crate::support::{admin_connection, create_database, drop_database};
pub use crate::support::{postgres_admin_url, written};
use std::{
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

pub const ADMIN_EMAIL: &str = "admin@cluster.test";
pub const ADMIN_PASSWORD: &str = "cluster-admin-password-1";

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A database of its own for one test, dropped with it.
pub struct Database {
    pub name: String,
}

impl Database {
    pub async fn create() -> Self {
        let name = format!("portcullis_cluster_{:x}_{}", std::process::id(), COUNTER.fetch_add(1, Ordering::SeqCst));
        create_database(&name).await;
        Self { name }
    }

    /// Its URL through `host:port` (Postgres itself, or a proxy), with the
    /// connections named `application` so a test can find and end them.
    pub fn url_via(&self, host_port: &str, application: &str) -> String {
        format!("postgres://postgres@{host_port}/{}?application_name={application}", self.name)
    }

    pub fn url(&self, application: &str) -> String {
        let base = postgres_admin_url();
        let host_port = base.split('@').nth(1).and_then(|rest| rest.split('/').next()).unwrap_or("127.0.0.1:5432");
        self.url_via(host_port, application)
    }

    /// Runs one statement in this database (as an operator or a retention job would).
    pub async fn execute(&self, sql: &str) -> u64 {
        let mut conn = sqlx::PgConnection::connect(&self.url("cluster-test")).await.expect("connect");
        sqlx::query(sql).execute(&mut conn).await.expect(sql).rows_affected()
    }

    /// Ends every connection the process named `application` holds.
    pub async fn terminate_connections_of(&self, application: &str) -> i64 {
        let mut conn = admin_connection().await.expect("connect");
        let row: (i64,) = sqlx::query_as(
            "select count(pg_terminate_backend(pid)) from pg_stat_activity where datname = $1 and application_name = $2",
        )
        .bind(&self.name)
        .bind(application)
        .fetch_one(&mut conn)
        .await
        .expect("terminate");
        row.0
    }

    pub async fn drop(self) {
        drop_database(&mut admin_connection().await.expect("connect"), &self.name).await;
    }
}

/// A free loopback port (bound, then released for the child to take).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("address").port()
}

/// One `portcullis serve` process.
pub struct Node {
    pub name: String,
    pub base_url: String,
    pub client: Client,
    port: u16,
    database_url: String,
    extra: Vec<(String, String)>,
    child: Option<Child>,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

/// The server binary Cargo built for these tests.
fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_portcullis")
}

impl Node {
    /// Starts a process named `name` over `database_url` and waits until it
    /// is ready.
    pub async fn start(name: &str, database_url: String, extra: &[(&str, &str)]) -> Self {
        let node = Self::launch(name, database_url, extra);
        node.wait_ready(Duration::from_secs(60)).await;
        node
    }

    /// Starts a process without waiting for it.
    pub fn launch(name: &str, database_url: String, extra: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let port = free_port();
        let mut node = Self {
            name: name.to_owned(),
            base_url: format!("http://127.0.0.1:{port}"),
            client: Client::builder().cookie_store(true).build().expect("client"),
            port,
            database_url,
            extra: extra.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
            child: None,
            log: dir.path().join(format!("{name}.log")),
            _dir: dir,
        };
        node.spawn();
        node
    }

    fn spawn(&mut self) {
        let log = std::fs::OpenOptions::new().create(true).append(true).open(&self.log).expect("log file");
        let mut command = Command::new(binary());
        command
            .arg("serve")
            .env_remove("PORTCULLIS_CONFIG")
            .env("DATABASE_URL", &self.database_url)
            .env("PORTCULLIS_LISTEN", format!("127.0.0.1:{}", self.port))
            .env("PORTCULLIS_BASE_URL", &self.base_url)
            .env("PORTCULLIS_SITE_ROOT", self._dir.path())
            .env("PORTCULLIS_ADMIN_EMAIL", ADMIN_EMAIL)
            .env("PORTCULLIS_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("PORTCULLIS_LOG", "info,sqlx=warn")
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log);
        for (k, v) in &self.extra {
            command.env(k, v);
        }
        self.child = Some(command.spawn().expect("start portcullis"));
    }

    /// The process's log so far (shown when a test fails).
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// Waits until `/readyz` answers 200.
    pub async fn wait_ready(&self, limit: Duration) {
        let started = Instant::now();
        loop {
            if let Ok(response) = self.client.get(self.url("/readyz")).send().await {
                if response.status() == StatusCode::OK {
                    return;
                }
            }
            assert!(started.elapsed() < limit, "{} was not ready within {limit:?}:\n{}", self.name, self.log());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Kills the process (no graceful shutdown: as a crash would).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port and waits until it is ready.
    pub async fn restart(&mut self) {
        self.kill();
        self.spawn();
        self.wait_ready(Duration::from_secs(60)).await;
    }

    /// Signs in as the first admin with this node's client.
    pub async fn login_admin(&self) {
        let response = self
            .client
            .post(self.url("/api/v1/auth/login"))
            .json(&json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}))
            .send()
            .await
            .expect("login");
        assert_eq!(response.status(), StatusCode::OK, "admin login on {}", self.name);
    }

    /// `GET /readyz` as JSON, with its status.
    pub async fn readiness(&self) -> (StatusCode, Value) {
        let response = self.client.get(self.url("/readyz")).send().await.expect("readyz");
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// `GET /metrics`.
    pub async fn metrics(&self) -> String {
        self.client.get(self.url("/metrics")).send().await.expect("metrics").text().await.unwrap_or_default()
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A loopback TCP proxy in front of Postgres that can be cut (every
/// connection closed, new ones refused) and restored.
pub struct Proxy {
    pub port: u16,
    up: Arc<AtomicBool>,
    connections: Arc<Mutex<Vec<tokio::task::AbortHandle>>>,
    accepting: Mutex<Option<tokio::task::JoinHandle<()>>>,
    target: String,
}

impl Proxy {
    pub async fn start(target: &str) -> Self {
        let proxy = Self {
            port: free_port(),
            up: Arc::new(AtomicBool::new(true)),
            connections: Arc::default(),
            accepting: Mutex::new(None),
            target: target.to_owned(),
        };
        proxy.listen().await;
        proxy
    }

    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    async fn listen(&self) {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", self.port)).await.expect("bind proxy");
        let (up, connections, target) = (self.up.clone(), self.connections.clone(), self.target.clone());
        let task = tokio::spawn(async move {
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else { continue };
                if !up.load(Ordering::SeqCst) {
                    continue;
                }
                let target = target.clone();
                let handle = tokio::spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                connections.lock().unwrap().push(handle.abort_handle());
            }
        });
        *self.accepting.lock().unwrap() = Some(task);
    }

    /// Closes every connection through the proxy and refuses new ones.
    pub fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        if let Some(task) = self.accepting.lock().unwrap().take() {
            task.abort();
        }
        for connection in self.connections.lock().unwrap().drain(..) {
            connection.abort();
        }
    }

    /// Accepts connections again.
    pub async fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
        // The aborted accept loop may take a moment to release the port.
        for _ in 0..50 {
            if std::net::TcpListener::bind(("127.0.0.1", self.port)).is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.listen().await;
    }
}
