//! State-changing requests from other sites are refused.

use reqwest::StatusCode;
use serde_json::Value;

use crate::backend_tests;
use crate::helpers::{error_of, Backend, TestApp};

backend_tests!(cross_origin_posts_are_refused, same_origin_posts_work);

async fn cross_origin_posts_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    let forged =
        app.client.post(app.url("/api/v1/auth/logout")).header("Origin", "http://evil.example").send().await.unwrap();
    let (status, code, _) = error_of(forged).await;
    assert_eq!((status, code.as_str()), (StatusCode::FORBIDDEN, "cross_origin"));

    let forged = app
        .client
        .post(app.url("/sfn/account/name"))
        .header("Sec-Fetch-Site", "cross-site")
        .form(&[("name", "Pwned")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);

    // Nothing changed: still signed in, name intact.
    let me: Value = app.client.get(app.url("/api/v1/me")).send().await.unwrap().json().await.unwrap();
    assert_ne!(me["user"]["name"], "Pwned");
}

async fn same_origin_posts_work(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    let response = app
        .client
        .post(app.url("/sfn/account/name"))
        .header("Origin", app.base_url.clone())
        .header("Sec-Fetch-Site", "same-origin")
        .form(&[("name", "Grace")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let response =
        app.client.post(app.url("/api/v1/auth/logout")).header("Origin", app.base_url.clone()).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}
