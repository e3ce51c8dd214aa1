//! Invitations: invite, mail over SMTP (or the outbox), accept with a
//! password or signed in, and every way a link stops working.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::backend_tests;
use crate::helpers::{error_of, Backend, TestApp, ADMIN_EMAIL};
use crate::smtp_sink::SmtpSink;

backend_tests!(
    invite_then_join_with_a_password_lands_with_the_invited_access,
    links_that_no_longer_work_say_why,
    only_the_invited_email_may_accept_and_no_escalation,
    invitations_are_mailed_over_smtp_and_the_link_is_not_kept,
    failed_mail_is_retried_and_shown,
    configuration_may_let_another_email_accept,
);

async fn setup_workspace_and_team(app: &TestApp) {
    for (path, body) in [
        ("/api/v1/workspaces", json!({"key": "ml", "name": "ML"})),
        ("/api/v1/teams", json!({"key": "builders", "name": "Builders"})),
    ] {
        let created = app.client.post(app.url(path)).json(&body).send().await.unwrap();
        assert_eq!(created.status(), StatusCode::CREATED, "{path}");
    }
}

async fn invite(app: &TestApp, client: &reqwest::Client, body: Value) -> reqwest::Response {
    client.post(app.url("/api/v1/invitations")).json(&body).send().await.unwrap()
}

/// The token of an invitation's link (kept in the outbox while not mailed).
fn token_of(invitation: &Value) -> String {
    let link = invitation["link"].as_str().unwrap_or_else(|| panic!("no link in {invitation}"));
    link.rsplit('/').next().unwrap().to_owned()
}

async fn join(app: &TestApp, token: &str, name: &str) -> (reqwest::Client, reqwest::Response) {
    let client = app.new_client();
    let response = client
        .post(app.url("/sfn/invitations/accept-password"))
        .form(&[("token", token), ("name", name), ("password", "invited long password")])
        .send()
        .await
        .unwrap();
    (client, response)
}

async fn sfn_error(response: reqwest::Response) -> (StatusCode, String) {
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    (status, body["code"].as_str().or(body["kind"].as_str()).unwrap_or_default().to_owned())
}

