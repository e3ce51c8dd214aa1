//! A small OAuth provider on loopback that speaks like GitHub (`/user`,
//! `/user/emails`) and like Google (`/userinfo`). It checks what a real one
//! checks: the client's credentials, the redirect URI, PKCE (S256), and that
//! a code is used once.

use axum::{
    extract::{Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
    Form, Json, Router,
};
use base64::Engine;
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

pub const CLIENT_ID: &str = "test-client";
pub const CLIENT_SECRET: &str = "test-secret";

/// Who the provider says is signing in.
#[derive(Clone, Debug)]
pub struct FakeAccount {
    pub id: String,
    pub login: String,
    pub email: String,
    pub verified: bool,
}

#[derive(Default)]
struct Inner {
    next: Option<FakeAccount>,
    /// code → (PKCE challenge, redirect URI, account)
    codes: HashMap<String, (String, String, FakeAccount)>,
    tokens: HashMap<String, FakeAccount>,
    counter: u64,
}

/// The running provider.
#[derive(Clone)]
pub struct FakeOAuth {
    pub base: String,
    inner: Arc<Mutex<Inner>>,
}

#[derive(Deserialize)]
struct AuthorizeQuery {
    client_id: String,
    redirect_uri: String,
    state: String,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
}

#[derive(Deserialize)]
struct TokenForm {
    grant_type: String,
    code: String,
    redirect_uri: String,
    code_verifier: Option<String>,
}

fn oauth_error(status: StatusCode, error: &str) -> Response {
    (status, Json(json!({ "error": error }))).into_response()
}

async fn authorize(State(fake): State<FakeOAuth>, Query(query): Query<AuthorizeQuery>) -> Response {
    if query.client_id != CLIENT_ID {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_client");
    }
    let (Some(challenge), Some("S256")) = (query.code_challenge, query.code_challenge_method.as_deref()) else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request");
    };
    let mut inner = fake.inner.lock().unwrap();
    let Some(account) = inner.next.clone() else { return oauth_error(StatusCode::BAD_REQUEST, "access_denied") };
    inner.counter += 1;
    let code = format!("code-{}", inner.counter);
    inner.codes.insert(code.clone(), (challenge, query.redirect_uri.clone(), account));
    Redirect::to(&format!("{}?code={code}&state={}", query.redirect_uri, query.state)).into_response()
}

async fn token(State(fake): State<FakeOAuth>, headers: HeaderMap, Form(form): Form<TokenForm>) -> Response {
    let expected =
        format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}")));
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(expected.as_str()) {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client");
    }
    if form.grant_type != "authorization_code" {
        return oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type");
    }
    let mut inner = fake.inner.lock().unwrap();
    // A code works once.
    let Some((challenge, redirect_uri, account)) = inner.codes.remove(&form.code) else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant");
    };
    let verifier = form.code_verifier.unwrap_or_default();
    let computed = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    if computed != challenge || redirect_uri != form.redirect_uri {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant");
    }
    inner.counter += 1;
    let access = format!("token-{}", inner.counter);
    inner.tokens.insert(access.clone(), account);
    Json(json!({ "access_token": access, "token_type": "bearer", "expires_in": 3600 })).into_response()
}

fn account_of(fake: &FakeOAuth, headers: &HeaderMap) -> Option<FakeAccount> {
    let token = headers.get("authorization")?.to_str().ok()?.strip_prefix("Bearer ")?;
    fake.inner.lock().unwrap().tokens.get(token).cloned()
}

async fn github_user(State(fake): State<FakeOAuth>, headers: HeaderMap) -> Response {
    match account_of(&fake, &headers) {
        Some(a) => {
            Json(json!({ "id": a.id.parse::<u64>().unwrap_or(1), "login": a.login, "name": null })).into_response()
        }
        None => StatusCode::UNAUTHORIZED.into_response(),
    }
}

async fn github_emails(State(fake): State<FakeOAuth>, headers: HeaderMap) -> Response {
    match account_of(&fake, &headers) {
        Some(a) => Json(json!([
            { "email": format!("{}@users.noreply.example", a.login), "primary": false, "verified": true },
            { "email": a.email, "primary": true, "verified": a.verified },
        ]))
        .into_response(),
        None => StatusCode::UNAUTHORIZED.into_response(),
    }
}

async fn google_userinfo(State(fake): State<FakeOAuth>, headers: HeaderMap) -> Response {
    match account_of(&fake, &headers) {
        Some(a) => Json(json!({ "sub": a.id, "email": a.email, "email_verified": a.verified, "name": a.login }))
            .into_response(),
        None => StatusCode::UNAUTHORIZED.into_response(),
    }
}

impl FakeOAuth {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind the fake provider");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let fake = Self { base, inner: Arc::new(Mutex::new(Inner::default())) };
        let app = Router::new()
            .route("/authorize", get(authorize))
            .route("/token", post(token))
            .route("/user", get(github_user))
            .route("/user/emails", get(github_emails))
            .route("/userinfo", get(google_userinfo))
            .with_state(fake.clone());
        tokio::spawn(async move {
            axum::serve(listener, app).await.expect("fake provider");
        });
        fake
    }

    /// The next person to sign in.
    pub fn will_sign_in(&self, account: FakeAccount) {
        self.inner.lock().unwrap().next = Some(account);
    }

    /// Settings that point Portcullis's GitHub and Google sign-in here.
    pub fn settings(&self) -> Vec<(String, String)> {
        let mut settings = Vec::new();
        for provider in ["GITHUB", "GOOGLE"] {
            settings.push((format!("PORTCULLIS_{provider}_CLIENT_ID"), CLIENT_ID.to_owned()));
            settings.push((format!("PORTCULLIS_{provider}_CLIENT_SECRET"), CLIENT_SECRET.to_owned()));
            settings.push((format!("PORTCULLIS_{provider}_AUTHORIZE_URL"), format!("{}/authorize", self.base)));
            settings.push((format!("PORTCULLIS_{provider}_TOKEN_URL"), format!("{}/token", self.base)));
        }
        settings.push(("PORTCULLIS_GITHUB_API_URL".to_owned(), self.base.clone()));
        settings.push(("PORTCULLIS_GOOGLE_API_URL".to_owned(), format!("{}/userinfo", self.base)));
        settings
    }
}
