//! `/authz/forward`: the subrequest a gateway (nginx `auth_request`,
//! Traefik `ForwardAuth`, Envoy `ext_authz`) sends for the request it holds,
//! answered from the caller's own credential by status and headers alone.

use reqwest::{header::AUTHORIZATION, Method, StatusCode};
use serde_json::{json, Value};

use crate::backend_tests;
use crate::helpers::{error_of, Backend, TestApp};
use crate::tokens;

backend_tests!(
    a_gateway_learns_who_may_call_an_endpoint_from_status_and_headers,
    route_rules_decide_what_the_original_request_needs,
);

async fn ask(app: &TestApp, method: Method, query: &str, secret: Option<&str>) -> reqwest::Response {
    let mut request = reqwest::Client::new().request(method, app.url(&format!("/api/v1/authz/forward{query}")));
    if let Some(secret) = secret {
        request = request.header(AUTHORIZATION, format!("Bearer {secret}"));
    }
    request.send().await.unwrap()
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> Option<&'a str> {
    response.headers().get(name).and_then(|v| v.to_str().ok())
}

/// A workspace `ml` (and `other`), a user holding `endpoint-user` in `ml`,
/// and a token of theirs that may only invoke endpoints; returns their
/// signed-in client, id and the token's secret.
pub(crate) async fn caller_with_an_invoke_token(app: &TestApp) -> (reqwest::Client, String, String) {
    app.login_admin().await;
    for key in ["ml", "other"] {
        tokens::workspace(app, key).await;
    }
    let (caller, id) = tokens::member(app, "caller@example.com", &[("endpoint-user", Some("ml"))]).await;
    // Protected endpoint access: a token that may only invoke.
    let (secret, _) = tokens::make_token(app, &caller, json!({"name": "gateway", "scope": "endpoint"})).await;
    (caller, id, secret)
}