async fn invite_then_join_with_a_password_lands_with_the_invited_access(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    setup_workspace_and_team(&app).await;
    let response = invite(
        &app,
        &app.client,
        json!({"emails": ["new@example.com"], "role": "developer", "workspace": "ml", "team": "builders"}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let created: Value = response.json().await.unwrap();
    assert_eq!(created[0]["status"], "pending");
    assert_eq!(created[0]["mail_status"], "pending", "no SMTP: the mail waits in the outbox");
    let token = token_of(&created[0]);

    // Only a hash of the token is stored.
    let pool = app.state.db.pool();
    let stored: i64 = sqlx::query_scalar::<_, i64>("select count(*) from invitations where token_hash = $1")
        .bind(token.clone())
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(stored, 0);

    let preview: Value = app
        .new_client()
        .get(app.url(&format!("/sfn/invitations/preview?token={token}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(preview["email"], "new@example.com");
    assert_eq!(preview["invited_by_email"], ADMIN_EMAIL);
    assert_eq!(preview["account_exists"], false);

    // A short password is refused beside its field and nothing is created.
    let refused = app
        .new_client()
        .post(app.url("/sfn/invitations/accept-password"))
        .form(&[("token", token.as_str()), ("name", "New"), ("password", "short")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);

    let (newcomer, joined) = join(&app, &token, "New Person").await;
    assert_eq!(joined.status(), StatusCode::OK, "{}", joined.text().await.unwrap());
    let me: Value = newcomer.get(app.url("/api/v1/me")).send().await.unwrap().json().await.unwrap();
    assert_eq!(me["user"]["email"], "new@example.com");
    let my_id = me["user"]["id"].as_str().unwrap().to_owned();
    let check = |permission: &str, workspace: Option<&str>| json!({"user_id": my_id, "permission": permission, "workspace": workspace});
    let allowed: Value = newcomer
        .post(app.url("/api/v1/authz/check"))
        .json(&check("endpoint:create", Some("ml")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(allowed["allowed"], true, "{allowed}");
    let elsewhere: Value = newcomer
        .post(app.url("/api/v1/authz/check"))
        .json(&check("endpoint:create", None))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(elsewhere["allowed"], false);
    let members: Value =
        app.client.get(app.url("/api/v1/teams/builders/members")).send().await.unwrap().json().await.unwrap();
    assert!(members.to_string().contains("new@example.com"), "{members}");

    // The same link twice: refused, and no second policy.
    let (_, again) = join(&app, &token, "New Person").await;
    assert_eq!(sfn_error(again).await, (StatusCode::GONE, "invitation_used".to_owned()));
    let accept_again =
        newcomer.post(app.url("/api/v1/invitations/accept")).json(&json!({"token": token})).send().await.unwrap();
    assert_eq!(accept_again.status(), StatusCode::OK, "accepting twice is harmless for the one who accepted");
    let policies: Value = app
        .client
        .get(app.url("/api/v1/policies?subject=new%40example.com"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mine =
        policies["items"].as_array().unwrap().iter().filter(|p| p["subject"]["user_id"] == my_id.as_str()).count();
    assert_eq!(mine, 1, "{policies}");

    let listed: Value =
        app.client.get(app.url("/api/v1/invitations?status=accepted")).send().await.unwrap().json().await.unwrap();
    assert_eq!(listed["items"][0]["email"], "new@example.com");
    assert!(listed["items"][0]["link"].is_null(), "an accepted invitation shows no link");
}

async fn links_that_no_longer_work_say_why(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("PORTCULLIS_INVITE_EXPIRY", "2s")]).await;
    app.login_admin().await;
    let created: Value =
        invite(&app, &app.client, json!({"emails": ["a@example.com", "b@example.com"], "role": "viewer"}))
            .await
            .json()
            .await
            .unwrap();
    let (a, b) = (created[0].clone(), created[1].clone());

    // Revoked.
    let id = a["id"].as_str().unwrap();
    let revoked = app.client.delete(app.url(&format!("/api/v1/invitations/{id}"))).send().await.unwrap();
    assert_eq!(revoked.status(), StatusCode::OK);
    let (_, used) = join(&app, &token_of(&a), "A").await;
    assert_eq!(sfn_error(used).await, (StatusCode::GONE, "invitation_revoked".to_owned()));
    let (status, code, _) =
        error_of(app.client.delete(app.url(&format!("/api/v1/invitations/{id}"))).send().await.unwrap()).await;
    assert_eq!((status, code.as_str()), (StatusCode::CONFLICT, "invitation_finished"));

    // Resent: the old link dies, the new one works; inviting again resends too.
    let old = token_of(&b);
    let resent: Value = app
        .client
        .post(app.url(&format!("/api/v1/invitations/{}/resend", b["id"].as_str().unwrap())))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let new = token_of(&resent);
    assert_ne!(old, new);
    let preview = app.client.get(app.url(&format!("/sfn/invitations/preview?token={old}"))).send().await.unwrap();
    assert_eq!(preview.status(), StatusCode::NOT_FOUND);
    let again: Value =
        invite(&app, &app.client, json!({"emails": ["b@example.com"], "role": "viewer"})).await.json().await.unwrap();
    assert_eq!(again[0]["id"], b["id"], "a pending invitation is resent, not doubled");
    let newest = token_of(&again[0]);

    // Expired.
    tokio::time::sleep(std::time::Duration::from_millis(2_100)).await;
    let (_, late) = join(&app, &newest, "B").await;
    assert_eq!(sfn_error(late).await, (StatusCode::GONE, "invitation_expired".to_owned()));
    let expired: Value =
        app.client.get(app.url("/api/v1/invitations?status=expired")).send().await.unwrap().json().await.unwrap();
    assert_eq!(expired["items"].as_array().unwrap().len(), 1, "{expired}");

    // Unknown.
    let (_, unknown) = join(&app, "0000", "C").await;
    assert_eq!(sfn_error(unknown).await.0, StatusCode::NOT_FOUND);
}

async fn only_the_invited_email_may_accept_and_no_escalation(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    let created: Value = invite(&app, &app.client, json!({"emails": ["invited@example.com"], "role": "viewer"}))
        .await
        .json()
        .await
        .unwrap();
    let token = token_of(&created[0]);

    // Someone else, signed in, cannot take it.
    let other = app
        .client
        .post(app.url("/api/v1/users"))
        .json(&json!({"email": "other@example.com", "name": "Other", "password": "other long password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), StatusCode::CREATED);
    let other_client = app.new_client();
    assert_eq!(
        app.login_with(&other_client, "other@example.com", "other long password").await.status(),
        StatusCode::OK
    );
    let refused =
        other_client.post(app.url("/api/v1/invitations/accept")).json(&json!({"token": token})).send().await.unwrap();
    let (status, code, message) = error_of(refused).await;
    assert_eq!((status, code.as_str()), (StatusCode::FORBIDDEN, "wrong_email"));
    assert!(message.contains("invited@example.com"), "{message}");

    // An inviter who holds invite:manage but not what they hand out.
    let role = app
        .client
        .post(app.url("/api/v1/roles"))
        .json(&json!({"key": "inviter", "name": "Inviter", "permissions": ["invite:manage", "endpoint:read"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(role.status(), StatusCode::CREATED);
    let granted = app
        .client
        .post(app.url("/api/v1/policies"))
        .json(&json!({"subject": {"user_id": created_user_id(&app, "other@example.com").await}, "role": "inviter"}))
        .send()
        .await
        .unwrap();
    assert_eq!(granted.status(), StatusCode::CREATED);
    let escalation = invite(&app, &other_client, json!({"emails": ["x@example.com"], "role": "admin"})).await;
    let (status, code, _) = error_of(escalation).await;
    assert_eq!((status, code.as_str()), (StatusCode::FORBIDDEN, "escalation"));
    let fine = invite(&app, &other_client, json!({"emails": ["x@example.com"], "role": "inviter"})).await;
    assert_eq!(fine.status(), StatusCode::CREATED);

    // Without invite:manage, nothing.
    let bad = invite(&app, &app.client, json!({"emails": ["not-an-email"], "role": "viewer"})).await;
    let (status, code, message) = error_of(bad).await;
    assert_eq!((status, code.as_str()), (StatusCode::BAD_REQUEST, "validation"), "{message}");
    let audit: Value =
        app.client.get(app.url("/api/v1/audit?action=invitation.create")).send().await.unwrap().json().await.unwrap();
    assert!(audit.to_string().contains("\"denied\""), "the refused escalation is audited: {audit}");
}

async fn created_user_id(app: &TestApp, email: &str) -> String {
    let page: Value = app
        .client
        .get(app.url(&format!("/api/v1/users?q={}", email.replace('@', "%40"))))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    page["items"][0]["id"].as_str().unwrap().to_owned()
}

async fn invitations_are_mailed_over_smtp_and_the_link_is_not_kept(backend: Backend) {
    let sink = SmtpSink::start().await;
    let app = TestApp::spawn_with(
        backend,
        &[("PORTCULLIS_SMTP_URL", &sink.url()), ("PORTCULLIS_MAIL_FROM", "Portcullis <access@example.com>")],
    )
    .await;
    app.login_admin().await;
    let created: Value = invite(&app, &app.client, json!({"emails": ["mailed@example.com"], "role": "viewer"}))
        .await
        .json()
        .await
        .unwrap();
    let id = created[0]["id"].as_str().unwrap().to_owned();
    let mails = sink.wait_for(2).await;
    let invitee = mails.iter().find(|m| m.to == ["mailed@example.com"]).expect("the invitee's mail");
    let text = invitee.text();
    assert!(text.contains("Subject: You are invited to Portcullis"), "{text}");
    let link = text.lines().find_map(|l| l.strip_prefix("Open this link to join: ")).expect("a link").trim().to_owned();
    assert!(link.starts_with(&app.url("/invite/")), "{link}");
    let confirmation = mails.iter().find(|m| m.to == [ADMIN_EMAIL]).expect("the inviter's confirmation");
    assert!(confirmation.text().contains("mailed@example.com"));

    // Once sent, the outbox no longer holds the token, and the page offers no link.
    let token = link.rsplit('/').next().unwrap().to_owned();
    for _ in 0..50 {
        let listed: Value = app.client.get(app.url("/api/v1/invitations")).send().await.unwrap().json().await.unwrap();
        if listed["items"][0]["mail_status"] == "sent" {
            assert!(listed["items"][0]["link"].is_null(), "{listed}");
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let holding: i64 = sqlx::query_scalar::<_, i64>("select count(*) from outbox where body like $1")
        .bind(format!("%{token}%"))
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(holding, 0);
    let (_, joined) = join(&app, &token, "Mailed").await;
    assert_eq!(joined.status(), StatusCode::OK);
    let listed: Value =
        app.client.get(app.url("/api/v1/invitations?q=mailed")).send().await.unwrap().json().await.unwrap();
    assert_eq!(listed["items"][0]["id"], id.as_str());
    assert_eq!(listed["items"][0]["status"], "accepted");
}

async fn failed_mail_is_retried_and_shown(backend: Backend) {
    // Nothing listens on this port: every attempt fails.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("smtp://127.0.0.1:{closed}");
    let app = TestApp::spawn_with(backend, &[("PORTCULLIS_SMTP_URL", &url)]).await;
    app.login_admin().await;
    let created: Value = invite(&app, &app.client, json!({"emails": ["unlucky@example.com"], "role": "viewer"}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(created[0]["mail_status"], "pending");
    let mut last = Value::Null;
    for _ in 0..100 {
        last = app.client.get(app.url("/api/v1/invitations")).send().await.unwrap().json().await.unwrap();
        if last["items"][0]["mail_error"].is_string() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let item = &last["items"][0];
    assert_eq!(item["mail_status"], "pending", "still queued for another attempt: {item}");
    assert!(item["mail_error"].as_str().is_some_and(|e| !e.is_empty()), "the failure is shown: {item}");
    let (attempts, next): (i64, i64) =
        sqlx::query_as("select attempts, next_attempt_at from outbox where to_address = 'unlucky@example.com'")
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!(attempts, 1);
    assert!(next > app::server::now_ms(), "the next attempt waits (backoff)");
    // The link is still there to copy, since the mail did not leave.
    assert!(item["link"].is_string(), "{item}");
}

async fn configuration_may_let_another_email_accept(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("PORTCULLIS_INVITE_ANY_EMAIL", "true")]).await;
    app.login_admin().await;
    let created: Value = invite(&app, &app.client, json!({"emails": ["alias@example.com"], "role": "viewer"}))
        .await
        .json()
        .await
        .unwrap();
    let token = token_of(&created[0]);
    let made = app
        .client
        .post(app.url("/api/v1/users"))
        .json(&json!({"email": "real@example.com", "name": "Real", "password": "real long password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(made.status(), StatusCode::CREATED);
    let real = app.new_client();
    assert_eq!(app.login_with(&real, "real@example.com", "real long password").await.status(), StatusCode::OK);
    let accepted =
        real.post(app.url("/api/v1/invitations/accept")).json(&json!({"token": token})).send().await.unwrap();
    assert_eq!(accepted.status(), StatusCode::OK);
}
