//! Security headers on every answer, and secrets kept out of the request log.

use reqwest::{header, StatusCode};

use crate::backend_tests;
use crate::helpers::{Backend, TestApp};

backend_tests!(pages_and_api_answers_carry_security_headers);

async fn pages_and_api_answers_carry_security_headers(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    // A console page: its scripts carry this response's nonce, and its
    // policy names that nonce.
    let page = app.client.get(app.url("/login")).header(header::ACCEPT, "text/html").send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let csp = page.headers()[header::CONTENT_SECURITY_POLICY].to_str().unwrap().to_owned();
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("'wasm-unsafe-eval'"), "{csp}");
    let nonce = csp.split("'nonce-").nth(1).and_then(|rest| rest.split('\'').next()).expect("a nonce").to_owned();
    assert_eq!(page.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(page.headers()[header::REFERRER_POLICY], "same-origin");
    assert!(page.headers().get(header::STRICT_TRANSPORT_SECURITY).is_none(), "not over http");
    let html = page.text().await.unwrap();
    let scripts = html.matches("<script").count();
    assert!(scripts >= 2, "{html}");
    assert_eq!(html.matches(&format!("nonce=\"{nonce}\"")).count(), scripts, "every script has the nonce: {html}");
    // Another page gets another nonce.
    let again = app.client.get(app.url("/login")).header(header::ACCEPT, "text/html").send().await.unwrap();
    assert!(!again.headers()[header::CONTENT_SECURITY_POLICY].to_str().unwrap().contains(&nonce));

    // An API answer allows nothing to run or frame it.
    let api = app.client.get(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(api.status(), StatusCode::UNAUTHORIZED);
    assert!(api.headers()[header::CONTENT_SECURITY_POLICY].to_str().unwrap().starts_with("default-src 'none'"));
    assert_eq!(api.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(api.headers()[header::X_FRAME_OPTIONS], "DENY");
}
