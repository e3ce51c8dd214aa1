//! A real nginx (Debian's, with `auth_request`) runs the shipped
//! `deploy/nginx/portcullis.conf` in front of a model server stand-in, with
//! Portcullis deciding every request: the example configuration works as
//! written, not only as described.

use reqwest::{header::AUTHORIZATION, StatusCode};
use std::{net::SocketAddr, path::Path, process::Stdio, time::Duration};

use crate::backend_tests;
use crate::helpers::{Backend, TestApp};

backend_tests!(nginx_lets_through_only_what_portcullis_allows);

const RULES: &str = r#"[
    {"method": "POST", "path": "/v1/{workspace}/endpoints/{endpoint}/predict", "permission": "endpoint:invoke", "workspace": "{workspace}"}
]"#;

/// The model server's stand-in: answers who nginx said is calling, and
/// from where, so the test sees what reached it.
async fn model_server() -> SocketAddr {
    use axum::{http::HeaderMap, routing::any, Router};
    let echo = |headers: HeaderMap| async move {
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("-").to_owned();
        format!("served {} {}", header("x-portcullis-user"), header("x-portcullis-workspace"))
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, Router::new().fallback(any(echo))).await });
    address
}

/// nginx as a child process, stopped when dropped: one process
/// (`master_process off`), so killing it leaves no worker behind.
struct Nginx {
    child: std::process::Child,
    address: SocketAddr,
    _dir: tempfile::TempDir,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn start_nginx(portcullis: &str, upstream: SocketAddr) -> Nginx {
    let shipped =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy/nginx/portcullis.conf")).unwrap();
    let address: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    // Only the addresses change: the rest is the file as shipped.
    let site = shipped
        .replace("server 127.0.0.1:3000;", &format!("server {portcullis};"))
        .replace("server 127.0.0.1:8000;", &format!("server {upstream};"))
        .replace("listen 127.0.0.1:8080;", &format!("listen {address};"));
    assert_ne!(site, shipped);
    let dir = tempfile::tempdir().unwrap();
    let at = |name: &str| dir.path().join(name).display().to_string();
    std::fs::write(dir.path().join("portcullis.conf"), site).unwrap();
    let main = format!(
        "master_process off;\npid {pid};\nerror_log {log} warn;\nevents {{}}\nhttp {{\n  access_log off;\n  client_body_temp_path {tmp};\n  \
         proxy_temp_path {tmp};\n  include {site};\n}}\n",
        pid = at("nginx.pid"),
        log = at("error.log"),
        tmp = at("tmp"),
        site = at("portcullis.conf"),
    );
    std::fs::write(dir.path().join("nginx.conf"), main).unwrap();
    let nginx = ["/usr/sbin/nginx", "/usr/bin/nginx"].into_iter().find(|p| Path::new(p).exists()).expect(
        "nginx is not installed (scripts/ensure-tools.sh installs Debian's nginx-light; this test must not be skipped)",
    );
    let child = std::process::Command::new(nginx)
        .args(["-p", &at(""), "-c", &at("nginx.conf"), "-g", "daemon off;"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let nginx = Nginx { child, address, _dir: dir };
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(address).await.is_ok() {
            return nginx;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let log = std::fs::read_to_string(nginx._dir.path().join("error.log")).unwrap_or_default();
    panic!("nginx did not start on {address}: {log}");
}

async fn nginx_lets_through_only_what_portcullis_allows(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("PORTCULLIS_FORWARD_ROUTES", RULES)]).await;
    let (_, id, secret) = crate::forward::caller_with_an_invoke_token(&app).await;

    let portcullis = app.base_url.trim_start_matches("http://").trim_end_matches('/').to_owned();
    let nginx = start_nginx(&portcullis, model_server().await).await;
    let through = |method: reqwest::Method, path: &str, token: Option<&str>| {
        let mut request = reqwest::Client::new().request(method, format!("http://{}{path}", nginx.address));
        if let Some(token) = token {
            request = request.header(AUTHORIZATION, format!("Bearer {token}"));
        }
        // A client claiming to be someone else: nginx must overwrite it.
        request.header("x-portcullis-user", "forged").send()
    };
    let reason = |r: &reqwest::Response| r.headers().get("x-portcullis-reason").map(|v| v.to_str().unwrap().to_owned());

    let allowed =
        through(reqwest::Method::POST, "/v1/ml/endpoints/llama/predict?stream=1", Some(&secret)).await.unwrap();
    assert_eq!(allowed.status(), StatusCode::OK);
    assert_eq!(
        allowed.text().await.unwrap(),
        format!("served {id} ml"),
        "the model server is told who, not the forgery"
    );

    let elsewhere = through(reqwest::Method::POST, "/v1/other/endpoints/llama/predict", Some(&secret)).await.unwrap();
    assert_eq!(elsewhere.status(), StatusCode::FORBIDDEN);
    assert_eq!(reason(&elsewhere).as_deref(), Some("no_permission"));
    let unruled = through(reqwest::Method::GET, "/v1/ml/endpoints/llama", Some(&secret)).await.unwrap();
    assert_eq!((unruled.status(), reason(&unruled).as_deref()), (StatusCode::FORBIDDEN, Some("no_rule")));
    // Dot segments, sent raw (an HTTP client would resolve them first):
    // nginx routes the resolved path, Portcullis sees what was sent.
    let sneaky = raw_status(
        nginx.address,
        &format!(
            "POST /v1/other/endpoints/../../ml/endpoints/x/predict HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer {secret}\r\n\
             Content-Length: 0\r\nConnection: close\r\n\r\n"
        ),
    )
    .await;
    assert!(sneaky.starts_with("HTTP/1.1 403"), "{sneaky}");

    for token in [None, Some("pcs_not_a_token")] {
        let refused = through(reqwest::Method::POST, "/v1/ml/endpoints/llama/predict", token).await.unwrap();
        assert_eq!(refused.status(), StatusCode::UNAUTHORIZED, "{token:?}");
        let challenge = refused.headers().get("www-authenticate").map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(challenge.as_deref(), Some(r#"Bearer realm="portcullis""#), "{token:?}");
    }

    // A client's own X-Forwarded-Uri is dropped by the shipped config, so it
    // neither decides nor blocks the request.
    let with_header = reqwest::Client::new()
        .post(format!("http://{}/v1/ml/endpoints/llama/predict", nginx.address))
        .header(AUTHORIZATION, format!("Bearer {secret}"))
        .header("x-forwarded-uri", "/v1/other/endpoints/llama/predict")
        .send()
        .await
        .unwrap();
    assert_eq!(with_header.status(), StatusCode::OK);
}

/// The status line nginx answers a request written byte for byte.
async fn raw_status(address: SocketAddr, request: &str) -> String {
    let request = request.to_owned();
    tokio::task::spawn_blocking(move || {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(address).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        String::from_utf8_lossy(&answer).lines().next().unwrap_or_default().to_owned()
    })
    .await
    .unwrap()
}
