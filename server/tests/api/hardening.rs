//! Security headers on every answer, and secrets kept out of the request log.

use reqwest::{header, StatusCode};

use crate::backend_tests;
use crate::helpers::{Backend, TestApp, ADMIN_EMAIL, ADMIN_PASSWORD};

backend_tests!(
    pages_and_api_answers_carry_security_headers,
    the_audit_export_streams_and_neutralises_formulas,
    a_parallel_burst_of_wrong_passwords_gets_no_more_verdicts_than_the_limit,
    guesses_at_the_current_password_are_throttled,
    forwarded_addresses_count_only_from_trusted_proxies,
);

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

async fn the_audit_export_streams_and_neutralises_formulas(backend: Backend) {
    use app::server::store::audit::{insert, NewAuditEntry};
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    // More rows than one page of the export, one of them a formula.
    let mut conn = app.state.db.acquire().await.unwrap();
    for n in 0..2_500 {
        let entry = NewAuditEntry {
            action: "test.entry".into(),
            reason: Some(if n == 7 { "=HYPERLINK(\"http://evil\")".into() } else { format!("entry {n}") }),
            ..NewAuditEntry::default()
        };
        insert(&mut conn, &entry, 1_700_000_000_000 + n).await.unwrap();
    }
    drop(conn);
    let response = app.client.get(app.url("/api/v1/audit/export.csv?action=test.entry")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers().get(header::CONTENT_LENGTH).is_none(), "streamed, not built whole");
    let body = response.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2_500);
    let reasons: Vec<&str> = rows.iter().map(|r| r.get(11).unwrap()).collect();
    assert!(reasons.contains(&"'=HYPERLINK(\"http://evil\")"), "neutralised");
    assert!(!reasons.iter().any(|r| r.starts_with('=')));
    // Refused before anything is sent.
    let other = app.new_client();
    assert_eq!(other.get(app.url("/api/v1/audit/export.csv")).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
}

async fn a_parallel_burst_of_wrong_passwords_gets_no_more_verdicts_than_the_limit(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("PORTCULLIS_LOGIN_MAX_FAILURES", "3")]).await;
    let attempts: Vec<_> = (0..20)
        .map(|n| {
            let (client, url) = (app.new_client(), app.url("/api/v1/auth/login"));
            let body = serde_json::json!({"email": ADMIN_EMAIL, "password": format!("wrong guess number {n}")});
            tokio::spawn(async move { client.post(url).json(&body).send().await.unwrap().status() })
        })
        .collect();
    let mut verdicts = 0;
    for attempt in attempts {
        match attempt.await.unwrap() {
            StatusCode::UNAUTHORIZED => verdicts += 1,
            StatusCode::TOO_MANY_REQUESTS => {}
            other => panic!("{other}"),
        }
    }
    assert!((1..=3).contains(&verdicts), "{verdicts} of 20 wrong passwords were judged");
}

async fn guesses_at_the_current_password_are_throttled(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("PORTCULLIS_LOGIN_MAX_FAILURES", "3")]).await;
    app.login_admin().await;
    let change = |current: &str| {
        app.client
            .post(app.url("/sfn/me/password"))
            .form(&[("current_password", current), ("new_password", "a brand new long password")])
            .send()
    };
    for _ in 0..3 {
        assert_eq!(change("not my password at all").await.unwrap().status(), StatusCode::BAD_REQUEST);
    }
    // Now even the right one waits: the guesses counted like sign-ins.
    let refused = change(ADMIN_PASSWORD).await.unwrap();
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
}

/// Four failures (the per-address limit with max_failures 1) against
/// different accounts, each claiming to come from `forwarded(n)`; then
/// whether a fifth from `last` is refused.
async fn fifth_is_refused(app: &TestApp, round: &str, forwarded: impl Fn(usize) -> String, last: &str) -> bool {
    let attempt = |email: String, from: String| {
        app.new_client()
            .post(app.url("/api/v1/auth/login"))
            .header("x-forwarded-for", from)
            .json(&serde_json::json!({"email": email, "password": "not the password"}))
            .send()
    };
    for n in 0..4 {
        assert_eq!(
            attempt(format!("{round}{n}@example.com"), forwarded(n)).await.unwrap().status(),
            StatusCode::UNAUTHORIZED
        );
    }
    attempt(format!("{round}-fresh@example.com"), last.into()).await.unwrap().status() == StatusCode::TOO_MANY_REQUESTS
}

async fn forwarded_addresses_count_only_from_trusted_proxies(backend: Backend) {
    let limit = ("PORTCULLIS_LOGIN_MAX_FAILURES", "1");
    // Behind a trusted proxy, each client has its own address budget.
    let behind = TestApp::spawn_with(backend, &[limit, ("PORTCULLIS_TRUSTED_PROXIES", "127.0.0.1/32")]).await;
    assert!(fifth_is_refused(&behind, "one", |_| "203.0.113.1".into(), "203.0.113.1").await, "one client's budget");
    assert!(
        !fifth_is_refused(&behind, "many", |n| format!("198.51.100.{n}"), "198.51.100.9").await,
        "others are not locked out"
    );
    // Without it, the header is a client's claim and changes nothing.
    let direct = TestApp::spawn_with(backend, &[limit]).await;
    assert!(
        fifth_is_refused(&direct, "spoof", |n| format!("192.0.2.{n}"), "192.0.2.200").await,
        "spoofing does not escape"
    );
}
