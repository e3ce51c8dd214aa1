//! Security headers on every answer, and secrets kept out of the request log.

use reqwest::{header, StatusCode};

use crate::backend_tests;
use crate::helpers::{Backend, TestApp, ADMIN_EMAIL, ADMIN_PASSWORD};

backend_tests!(
    pages_and_api_answers_carry_security_headers,
    a_page_as_the_browser_has_it_is_answered_304_without_a_new_policy,
    the_audit_export_streams_and_neutralises_formulas,
    a_parallel_burst_of_wrong_passwords_gets_no_more_verdicts_than_the_limit,
    guesses_at_the_current_password_are_throttled,
    forwarded_addresses_count_only_from_trusted_proxies,
    sign_ins_sign_outs_and_refused_tokens_are_audited,
    bodies_stored_fields_and_refusals_are_bounded,
    the_audit_log_is_a_hash_chain_that_names_the_first_broken_entry,
    slow_and_idle_connections_are_closed_and_capped,
    a_failing_read_is_an_error_never_an_empty_list,
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

async fn a_page_as_the_browser_has_it_is_answered_304_without_a_new_policy(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    let get = |tag: Option<&str>| {
        let mut request = app.client.get(app.url("/users")).header(header::ACCEPT, "text/html");
        if let Some(tag) = tag {
            request = request.header(header::IF_NONE_MATCH, tag);
        }
        request.send()
    };
    let first = get(None).await.unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(first.headers()[header::CACHE_CONTROL], "no-cache, private");
    let tag = first.headers()[header::ETAG].to_str().unwrap().to_owned();
    assert!(tag.starts_with("W/\""), "{tag}");
    // Rendered again, with another nonce and its resources listed another
    // way (see `comparable_page`): the same tag.
    for _ in 0..6 {
        let again = get(None).await.unwrap();
        assert_eq!(again.headers()[header::ETAG], tag.as_str());
    }

    // Sent back: 304, no body, and no policy that would replace the stored
    // one (whose nonce is the stored page's).
    let unchanged = get(Some(&tag)).await.unwrap();
    assert_eq!(unchanged.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(unchanged.headers()[header::ETAG], tag.as_str());
    assert_eq!(unchanged.headers()[header::CACHE_CONTROL], "no-cache, private");
    assert!(unchanged.headers().get(header::CONTENT_SECURITY_POLICY).is_none(), "{:?}", unchanged.headers());
    assert!(unchanged.text().await.unwrap().is_empty());
    // Among others, or weakly compared against a strong copy: still a match.
    let listed = format!("\"other\", {}", tag.trim_start_matches("W/"));
    assert_eq!(get(Some(&listed)).await.unwrap().status(), StatusCode::NOT_MODIFIED);

    // Once the page changes, the old tag gets the new page and a new tag.
    let created = app
        .client
        .post(app.url("/api/v1/users"))
        .json(&serde_json::json!({"email": "etag@example.com", "name": "Etag Person"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let changed = get(Some(&tag)).await.unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
    assert_ne!(changed.headers()[header::ETAG], tag.as_str());
    assert!(changed.headers()[header::CONTENT_SECURITY_POLICY].to_str().unwrap().contains("'nonce-"));
    assert!(changed.text().await.unwrap().contains("etag@example.com"));

    // Another user's copy is not this user's page.
    let other = app.new_client();
    let signed_out = other.get(app.url("/users")).header(header::IF_NONE_MATCH, &tag).send().await.unwrap();
    assert_ne!(signed_out.status(), StatusCode::NOT_MODIFIED);
}

async fn the_audit_export_streams_and_neutralises_formulas(backend: Backend) {
    use app::server::store::audit::{insert, NewAuditEntry};
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    // More rows than one page of the export, one of them a formula.
    let mut conn = app.state.db.write().await.unwrap();
    for n in 0..2_500 {
        let entry = NewAuditEntry {
            action: "test.entry".into(),
            reason: Some(if n == 7 { "=HYPERLINK(\"http://evil\")".into() } else { format!("entry {n}") }),
            ..NewAuditEntry::default()
        };
        insert(&mut conn, &entry, 1_700_000_000_000 + n).await.unwrap();
    }
    conn.commit().await.unwrap();
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

async fn audit_of(app: &TestApp, action: &str) -> Vec<serde_json::Value> {
    let page: serde_json::Value =
        app.client.get(app.url(&format!("/api/v1/audit?action={action}"))).send().await.unwrap().json().await.unwrap();
    page["items"].as_array().cloned().unwrap_or_default()
}

async fn sign_ins_sign_outs_and_refused_tokens_are_audited(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("PORTCULLIS_LOGIN_MAX_FAILURES", "1")]).await;
    let other = app.new_client();
    assert_eq!(app.login_with(&other, ADMIN_EMAIL, "a wrong password").await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.login_with(&other, ADMIN_EMAIL, ADMIN_PASSWORD).await.status(), StatusCode::TOO_MANY_REQUESTS);
    let bad_token = reqwest::Client::new()
        .get(app.url("/api/v1/me"))
        .header(header::AUTHORIZATION, "Bearer pcs_notarealtokenatallnotarealtokenatall1234")
        .send()
        .await
        .unwrap();
    assert_eq!(bad_token.status(), StatusCode::UNAUTHORIZED);
    // Wait out the delay the failure earned, then sign in and out.
    tokio::time::sleep(std::time::Duration::from_millis(15_100)).await;
    app.login_admin().await;
    let out = app.new_client();
    assert_eq!(app.login_with(&out, ADMIN_EMAIL, ADMIN_PASSWORD).await.status(), StatusCode::OK);
    assert!(out.post(app.url("/api/v1/auth/logout")).send().await.unwrap().status().is_success());

    let sign_ins = audit_of(&app, "auth.sign_in").await;
    let refused: Vec<_> = sign_ins.iter().filter(|e| e["outcome"] == "denied").collect();
    assert_eq!(refused.len(), 1, "{sign_ins:?}");
    assert_eq!(refused[0]["actor_email"], ADMIN_EMAIL);
    assert_eq!(refused[0]["after"]["address"], "127.0.0.1");
    assert_eq!(refused[0]["after"]["method"], "password");
    assert_eq!(sign_ins.iter().filter(|e| e["outcome"] == "success").count(), 2);
    assert_eq!(audit_of(&app, "auth.throttled").await.len(), 1);
    assert_eq!(audit_of(&app, "auth.sign_out").await.len(), 1);
    let tokens = audit_of(&app, "token.refused").await;
    assert_eq!(tokens.len(), 1);
    let method = tokens[0]["after"]["method"].as_str().unwrap();
    assert!(method.starts_with("api token pcs_notareal") && !method.contains("atall1234"), "{method}");
}

async fn bodies_stored_fields_and_refusals_are_bounded(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    // A JSON write over 16 KiB is refused before anything reads it.
    let huge = serde_json::json!({"key": "x".repeat(100_000), "name": "Huge", "permissions": []});
    // From its own client: a 413 is answered without reading the body, so
    // the server closes that connection (a kept-alive one would break).
    let oversized = app.new_client();
    assert_eq!(app.login_with(&oversized, ADMIN_EMAIL, ADMIN_PASSWORD).await.status(), StatusCode::OK);
    let refused = oversized.post(app.url("/api/v1/roles")).json(&huge).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let (_, code, message) = crate::helpers::error_of(refused).await;
    assert_eq!(code, "too_large", "{message}");
    // A bulk invitation may be larger (here: 100 KiB of bad lines, a 400 naming them).
    let bulk = serde_json::json!({"emails": vec!["not-an-email"; 9_000], "role": "viewer"});
    let response = app.client.post(app.url("/api/v1/invitations")).json(&bulk).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);

    // A refused attempt stores capped fields.
    let created = app
        .client
        .post(app.url("/api/v1/users"))
        .json(&serde_json::json!({"email": "plain@example.com", "name": "Plain", "password": "a long enough password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let plain = app.new_client();
    assert_eq!(app.login_with(&plain, "plain@example.com", "a long enough password").await.status(), StatusCode::OK);
    let long_key = serde_json::json!({"key": "k".repeat(10_000), "name": "Sneaky", "description": ""});
    let first = plain.post(app.url("/api/v1/teams")).json(&long_key).send().await.unwrap();
    assert_eq!(first.status(), StatusCode::FORBIDDEN);
    let entries = audit_of(&app, "team.create").await;
    let target = entries[0]["target"].as_str().or(entries[0]["target_id"].as_str()).unwrap_or_default().to_owned();
    assert!(target.chars().count() <= 510, "{} characters stored", target.chars().count());
    // Past 30 refusals a minute, the actor gets 429 and the log stops growing.
    let mut limited = 0;
    for _ in 0..40 {
        let status = plain
            .post(app.url("/api/v1/teams"))
            .json(&serde_json::json!({"key": "nope", "name": "N"}))
            .send()
            .await
            .unwrap()
            .status();
        limited += usize::from(status == StatusCode::TOO_MANY_REQUESTS);
    }
    assert!(limited >= 10, "{limited} of 40 were 429");
    let stored = audit_of(&app, "team.create").await.len();
    assert!(stored <= 31, "{stored} refusals stored");
}

/// `portcullis audit verify` over `app`'s database: (success, what it printed).
fn verify_with_the_cli(app: &TestApp) -> (bool, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_portcullis"))
        .args(["audit", "verify"])
        .env("DATABASE_URL", &app.database_url)
        .env("PORTCULLIS_LOG", "error")
        .output()
        .expect("run portcullis");
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    (output.status.success(), text)
}

async fn the_audit_log_is_a_hash_chain_that_names_the_first_broken_entry(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    // Writers at once (and refusals beside them) still make one chain.
    let writes: Vec<_> = (0..12)
        .map(|n| {
            let (client, url) = (app.client.clone(), app.url("/api/v1/workspaces"));
            let key = if n % 3 == 0 { "Not A Key".to_owned() } else { format!("ws-{n}") };
            tokio::spawn(
                async move { client.post(url).json(&serde_json::json!({"key": key, "name": "W"})).send().await },
            )
        })
        .collect();
    for write in writes {
        write.await.unwrap().unwrap();
    }
    let (ok, text) = verify_with_the_cli(&app);
    assert!(ok && text.contains("intact"), "{text}");
    // The export carries the chain.
    let csv = app.client.get(app.url("/api/v1/audit/export.csv")).send().await.unwrap().text().await.unwrap();
    assert!(csv.lines().next().unwrap().ends_with("prev_hash,entry_hash"), "{csv}");

    // Someone edits one entry in the database: the first broken one is named.
    let pool = app.state.db.pool();
    let ids: Vec<i64> =
        sqlx::query_scalar::<_, i64>("select id from audit_log order by id").fetch_all(pool).await.unwrap();
    let edited = ids[ids.len() / 2];
    sqlx::query("update audit_log set reason = 'nothing happened' where id = $1")
        .bind(edited)
        .execute(pool)
        .await
        .unwrap();
    let (ok, text) = verify_with_the_cli(&app);
    assert!(!ok && text.contains(&format!("broken at entry {edited}")) && text.contains("edited"), "{text}");
    let mut conn = app.state.db.read().await.unwrap();
    let verdict = app::server::store::audit::verify(&mut conn).await.unwrap();
    assert!(matches!(verdict, app::server::store::audit::ChainVerdict::Broken { id, .. } if id == edited));
    // Deleting an earlier entry breaks the link of the one after it, which is now the first broken.
    let deleted = ids[1];
    sqlx::query("delete from audit_log where id = $1").bind(deleted).execute(pool).await.unwrap();
    let verdict = app::server::store::audit::verify(&mut conn).await.unwrap();
    assert!(
        matches!(verdict, app::server::store::audit::ChainVerdict::Broken { id, .. } if id == ids[2]),
        "{verdict:?}"
    );
}

async fn slow_and_idle_connections_are_closed_and_capped(backend: Backend) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app =
        TestApp::spawn_with(backend, &[("PORTCULLIS_HEADER_TIMEOUT", "1s"), ("PORTCULLIS_MAX_CONNECTIONS", "3")]).await;
    let address = app.base_url.trim_start_matches("http://").to_owned();
    // A client that never finishes its headers is cut off after the timeout.
    let mut slow = tokio::net::TcpStream::connect(&address).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").await.unwrap();
    let started = std::time::Instant::now();
    let mut buffer = Vec::new();
    let closed = tokio::time::timeout(std::time::Duration::from_secs(5), slow.read_to_end(&mut buffer)).await;
    assert!(closed.is_ok(), "the connection was left open");
    assert!(started.elapsed() >= std::time::Duration::from_millis(800), "{:?}", started.elapsed());
    // Three idle connections fill the cap: a fourth client waits until the
    // timeout frees a slot, then is served.
    let mut idle = Vec::new();
    for _ in 0..3 {
        idle.push(tokio::net::TcpStream::connect(&address).await.unwrap());
    }
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let started = std::time::Instant::now();
    let answer = reqwest::Client::new().get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    let waited = started.elapsed();
    assert!(waited >= std::time::Duration::from_millis(500), "served at once past the cap: {waited:?}");
    assert!(waited < std::time::Duration::from_secs(4), "{waited:?}");
    drop(idle);
}

async fn a_failing_read_is_an_error_never_an_empty_list(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    let choices = app.client.get(app.url("/sfn/policies/choices")).send().await.unwrap();
    assert_eq!(choices.status(), StatusCode::OK);
    // The roles can no longer be read (sessions still can): the policy form
    // must say so, not offer no roles.
    sqlx::query("alter table roles rename to roles_away").execute(app.state.db.pool()).await.unwrap();
    let broken = app.client.get(app.url("/sfn/policies/choices")).send().await.unwrap();
    assert_eq!(broken.status(), StatusCode::INTERNAL_SERVER_ERROR, "{}", broken.text().await.unwrap());
    sqlx::query("alter table roles_away rename to roles").execute(app.state.db.pool()).await.unwrap();
}

/// A log that goes to a file or a collector has no colour codes in it.
#[test]
fn the_log_is_plain_text_when_not_on_a_terminal() {
    let dir = std::env::temp_dir().join(format!("portcullis-log-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_portcullis"))
        .arg("migrate")
        .env("DATABASE_URL", format!("sqlite://{}/log.db", dir.display()))
        .env("PORTCULLIS_LOG", "info")
        .env_remove("NO_COLOR")
        .output()
        .expect("run portcullis");
    let _ = std::fs::remove_dir_all(&dir);
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "{text}");
    assert!(text.contains("migrations applied"), "{text}");
    assert!(!text.contains('\u{1b}'), "colour codes in a piped log: {text:?}");
}
