//! Sign-in with GitHub and Google against a provider on loopback: the
//! happy paths through an invitation, and every check of the flow.

use reqwest::{header::LOCATION, Client, StatusCode};
use serde_json::{json, Value};

use crate::backend_tests;
use crate::fake_oauth::{FakeAccount, FakeOAuth};
use crate::helpers::{Backend, TestApp};

backend_tests!(
    an_invited_person_joins_with_github_and_lands_with_the_invited_access,
    state_and_codes_are_checked,
    who_may_join_and_with_which_email,
    sign_in_methods_are_linked_unlinked_and_never_all_removed,
);

fn account(id: &str, email: &str, verified: bool) -> FakeAccount {
    FakeAccount {
        id: id.to_owned(),
        login: email.split('@').next().unwrap().to_owned(),
        email: email.to_owned(),
        verified,
    }
}

async fn app_with_providers(backend: Backend, extra: &[(&str, &str)]) -> (TestApp, FakeOAuth) {
    let fake = FakeOAuth::start().await;
    let mut settings = fake.settings();
    settings.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
    let borrowed: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let app = TestApp::spawn_with(backend, &borrowed).await;
    (app, fake)
}

fn location(response: &reqwest::Response) -> String {
    response.headers().get(LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}

/// Starts at Portcullis, goes through the provider's authorize page; returns
/// the callback URL the provider sent the browser to.
async fn to_callback(app: &TestApp, client: &Client, provider: &str, invite: Option<&str>) -> String {
    let mut start = format!("/auth/{provider}/start?next=/account");
    if let Some(token) = invite {
        start.push_str(&format!("&invite={token}"));
    }
    let out = client.get(app.url(&start)).send().await.unwrap();
    assert!(out.status().is_redirection(), "{}", out.status());
    let authorize = location(&out);
    assert!(authorize.contains("code_challenge=") && authorize.contains("code_challenge_method=S256"), "{authorize}");
    assert!(authorize.contains("state="), "{authorize}");
    let back = client.get(&authorize).send().await.unwrap();
    assert!(back.status().is_redirection(), "{}", back.status());
    location(&back)
}

/// Where the callback sends the browser.
async fn callback(client: &Client, url: &str) -> String {
    let response = client.get(url).send().await.unwrap();
    assert!(response.status().is_redirection(), "{}: {}", url, response.status());
    location(&response)
}

async fn me(app: &TestApp, client: &Client) -> Value {
    let response = client.get(app.url("/api/v1/me")).send().await.unwrap();
    if response.status() != StatusCode::OK {
        return Value::Null;
    }
    response.json().await.unwrap()
}

fn decoded(text: &str) -> String {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&text[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

async fn invite_token(app: &TestApp, email: &str, role: &str, workspace: Option<&str>) -> String {
    let created: Value = app
        .client
        .post(app.url("/api/v1/invitations"))
        .json(&json!({"emails": [email], "role": role, "workspace": workspace}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    created[0]["link"].as_str().unwrap().rsplit('/').next().unwrap().to_owned()
}

async fn an_invited_person_joins_with_github_and_lands_with_the_invited_access(backend: Backend) {
    let (app, fake) = app_with_providers(backend, &[]).await;
    app.login_admin().await;
    let created =
        app.client.post(app.url("/api/v1/workspaces")).json(&json!({"key": "ml", "name": "ML"})).send().await.unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let token = invite_token(&app, "octo@example.com", "developer", Some("ml")).await;

    fake.will_sign_in(account("4242", "octo@example.com", true));
    let browser = app.new_client();
    let back = to_callback(&app, &browser, "github", Some(&token)).await;
    assert_eq!(callback(&browser, &back).await, "/account");
    let signed_in = me(&app, &browser).await;
    assert_eq!(signed_in["user"]["email"], "octo@example.com");
    let id = signed_in["user"]["id"].as_str().unwrap().to_owned();
    let allowed: Value = browser
        .post(app.url("/api/v1/authz/check"))
        .json(&json!({"user_id": id, "permission": "endpoint:create", "workspace": "ml"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(allowed["allowed"], true, "{allowed}");
    let listed: Value =
        app.client.get(app.url("/api/v1/invitations?status=accepted")).send().await.unwrap().json().await.unwrap();
    assert_eq!(listed["items"][0]["email"], "octo@example.com");

    // Later, from another browser, the same GitHub account signs in as the same user.
    let later = app.new_client();
    let back = to_callback(&app, &later, "github", None).await;
    assert_eq!(callback(&later, &back).await, "/account");
    assert_eq!(me(&app, &later).await["user"]["id"], id.as_str());
    let identities: i64 = sqlx::query_scalar::<_, i64>("select count(*) from identities where user_id = $1")
        .bind(id.clone())
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(identities, 1);
}

async fn state_and_codes_are_checked(backend: Backend) {
    let (app, fake) = app_with_providers(backend, &[("PORTCULLIS_SIGNUP_MODE", "open")]).await;
    fake.will_sign_in(account("7", "seven@example.com", true));

    // A forged state.
    let browser = app.new_client();
    let back = to_callback(&app, &browser, "github", None).await;
    let forged = back.replace("state=", "state=forged");
    let landed = callback(&browser, &forged).await;
    assert!(landed.starts_with("/login?error="), "{landed}");
    assert!(decoded(&landed).contains("state does not match"), "{landed}");
    assert!(me(&app, &browser).await.is_null());

    // No state at all.
    let browser = app.new_client();
    let back = to_callback(&app, &browser, "github", None).await;
    let without: String = back.split('&').filter(|p| !p.starts_with("state=")).collect::<Vec<_>>().join("&");
    assert!(decoded(&callback(&browser, &without).await).contains("no state"));

    // A callback this browser never started.
    let stranger = app.new_client();
    assert!(decoded(&callback(&stranger, &back).await).contains("not started here"));

    // A code used once, then replayed: the same callback again, and the old
    // code inside a fresh sign-in.
    let first = app.new_client();
    let back = to_callback(&app, &first, "github", None).await;
    assert_eq!(callback(&first, &back).await, "/account");
    assert_eq!(me(&app, &first).await["user"]["email"], "seven@example.com");
    let replay = app.new_client();
    assert!(decoded(&callback(&replay, &back).await).contains("not started here"));
    let fresh = to_callback(&app, &replay, "github", None).await;
    let fresh_state = fresh.split(['?', '&']).find(|p| p.starts_with("state=")).unwrap().to_owned();
    let old_code = back.split(['?', '&']).find(|p| p.starts_with("code=")).unwrap().to_owned();
    let replayed = format!("{}?{old_code}&{fresh_state}", fresh.split('?').next().unwrap());
    let landed = decoded(&callback(&replay, &replayed).await);
    assert!(landed.contains("refused the sign-in code"), "{landed}");
    assert!(me(&app, &replay).await.is_null());

    // The provider said no.
    let denied = app.new_client();
    let back = to_callback(&app, &denied, "google", None).await;
    let state = back.split(['?', '&']).find(|p| p.starts_with("state=")).unwrap().to_owned();
    let refused = format!("{}?error=access_denied&{state}", back.split('?').next().unwrap());
    assert!(decoded(&callback(&denied, &refused).await).contains("did not sign you in"));

    // An unknown provider.
    let unknown = app.new_client().get(app.url("/auth/myspace/start")).send().await.unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}

async fn who_may_join_and_with_which_email(backend: Backend) {
    let (app, fake) = app_with_providers(backend, &[("PORTCULLIS_SEED_ADMINS", "boss@example.com")]).await;
    app.login_admin().await;

    // Invitation-only (the default): a stranger is turned away.
    fake.will_sign_in(account("1", "stranger@example.com", true));
    let browser = app.new_client();
    let back = to_callback(&app, &browser, "github", None).await;
    assert!(decoded(&callback(&browser, &back).await).contains("by invitation only"));
    assert!(me(&app, &browser).await.is_null());

    // An unverified email does not count.
    let token = invite_token(&app, "unverified@example.com", "viewer", None).await;
    fake.will_sign_in(account("2", "unverified@example.com", false));
    let browser = app.new_client();
    let back = to_callback(&app, &browser, "github", Some(&token)).await;
    let landed = callback(&browser, &back).await;
    assert!(landed.starts_with(&format!("/invite/{token}?error=")), "{landed}");
    assert!(decoded(&landed).contains("no verified primary email"), "{landed}");

    // An invitation for one email, GitHub vouching for another: refused,
    // and the invitation stays pending.
    fake.will_sign_in(account("3", "someone-else@example.com", true));
    let browser = app.new_client();
    let back = to_callback(&app, &browser, "github", Some(&token)).await;
    let landed = decoded(&callback(&browser, &back).await);
    assert!(landed.contains("this invitation is for unverified@example.com"), "{landed}");
    let pending: Value =
        app.client.get(app.url("/api/v1/invitations?status=pending")).send().await.unwrap().json().await.unwrap();
    assert_eq!(pending["items"].as_array().unwrap().len(), 1);

    // A seed admin joins through Google and is an administrator.
    fake.will_sign_in(account("boss-sub", "boss@example.com", true));
    let boss = app.new_client();
    let back = to_callback(&app, &boss, "google", None).await;
    assert_eq!(callback(&boss, &back).await, "/account");
    let users = boss.get(app.url("/api/v1/users")).send().await.unwrap();
    assert_eq!(users.status(), StatusCode::OK, "a seed admin can read users");

    // Someone with a password account signs in with Google's verified email:
    // the identity is linked to that account.
    let created = app
        .client
        .post(app.url("/api/v1/users"))
        .json(&json!({"email": "pat@example.com", "name": "Pat", "password": "pat long password"}))
        .send()
        .await
        .unwrap();
    let pat: Value = created.json().await.unwrap();
    fake.will_sign_in(account("pat-sub", "pat@example.com", true));
    let browser = app.new_client();
    let back = to_callback(&app, &browser, "google", None).await;
    assert_eq!(callback(&browser, &back).await, "/account");
    assert_eq!(me(&app, &browser).await["user"]["id"], pat["id"]);
}

async fn sign_in_methods_are_linked_unlinked_and_never_all_removed(backend: Backend) {
    let (app, fake) = app_with_providers(backend, &[("PORTCULLIS_SIGNUP_MODE", "open")]).await;
    fake.will_sign_in(account("solo-gh", "solo@example.com", true));
    let solo = app.new_client();
    let back = to_callback(&app, &solo, "github", None).await;
    assert_eq!(callback(&solo, &back).await, "/account");
    let methods = |client: Client| {
        let url = app.url("/sfn/me/sign-in-methods");
        async move { client.get(url).send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let before = methods(solo.clone()).await;
    assert_eq!(before["password"], false);
    assert_eq!(before["identities"][0]["provider"], "github");
    assert_eq!(before["linkable"][0][0], "google");

    // The only way in cannot be removed.
    let refused = solo.post(app.url("/sfn/me/unlink")).form(&[("provider", "github")]).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["code"], "last_sign_in_method");

    // Link Google (its email may differ), then GitHub may go.
    fake.will_sign_in(account("solo-google", "solo.alt@example.com", true));
    let back = {
        let out = solo.get(app.url("/auth/google/start?link=1")).send().await.unwrap();
        let authorize = location(&out);
        location(&solo.get(&authorize).send().await.unwrap())
    };
    assert_eq!(callback(&solo, &back).await, "/account");
    let linked = methods(solo.clone()).await;
    assert_eq!(linked["identities"].as_array().unwrap().len(), 2, "{linked}");
    let unlinked = solo.post(app.url("/sfn/me/unlink")).form(&[("provider", "github")]).send().await.unwrap();
    assert_eq!(unlinked.status(), StatusCode::OK);

    // A password: set without one, then changing needs the current one.
    let set =
        solo.post(app.url("/sfn/me/password")).form(&[("new_password", "solo long password")]).send().await.unwrap();
    assert_eq!(set.status(), StatusCode::OK);
    let missing =
        solo.post(app.url("/sfn/me/password")).form(&[("new_password", "another long password")]).send().await.unwrap();
    assert_eq!(missing.status(), StatusCode::BAD_REQUEST);
    let wrong = solo
        .post(app.url("/sfn/me/password"))
        .form(&[("current_password", "not it at all"), ("new_password", "another long password")])
        .send()
        .await
        .unwrap();
    let body: Value = wrong.json().await.unwrap();
    assert_eq!(body["fields"][0]["field"], "current_password", "{body}");
    let changed = solo
        .post(app.url("/sfn/me/password"))
        .form(&[("current_password", "solo long password"), ("new_password", "another long password")])
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
    assert_eq!(
        app.login_with(&app.new_client(), "solo@example.com", "another long password").await.status(),
        StatusCode::OK
    );

    // An account that already signs in as someone else cannot be linked.
    fake.will_sign_in(account("4242-taken", "taken@example.com", true));
    let taken = app.new_client();
    let back = to_callback(&app, &taken, "github", None).await;
    assert_eq!(callback(&taken, &back).await, "/account");
    let back = {
        let out = solo.get(app.url("/auth/github/start?link=1")).send().await.unwrap();
        let authorize = location(&out);
        location(&solo.get(&authorize).send().await.unwrap())
    };
    let landed = decoded(&callback(&solo, &back).await);
    assert!(landed.starts_with("/account?error=") && landed.contains("someone else"), "{landed}");
}
