//! Writes under concurrency (issue 14): SQLite writes wait their turn
//! instead of failing, racing creates answer one 201 and one 409 naming the
//! field, and a role is not pinned by invitations that are over.

use futures_util::future::join_all;
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};

use crate::backend_tests;
use crate::helpers::{error_of, Backend, TestApp};

backend_tests!(
    concurrent_writes_all_land_exactly_once,
    racing_creates_answer_one_created_and_one_conflict_naming_the_field,
    a_role_is_pinned_only_by_invitations_that_can_still_be_accepted,
    retried_creates_with_an_idempotency_key_make_one_thing,
);

async fn body_of(response: Response, expected: StatusCode) -> Value {
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert_eq!(status, expected, "{body}");
    body
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql).fetch_one(app.state.db.pool()).await.unwrap()
}

async fn concurrent_writes_all_land_exactly_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    let created = app.client.post(app.url("/api/v1/workspaces")).json(&json!({"key": "w2", "name": "W2"})).send();
    body_of(created.await.unwrap(), StatusCode::CREATED).await;
    let created = app.client.post(app.url("/api/v1/teams")).json(&json!({"key": "crew", "name": "Crew"})).send();
    body_of(created.await.unwrap(), StatusCode::CREATED).await;

    // Workspace and team edits, invitations and sign-ins, all at once.
    const EACH: usize = 24;
    let mut requests = Vec::new();
    for n in 0..EACH {
        let body = json!({ "description": format!("edit {n}") });
        requests.push(app.client.patch(app.url("/api/v1/workspaces/w2")).json(&body).send());
        requests.push(app.client.patch(app.url("/api/v1/teams/crew")).json(&body).send());
        let body = json!({ "emails": [format!("person-{n}@example.com")], "role": "viewer" });
        requests.push(app.client.post(app.url("/api/v1/invitations")).json(&body).send());
    }
    // Two sign-ins of one account at once (more would meet the throttle,
    // which counts sign-ins in flight as possible failures).
    let signing_in: Vec<_> =
        (0..2).map(|_| app.login(crate::helpers::ADMIN_EMAIL, crate::helpers::ADMIN_PASSWORD)).collect();
    let (answers, sign_ins) = tokio::join!(join_all(requests), join_all(signing_in));
    for answer in answers.into_iter().map(Result::unwrap).chain(sign_ins) {
        let status = answer.status();
        assert!(status.is_success(), "{status}: {}", answer.text().await.unwrap_or_default());
    }
    // Each applied once: one audit entry per write, and the last edit stuck.
    for action in ["workspace.update", "team.update", "invitation.create"] {
        let sql = format!("select count(*) from audit_log where action = '{action}' and outcome = 'success'");
        assert_eq!(count(&app, &sql).await, EACH as i64, "{action}");
    }
    assert_eq!(count(&app, "select count(*) from invitations where status = 'pending'").await, EACH as i64);
    let workspace =
        body_of(app.client.get(app.url("/api/v1/workspaces/w2")).send().await.unwrap(), StatusCode::OK).await;
    assert!(workspace["description"].as_str().unwrap().starts_with("edit "), "{workspace}");
}

/// Sends `body` to `path` twice at once and returns both answers.
async fn twice(app: &TestApp, path: &str, body: Value) -> [Response; 2] {
    let url = app.url(path);
    let (a, b) = tokio::join!(app.client.post(&url).json(&body).send(), app.client.post(&url).json(&body).send());
    [a.unwrap(), b.unwrap()]
}

