//! Password sign-in, sessions and their cookies.

use reqwest::{header, StatusCode};
use serde_json::Value;

use crate::backend_tests;
use crate::helpers::{error_of, session_cookie, set_cookie_headers, Backend, TestApp, ADMIN_EMAIL, ADMIN_PASSWORD};

backend_tests!(
    good_password_signs_in,
    wrong_password_unknown_email_and_disabled_user_look_the_same,
    missing_fields_and_bad_json_are_400,
    me_without_a_session_is_401,
    cookie_flags_are_strict,
    cookie_is_secure_behind_https,
    session_id_changes_at_sign_in,
    sign_out_deletes_the_server_session,
    repeated_failures_are_refused_for_a_while,
    sessions_are_shared_by_server_processes,
);

async fn session_rows(app: &TestApp) -> i64 {
    use sqlx::Row;
    sqlx::query("select count(*) as n from sessions where user_id is not null")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap()
        .get::<i64, _>("n")
}

async fn good_password_signs_in(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let response = app.login("  Admin@Example.com ", ADMIN_PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["user"]["email"], ADMIN_EMAIL);
    assert!(body["user"]["id"].as_str().is_some_and(|id| id.len() == 36));
    assert!(body["user"]["name"].is_string());

    let me: Value = app.client.get(app.url("/api/v1/me")).send().await.unwrap().json().await.unwrap();
    assert_eq!(me["user"]["id"], body["user"]["id"]);
    assert_eq!(me["user"]["status"], "active");
}

async fn wrong_password_unknown_email_and_disabled_user_look_the_same(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let wrong = error_of(app.login(ADMIN_EMAIL, "not the password at all").await).await;
    let unknown = error_of(app.login("nobody@example.com", ADMIN_PASSWORD).await).await;
    sqlx::query("update users set status = 'disabled'").execute(app.state.db.pool()).await.unwrap();
    let disabled = error_of(app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await).await;
    for (status, code, message) in [wrong, unknown, disabled] {
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(code, "unauthenticated");
        assert_eq!(message, "wrong email or password");
    }
    assert!(app.client.get(app.url("/api/v1/me")).send().await.unwrap().status() == StatusCode::UNAUTHORIZED);
}

async fn missing_fields_and_bad_json_are_400(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let response = app.login("", "").await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "validation");
    let fields: Vec<&str> =
        body["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["email", "password"]);

    let response = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header(header::CONTENT_TYPE, "application/json")
        .body("{\"email\": ")
        .send()
        .await
        .unwrap();
    let (status, code, message) = error_of(response).await;
    assert_eq!((status, code.as_str()), (StatusCode::BAD_REQUEST, "validation"));
    assert!(message.contains("not valid JSON"), "{message}");
}

async fn me_without_a_session_is_401(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (status, code, _) = error_of(app.client.get(app.url("/api/v1/me")).send().await.unwrap()).await;
    assert_eq!((status, code.as_str()), (StatusCode::UNAUTHORIZED, "unauthenticated"));
}

async fn cookie_flags_are_strict(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let response = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let cookie = set_cookie_headers(&response)
        .into_iter()
        .find(|c| c.starts_with("portcullis_session="))
        .expect("session cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(cookie.contains("Path=/"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain http must not ask for Secure: {cookie}");
}

async fn cookie_is_secure_behind_https(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("PORTCULLIS_BASE_URL", "https://access.example.com")]).await;
    let response = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let cookie = set_cookie_headers(&response)
        .into_iter()
        .find(|c| c.starts_with("portcullis_session="))
        .expect("session cookie");
    assert!(cookie.contains("Secure"), "{cookie}");
}

async fn session_id_changes_at_sign_in(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let first = session_cookie(&app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await).expect("first cookie");
    let second = session_cookie(&app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await).expect("second cookie");
    assert_ne!(first, second, "signing in again must issue a new session id");
    // The old id no longer works anywhere.
    let stale = app.new_client().get(app.url("/api/v1/me")).header(header::COOKIE, &first).send().await.unwrap();
    assert_eq!(stale.status(), StatusCode::UNAUTHORIZED);
    let fresh = app.new_client().get(app.url("/api/v1/me")).header(header::COOKIE, &second).send().await.unwrap();
    assert_eq!(fresh.status(), StatusCode::OK);
}

async fn sign_out_deletes_the_server_session(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let cookie = session_cookie(&app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await).expect("cookie");
    assert_eq!(session_rows(&app).await, 1);
    let response = app.client.post(app.url("/api/v1/auth/logout")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(session_rows(&app).await, 0, "the session row must be gone");
    // Replaying the old cookie from elsewhere does not work.
    let replay = app.new_client().get(app.url("/api/v1/me")).header(header::COOKIE, &cookie).send().await.unwrap();
    assert_eq!(replay.status(), StatusCode::UNAUTHORIZED);
}

async fn repeated_failures_are_refused_for_a_while(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("PORTCULLIS_LOGIN_MAX_FAILURES", "3")]).await;
    for _ in 0..3 {
        assert_eq!(app.login(ADMIN_EMAIL, "guess guess guess").await.status(), StatusCode::UNAUTHORIZED);
    }
    let refused = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = refused.headers()[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!(retry_after > 0 && retry_after <= 15 * 60, "{retry_after}");
    let (_, code, message) = error_of(refused).await;
    assert_eq!(code, "too_many_requests");
    assert!(message.contains("try again in"), "{message}");
}

async fn sessions_are_shared_by_server_processes(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let cookie = session_cookie(&app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await).expect("cookie");
    let other = app.spawn_second().await;
    let response =
        other.new_client().get(other.url("/api/v1/me")).header(header::COOKIE, &cookie).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "a session made on one process works on another");
}
