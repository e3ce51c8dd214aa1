//! A client's malformed request is a 400 in the error envelope, never a
//! 500 or plain text (issue 14, item 6).

use reqwest::{header, StatusCode};
use serde_json::Value;

use crate::helpers::{error_of, Backend, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_requests_are_400s_in_the_error_envelope() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.login_admin().await;

    // A server function's query string nested 20,000 deep.
    let deep = format!("actor{}=1", "[a]".repeat(20_000));
    let answer = app.client.get(app.url(&format!("/sfn/audit/list?{deep}"))).send().await.unwrap();
    let status = answer.status();
    let error: Value = answer.json().await.unwrap();
    assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
    assert_eq!(error["kind"], "validation", "{error}");

    // A form body that is not UTF-8; nothing is created.
    let answer = app
        .client
        .post(app.url("/sfn/workspaces/create"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(vec![b'k', b'e', b'y', b'=', 0xff, 0xfe, b'&', b'n', b'a', b'm', b'e', b'=', 0xc3])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::BAD_REQUEST);
    let error: Value = answer.json().await.unwrap();
    assert_eq!(error["kind"], "validation", "{error}");
    // A body over the limit (on a connection of its own: the server may
    // close it without reading the rest), and a name that is no server function.
    let answer = app
        .new_client()
        .post(app.url("/sfn/workspaces/create"))
        .form(&[("key", "big"), ("name", &"n".repeat(300 * 1024))])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let answer = app.client.post(app.url("/sfn/no/such/thing")).form(&[("a", "b")]).send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::NOT_FOUND);
    let error: Value = answer.json().await.unwrap();
    assert_eq!(error["kind"], "not_found", "{error}");
    // Arguments that are missing altogether.
    let answer = app.client.post(app.url("/sfn/workspaces/create")).form(&[("nothing", "here")]).send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::BAD_REQUEST);

    // REST: a duplicate or unreadable query parameter, a path that is not
    // UTF-8, a JSON body that is not UTF-8.
    for path in ["/api/v1/users?limit=5&limit=6", "/api/v1/users?limit=many", "/api/v1/audit?since=%FF"] {
        let answer = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(answer.status(), StatusCode::BAD_REQUEST, "{path}");
        assert!(answer.headers()[header::CONTENT_TYPE].to_str().unwrap().starts_with("application/json"), "{path}");
        let error: Value = answer.json().await.unwrap();
        assert_eq!(error["error"]["code"], "validation", "{path}: {error}");
    }
    let answer = app.client.get(app.url("/api/v1/roles/%FF%FE")).send().await.unwrap();
    assert!(answer.status().is_client_error(), "{}", answer.status());
    assert!(answer.headers()[header::CONTENT_TYPE].to_str().unwrap().starts_with("application/json"));
    let answer = app
        .client
        .post(app.url("/api/v1/workspaces"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(vec![b'{', b'"', b'k', b'e', b'y', b'"', b':', b'"', 0xff, b'"', b'}'])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::BAD_REQUEST);
    let listed: Value = app.client.get(app.url("/api/v1/workspaces")).send().await.unwrap().json().await.unwrap();
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(0), "{listed}");
}

/// An id that does not parse names nothing: the same 404 as an id nobody
/// has, naming what was asked for, on every route that takes one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ids_that_are_not_ids_are_404s_naming_what_was_asked_for() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.login_admin().await;
    let admin: Value = app.client.get(app.url("/api/v1/me")).send().await.unwrap().json().await.unwrap();
    let admin = admin["user"]["id"].as_str().unwrap().to_owned();
    let rest = [
        (reqwest::Method::GET, "/api/v1/users/nope".to_owned(), "user nope"),
        (reqwest::Method::DELETE, "/api/v1/users/nope".to_owned(), "user nope"),
        (reqwest::Method::GET, "/api/v1/users/nope/effective-permissions".to_owned(), "user nope"),
        (reqwest::Method::GET, "/api/v1/users/nope/tokens".to_owned(), "user nope"),
        (reqwest::Method::DELETE, "/api/v1/users/nope/tokens/x".to_owned(), "user nope"),
        (reqwest::Method::DELETE, format!("/api/v1/users/{admin}/tokens/x"), "token x"),
        (reqwest::Method::DELETE, "/api/v1/me/tokens/x".to_owned(), "token x"),
        (reqwest::Method::DELETE, "/api/v1/policies/x".to_owned(), "policy x"),
        (reqwest::Method::DELETE, "/api/v1/invitations/x".to_owned(), "invitation x"),
        (reqwest::Method::POST, "/api/v1/invitations/x/resend".to_owned(), "invitation x"),
        (reqwest::Method::DELETE, "/api/v1/teams/core/members/nope".to_owned(), "user nope"),
    ];
    for (method, path, named) in rest {
        let (status, code, message) =
            error_of(app.client.request(method.clone(), app.url(&path)).send().await.unwrap()).await;
        assert_eq!((status, code.as_str()), (StatusCode::NOT_FOUND, "not_found"), "{method} {path}: {message}");
        assert!(message.contains(named), "{method} {path}: {message}");
    }
    // The console's server functions answer the same.
    let answer =
        app.client.post(app.url("/sfn/users/delete")).form(&[("id", "nope"), ("version", "1")]).send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::NOT_FOUND);
    let error: Value = answer.json().await.unwrap();
    assert_eq!(error["kind"], "not_found", "{error}");
}