async fn racing_creates_answer_one_created_and_one_conflict_naming_the_field(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    let cases = [
        ("/api/v1/workspaces", json!({"key": "race", "name": "Race"}), "key"),
        ("/api/v1/teams", json!({"key": "race", "name": "Race"}), "key"),
        ("/api/v1/roles", json!({"key": "race", "name": "Race", "permissions": ["model:read"]}), "key"),
        ("/api/v1/users", json!({"email": "race@example.com", "name": "Race"}), "email"),
        ("/api/v1/service-accounts", json!({"key": "race-bot", "name": "Race bot"}), "key"),
    ];
    // Each race many times over: the window is small, and every round must
    // be one winner and one clear loser.
    for round in 0..6 {
        for (path, body, field) in &cases {
            let mut body = body.clone();
            for key in ["key", "email"] {
                if let Some(value) = body[key].as_str() {
                    body[key] = json!(value.replacen("race", &format!("race{round}"), 1));
                }
            }
            // Role names are unique too: each round races for its own.
            body["name"] = json!(format!("{} {round}", body["name"].as_str().unwrap()));
            let mut statuses = Vec::new();
            for answer in twice(&app, path, body).await {
                let status = answer.status();
                if status == StatusCode::CONFLICT {
                    let error: Value = answer.json().await.unwrap();
                    let fields = error["error"]["fields"].as_array().unwrap_or_else(|| panic!("{path}: {error}"));
                    assert_eq!(fields[0]["field"], *field, "{path}: {error}");
                    assert!(error["error"]["message"].as_str().unwrap().contains("already"), "{path}: {error}");
                }
                statuses.push(status);
            }
            statuses.sort();
            assert_eq!(statuses, [StatusCode::CREATED, StatusCode::CONFLICT], "{path} round {round}");
        }
    }
    // The same email invited twice at once: one invitation, and the other
    // request either renews it (same access) or is told.
    for round in 0..6 {
        let body = json!({"emails": [format!("twice-{round}@example.com")], "role": "viewer"});
        for answer in twice(&app, "/api/v1/invitations", body).await {
            let status = answer.status();
            assert!(status == StatusCode::CREATED || status == StatusCode::CONFLICT, "{status}");
        }
        let sql = format!("select count(*) from invitations where email = 'twice-{round}@example.com'");
        assert_eq!(count(&app, &sql).await, 1);
    }
}

async fn a_role_is_pinned_only_by_invitations_that_can_still_be_accepted(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    for key in ["revoked-role", "pending-role", "accepted-role"] {
        let body = json!({"key": key, "name": key, "permissions": ["model:read"]});
        body_of(app.client.post(app.url("/api/v1/roles")).json(&body).send().await.unwrap(), StatusCode::CREATED).await;
    }
    let invite = |email: &str, role: &str| {
        app.client.post(app.url("/api/v1/invitations")).json(&json!({"emails": [email], "role": role})).send()
    };
    let revoked = body_of(invite("gone@example.com", "revoked-role").await.unwrap(), StatusCode::CREATED).await;
    let id = revoked[0]["id"].as_str().unwrap().to_owned();
    let answer = app.client.delete(app.url(&format!("/api/v1/invitations/{id}"))).send().await.unwrap();
    assert!(answer.status().is_success(), "{}", answer.status());
    // Revoked: the role goes, and the invitation stays in the list, naming it.
    let answer = app.client.delete(app.url("/api/v1/roles/revoked-role")).send().await.unwrap();
    assert!(answer.status().is_success(), "{}", answer.text().await.unwrap());
    let listed = body_of(app.client.get(app.url("/api/v1/invitations")).send().await.unwrap(), StatusCode::OK).await;
    assert!(listed.to_string().contains("revoked-role"), "{listed}");

    // Pending: a 409 naming the invitation.
    body_of(invite("waiting@example.com", "pending-role").await.unwrap(), StatusCode::CREATED).await;
    let (status, code, message) =
        error_of(app.client.delete(app.url("/api/v1/roles/pending-role")).send().await.unwrap()).await;
    assert_eq!((status, code.as_str()), (StatusCode::CONFLICT, "role_invited"), "{message}");
    assert!(message.contains("waiting@example.com"), "{message}");

    // Expired: no longer pins it.
    sqlx::query("update invitations set expires_at = 1 where email = 'waiting@example.com'")
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let answer = app.client.delete(app.url("/api/v1/roles/pending-role")).send().await.unwrap();
    assert!(answer.status().is_success(), "{}", answer.text().await.unwrap());

    // Accepted: the person keeps a policy of the role, which pins it as
    // policies do; once that goes, the role can go too.
    let accepted = body_of(invite("joins@example.com", "accepted-role").await.unwrap(), StatusCode::CREATED).await;
    let link = accepted[0]["link"].as_str().unwrap().to_owned();
    let token = link.rsplit('/').next().unwrap().to_owned();
    let joined = app
        .new_client()
        .post(app.url("/sfn/invitations/accept-password"))
        .form(&[("token", token.as_str()), ("name", "Joiner"), ("password", "a long enough passphrase")])
        .send()
        .await
        .unwrap();
    assert!(joined.status().is_success(), "{}", joined.text().await.unwrap());
    let (status, code, _) =
        error_of(app.client.delete(app.url("/api/v1/roles/accepted-role")).send().await.unwrap()).await;
    assert_eq!((status, code.as_str()), (StatusCode::CONFLICT, "role_in_use"));
    let policies =
        body_of(app.client.get(app.url("/api/v1/policies?role=accepted-role")).send().await.unwrap(), StatusCode::OK)
            .await;
    let policy = policies["items"][0]["id"].to_string();
    let answer = app.client.delete(app.url(&format!("/api/v1/policies/{policy}"))).send().await.unwrap();
    assert!(answer.status().is_success(), "{}", answer.status());
    let answer = app.client.delete(app.url("/api/v1/roles/accepted-role")).send().await.unwrap();
    assert!(answer.status().is_success(), "{}", answer.text().await.unwrap());
}