async fn a_gateway_learns_who_may_call_an_endpoint_from_status_and_headers(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (caller, id, secret) = caller_with_an_invoke_token(&app).await;

    // Allowed: the upstream is told who and where, and no body is sent.
    let allowed = ask(&app, Method::GET, "?permission=endpoint:invoke&workspace=ml", Some(&secret)).await;
    assert_eq!(allowed.status(), StatusCode::OK);
    assert_eq!(header(&allowed, "x-portcullis-user"), Some(id.as_str()));
    assert_eq!(header(&allowed, "x-portcullis-email"), Some("caller@example.com"));
    assert_eq!(header(&allowed, "x-portcullis-workspace"), Some("ml"));
    assert_eq!(allowed.text().await.unwrap(), "");
    // Envoy sends the original method.
    let posted = ask(&app, Method::POST, "?permission=endpoint:invoke&workspace=ml", Some(&secret)).await;
    assert_eq!(posted.status(), StatusCode::OK);

    // Denied: elsewhere, globally, and beyond the token's scope (the owner
    // may read endpoints in ml; this token may not).
    for query in [
        "?permission=endpoint:invoke&workspace=other",
        "?permission=endpoint:invoke",
        "?permission=endpoint:read&workspace=ml",
        "?permission=endpoint:invoke&workspace=no-such-place",
    ] {
        let denied = ask(&app, Method::GET, query, Some(&secret)).await;
        assert_eq!(denied.status(), StatusCode::FORBIDDEN, "{query}");
        assert_eq!(header(&denied, "x-portcullis-reason"), Some("no_permission"), "{query}");
        assert_eq!(header(&denied, "x-portcullis-user"), None, "{query}");
    }
    // Nothing says what to ask: refused, never let through.
    let unasked = ask(&app, Method::GET, "", Some(&secret)).await;
    assert_eq!(unasked.status(), StatusCode::FORBIDDEN);
    assert_eq!(header(&unasked, "x-portcullis-reason"), Some("no_original_request"));
    // A permission the catalog does not have is the caller's mistake, named.
    let (status, _, message) = error_of(ask(&app, Method::GET, "?permission=endpoint:fly", Some(&secret)).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(message.contains("endpoint:fly"), "{message}");

    // No credential, or one that is not valid: 401 with the challenge.
    for secret in [None, Some("pcs_not_a_token"), Some("")] {
        let refused = ask(&app, Method::GET, "?permission=endpoint:invoke&workspace=ml", secret).await;
        assert_eq!(refused.status(), StatusCode::UNAUTHORIZED, "{secret:?}");
        assert_eq!(header(&refused, "www-authenticate"), Some(r#"Bearer realm="portcullis""#), "{secret:?}");
    }

    // A browser session counts as the credential too (a console behind the gateway).
    let by_session =
        caller.get(app.url("/api/v1/authz/forward?permission=endpoint:read&workspace=ml")).send().await.unwrap();
    assert_eq!(by_session.status(), StatusCode::OK);
    assert_eq!(header(&by_session, "x-portcullis-user"), Some(id.as_str()));

    // Losing the policy, or being disabled, takes effect on the next request.
    let policies: Value =
        app.client.get(app.url(&format!("/api/v1/policies?user_id={id}"))).send().await.unwrap().json().await.unwrap();
    let policy = policies["items"][0]["id"].as_i64().unwrap();
    let revoked = app.client.delete(app.url(&format!("/api/v1/policies/{policy}"))).send().await.unwrap();
    assert_eq!(revoked.status(), StatusCode::OK);
    let after = ask(&app, Method::GET, "?permission=endpoint:invoke&workspace=ml", Some(&secret)).await;
    assert_eq!(after.status(), StatusCode::FORBIDDEN);
    let disabled = app
        .client
        .patch(app.url(&format!("/api/v1/users/{id}")))
        .json(&json!({"status": "disabled"}))
        .send()
        .await
        .unwrap();
    assert_eq!(disabled.status(), StatusCode::OK);
    let after = ask(&app, Method::GET, "?permission=endpoint:invoke&workspace=ml", Some(&secret)).await;
    assert_eq!(after.status(), StatusCode::UNAUTHORIZED);
}

const RULES: &str = r#"[
    {"method": "POST", "path": "/v1/{workspace}/endpoints/{endpoint}/predict", "permission": "endpoint:invoke", "workspace": "{workspace}"},
    {"method": "GET", "path": "/v1/{workspace}/endpoints/*", "permission": "endpoint:read", "workspace": "{workspace}"}
]"#;

async fn route_rules_decide_what_the_original_request_needs(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("PORTCULLIS_FORWARD_ROUTES", RULES)]).await;
    let (_, id, secret) = caller_with_an_invoke_token(&app).await;
    let gateway = |headers: &[(&str, &str)]| {
        let mut request = reqwest::Client::new()
            .get(app.url("/api/v1/authz/forward"))
            .header(AUTHORIZATION, format!("Bearer {secret}"));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send()
    };
    let reason = |response: &reqwest::Response| header(response, "x-portcullis-reason").map(str::to_owned);

    // nginx: X-Original-Method and X-Original-URI (with the client's query).
    let nginx =
        gateway(&[("x-original-method", "POST"), ("x-original-uri", "/v1/ml/endpoints/llama/predict?stream=1")])
            .await
            .unwrap();
    assert_eq!(nginx.status(), StatusCode::OK);
    assert_eq!(header(&nginx, "x-portcullis-user"), Some(id.as_str()));
    assert_eq!(header(&nginx, "x-portcullis-workspace"), Some("ml"));
    // Traefik: X-Forwarded-Method and X-Forwarded-Uri.
    let traefik = gateway(&[("x-forwarded-method", "POST"), ("x-forwarded-uri", "/v1/ml/endpoints/llama/predict")])
        .await
        .unwrap();
    assert_eq!(traefik.status(), StatusCode::OK);

    // Denied by the rule's permission (the token may only invoke), by its
    // workspace, by no rule matching, by a path that could be read another way.
    for (headers, expected) in [
        (vec![("x-original-method", "GET"), ("x-original-uri", "/v1/ml/endpoints/llama")], "no_permission"),
        (vec![("x-original-method", "POST"), ("x-original-uri", "/v1/other/endpoints/llama/predict")], "no_permission"),
        (vec![("x-original-method", "DELETE"), ("x-original-uri", "/v1/ml/endpoints/llama/predict")], "no_rule"),
        (
            vec![("x-original-method", "POST"), ("x-original-uri", "/v1/other/endpoints/../../ml/endpoints/x/predict")],
            "unsafe_path",
        ),
        (vec![("x-original-method", "POST"), ("x-original-uri", "/v1/ml%2Fendpoints/x/predict")], "unsafe_path"),
        (vec![("x-original-uri", "/v1/ml/endpoints/llama/predict")], "no_original_request"),
        // A client's own X-Original-URI passed on by Traefik beside the one Traefik sets.
        (
            vec![
                ("x-forwarded-method", "POST"),
                ("x-forwarded-uri", "/v1/other/endpoints/llama/predict"),
                ("x-original-uri", "/v1/ml/endpoints/llama/predict"),
            ],
            "conflicting_request",
        ),
    ] {
        let denied = gateway(&headers).await.unwrap();
        assert_eq!(denied.status(), StatusCode::FORBIDDEN, "{headers:?}");
        assert_eq!(reason(&denied).as_deref(), Some(expected), "{headers:?}");
    }

    // Envoy: the original path after the service's, the original method.
    let envoy = bearer_to(&app, Method::POST, "/api/v1/authz/forward/v1/ml/endpoints/llama/predict", &secret).await;
    assert_eq!(envoy.status(), StatusCode::OK);
    assert_eq!(header(&envoy, "x-portcullis-workspace"), Some("ml"));
    // There the query string is the client's: it never picks the question.
    let chosen = bearer_to(
        &app,
        Method::GET,
        "/api/v1/authz/forward/v1/ml/endpoints/llama?permission=endpoint:invoke&workspace=ml",
        &secret,
    )
    .await;
    assert_eq!(chosen.status(), StatusCode::FORBIDDEN, "the rule asks endpoint:read, which the token lacks");
    assert_eq!(reason(&chosen).as_deref(), Some("no_permission"));
}

async fn bearer_to(app: &TestApp, method: Method, path: &str, secret: &str) -> reqwest::Response {
    reqwest::Client::new()
        .request(method, app.url(path))
        .header(AUTHORIZATION, format!("Bearer {secret}"))
        .send()
        .await
        .unwrap()
}