/// Another connection holding SQLite's write lock for a moment (a backup,
/// the command line) makes writes and sign-ins wait, never fail.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_writes_wait_for_a_lock_held_elsewhere() {
    use sqlx::{Connection, Executor};
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.login_admin().await;
    let mut other = sqlx::SqliteConnection::connect(&app.database_url).await.unwrap();
    other.execute("BEGIN IMMEDIATE").await.unwrap();
    other.execute("insert into login_failures (key, failed_at) values ('elsewhere', 1)").await.unwrap();
    // Each kind of write: access changes, and plain ones that read first.
    let writes: Vec<_> = (0..6)
        .map(|n| {
            let (path, body) = match n % 3 {
                0 => ("/api/v1/workspaces", json!({"key": format!("held-{n}"), "name": "Held"})),
                1 => ("/api/v1/teams", json!({"key": format!("held-{n}"), "name": "Held"})),
                _ => ("/api/v1/invitations", json!({"emails": [format!("held-{n}@example.com")], "role": "viewer"})),
            };
            app.client.post(app.url(path)).json(&body).send()
        })
        .collect();
    let sign_in = app.login(crate::helpers::ADMIN_EMAIL, crate::helpers::ADMIN_PASSWORD);
    let release = async {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        other.execute("COMMIT").await.unwrap();
    };
    let (answers, signed_in, ()) = tokio::join!(join_all(writes), sign_in, release);
    assert_eq!(signed_in.status(), StatusCode::OK);
    for answer in answers {
        let answer = answer.unwrap();
        assert_eq!(answer.status(), StatusCode::CREATED, "{}", answer.text().await.unwrap());
    }
}

async fn retried_creates_with_an_idempotency_key_make_one_thing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.login_admin().await;
    let create = |key: &'static str, name: &'static str| {
        let request = app.client.post(app.url("/api/v1/me/tokens")).json(&json!({"name": name, "scope": "endpoint"}));
        if key.is_empty() { request } else { request.header("Idempotency-Key", key) }.send()
    };
    // Sent, then retried (the first answer was lost on the way).
    let first = create("retry-1", "deploys").await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    assert!(first.headers().get("idempotency-replayed").is_none());
    let first: Value = first.json().await.unwrap();
    let again = create("retry-1", "deploys").await.unwrap();
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.headers()["idempotency-replayed"], "true");
    let again: Value = again.json().await.unwrap();
    let secret = first["secret"].as_str().unwrap().to_owned();
    assert!(again["secret"].is_null(), "a secret is shown once, never kept: {again}");
    let mut expected = first.clone();
    expected["secret"] = Value::Null;
    assert_eq!(again, expected, "the same answer otherwise");
    let kept = sqlx::query_scalar::<_, i64>("select count(*) from idempotency_keys where body like $1")
        .bind(format!("%{}%", &secret[12..]))
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(kept, 0, "the secret is not stored");
    // The same key with another body is refused; a new key makes another.
    let (status, code, _) = error_of(create("retry-1", "other").await.unwrap()).await;
    assert_eq!((status, code.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused"));
    assert_eq!(create("retry-2", "deploys").await.unwrap().status(), StatusCode::CREATED);
    // Two at once with one key: one runs, the other is told or replayed.
    let (a, b) = tokio::join!(create("both", "twins"), create("both", "twins"));
    let mut statuses = [a.unwrap().status(), b.unwrap().status()];
    statuses.sort();
    assert!(
        statuses == [StatusCode::CREATED, StatusCode::CREATED]
            || statuses == [StatusCode::CREATED, StatusCode::CONFLICT],
        "{statuses:?}"
    );
    // A refusal is kept too: the retry is refused the same way.
    let bad = || {
        app.client
            .post(app.url("/api/v1/workspaces"))
            .header("Idempotency-Key", "bad-1")
            .json(&json!({"key": "Not A Key"}))
            .send()
    };
    assert_eq!(bad().await.unwrap().status(), StatusCode::BAD_REQUEST);
    assert_eq!(bad().await.unwrap().headers()["idempotency-replayed"], "true");
    // Keys are the caller's: another caller with the same key makes its own.
    let other = app.new_client();
    assert_eq!(
        app.login_with(&other, crate::helpers::ADMIN_EMAIL, crate::helpers::ADMIN_PASSWORD).await.status(),
        StatusCode::OK
    );
    let theirs = other
        .post(app.url("/api/v1/me/tokens"))
        .header("Idempotency-Key", "retry-1")
        .json(&json!({"name": "deploys", "scope": "endpoint"}))
        .send()
        .await
        .unwrap();
    assert!(theirs.headers().get("idempotency-replayed").is_none());
    let listed: Value = app.client.get(app.url("/api/v1/me/tokens")).send().await.unwrap().json().await.unwrap();
    let names: Vec<&str> = listed["items"].as_array().unwrap().iter().filter_map(|t| t["name"].as_str()).collect();
    assert_eq!(names.iter().filter(|n| **n == "deploys").count(), 3, "{names:?}");
    assert_eq!(names.iter().filter(|n| **n == "twins").count(), 1, "{names:?}");
    // Checks create nothing: a key sent with them is not kept.
    for _ in 0..2 {
        let check = app
            .client
            .post(app.url("/api/v1/authz/check"))
            .header("Idempotency-Key", "check-1")
            .json(&json!({"user_id": "00000000-0000-0000-0000-000000000000", "permission": "model:read"}))
            .send()
            .await
            .unwrap();
        assert!(check.headers().get("idempotency-replayed").is_none());
    }
    assert_eq!(count(&app, "select count(*) from idempotency_keys where key = 'check-1'").await, 0);
    // Over a day later the key is free again.
    sqlx::query("update idempotency_keys set created_at = 1").execute(app.state.db.pool()).await.unwrap();
    let later = create("retry-1", "deploys").await.unwrap();
    assert!(later.headers().get("idempotency-replayed").is_none());
}
