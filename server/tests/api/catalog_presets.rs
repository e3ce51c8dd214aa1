//! Each shipped preset against its vendor's documented permission table, row
//! by row (role × permission → allowed or not), through `/api/v1/authz/check`
//! of a real `portcullis` process started with `PORTCULLIS_CATALOG`. The
//! tables are written from the vendors' documentation (issue 17), not from
//! the catalog files: a file that drifts from its vendor fails here.

use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::BTreeMap;

use crate::helpers::{fresh_database, Backend};
use crate::node::Node;

/// Where a role is granted: globally, or in the workspace `ws`.
#[derive(Clone, Copy)]
enum At {
    Global,
    Workspace,
}

/// What a row allows of the preset's permissions.
enum Allows {
    /// Every one (the vendor's administrator).
    All,
    Only(&'static [&'static str]),
}

/// One row of a vendor's table: a role, where it is held, and which of the
/// preset's permissions it allows (every other one it must refuse).
struct Row {
    role: &'static str,
    at: At,
    allows: Allows,
}

struct Preset {
    name: &'static str,
    /// The vendor's permissions (with their aliases), as the vendor names them.
    permissions: &'static [&'static str],
    rows: &'static [Row],
}

const ADAPTIVE_USE_CASE: &[&str] = &[
    "use_case:read",
    "use_case:create",
    "use_case:update",
    "use_case:manage_models",
    "use_case:adapt",
    "use_case:evaluate",
    "use_case:interact",
    "use_case:add_feedback",
    "use_case:read_interactions",
    "use_case:update_interactions",
    "use_case:share",
];

const ADAPTIVE: Preset = Preset {
    name: "adaptive",
    permissions: &[
        "use_case:read",
        "use_case:create",
        "use_case:update",
        "use_case:manage_models",
        "use_case:adapt",
        "use_case:evaluate",
        "use_case:interact",
        "use_case:add_feedback",
        "use_case:read_interactions",
        "use_case:update_interactions",
        "use_case:share",
        "dataset:create",
        "metric:create",
        "model:manage_models",
        "admin:manage_roles",
        "admin:manage_teams",
        "admin:manage_users",
        // Adaptive's team:manage ("update users in the same team").
        "policy:manage",
    ],
    rows: &[
        Row { role: "admin", at: At::Global, allows: Allows::All },
        Row {
            role: "platform_admin",
            at: At::Global,
            allows: Allows::Only(&["admin:manage_roles", "admin:manage_teams", "admin:manage_users", "policy:manage"]),
        },
        Row {
            role: "power_user",
            at: At::Workspace,
            allows: Allows::Only(&[
                "use_case:read",
                "use_case:create",
                "use_case:update",
                "use_case:manage_models",
                "use_case:adapt",
                "use_case:evaluate",
                "use_case:interact",
                "use_case:add_feedback",
                "use_case:read_interactions",
                "use_case:update_interactions",
                "dataset:create",
                "metric:create",
            ]),
        },
        Row { role: "read-only", at: At::Workspace, allows: Allows::Only(&["use_case:read"]) },
        Row { role: "inference", at: At::Workspace, allows: Allows::Only(&["use_case:read", "use_case:interact"]) },
        Row {
            role: "annotator",
            at: At::Workspace,
            allows: Allows::Only(&["use_case:read", "use_case:interact", "use_case:add_feedback"]),
        },
    ],
};

const BENTOCLOUD: Preset = Preset {
    name: "bentocloud",
    permissions: &[
        "deployment:manage",
        "deployment:configure",
        "deployment:invoke",
        "deployment:observe",
        "bento:read",
        "bento:push",
        "bento:delete",
        "model:read",
        "model:delete",
        "standby:configure",
        "billing:manage",
        "api_token:developer_operations",
        "api_token:protected_endpoint",
        // Members.
        "user:manage",
        "invite:manage",
    ],
    rows: &[
        Row { role: "admin", at: At::Global, allows: Allows::All },
        Row {
            role: "developer",
            at: At::Workspace,
            allows: Allows::Only(&[
                "deployment:manage",
                "deployment:configure",
                "deployment:invoke",
                "deployment:observe",
                "bento:read",
                "bento:push",
                "bento:delete",
                "model:read",
                "model:delete",
                "api_token:developer_operations",
                "api_token:protected_endpoint",
            ]),
        },
        Row {
            role: "endpoint_user",
            at: At::Workspace,
            allows: Allows::Only(&["deployment:invoke", "bento:read", "model:read", "api_token:protected_endpoint"]),
        },
    ],
};

const NEPTUNE_PROJECT: &[&str] = &[
    "project:configure",
    "run:read",
    "run:write",
    "run:create",
    "notebook:read",
    "notebook:write",
    "wiki:read",
    "wiki:write",
    "policy:read",
    "policy:manage",
    "workspace:delete",
];

const NEPTUNE: Preset = Preset {
    name: "neptune",
    permissions: &[
        "project:configure",
        "run:read",
        "run:write",
        "run:create",
        "notebook:read",
        "notebook:write",
        "wiki:read",
        "wiki:write",
        "policy:read",
        "policy:manage",
        "workspace:delete",
        "billing:manage",
        "user:manage",
        "invite:manage",
        "workspace:create",
    ],
    rows: &[
        Row { role: "owner", at: At::Workspace, allows: Allows::Only(NEPTUNE_PROJECT) },
        Row {
            role: "contributor",
            at: At::Workspace,
            allows: Allows::Only(&[
                "run:read",
                "run:write",
                "run:create",
                "notebook:read",
                "notebook:write",
                "wiki:read",
                "wiki:write",
                "policy:read",
            ]),
        },
        Row {
            role: "viewer",
            at: At::Workspace,
            allows: Allows::Only(&["run:read", "notebook:read", "wiki:read", "policy:read"]),
        },
        Row { role: "org_admin", at: At::Global, allows: Allows::All },
        Row { role: "org_member", at: At::Global, allows: Allows::Only(&[]) },
    ],
};

const NEUTREE: Preset = Preset {
    name: "neutree",
    permissions: &[
        "endpoint:read",
        "endpoint:create",
        "endpoint:update",
        "endpoint:delete",
        "endpoint:invoke",
        "model:read",
        "model:push",
        "model:delete",
        "dataset:read",
        "dataset:write",
        "workspace:read",
        "workspace:update",
        "workspace:delete",
        "policy:read",
        "policy:manage",
        "audit:read",
        "user:manage",
    ],
    rows: &[
        Row {
            role: "developer",
            at: At::Workspace,
            allows: Allows::Only(&[
                "endpoint:read",
                "endpoint:create",
                "endpoint:update",
                "endpoint:delete",
                "endpoint:invoke",
                "model:read",
                "model:push",
                "model:delete",
                "dataset:read",
                "dataset:write",
                "workspace:read",
                "workspace:update",
                "policy:read",
            ]),
        },
        Row {
            role: "auditor",
            at: At::Global,
            allows: Allows::Only(&[
                "endpoint:read",
                "model:read",
                "dataset:read",
                "workspace:read",
                "policy:read",
                "audit:read",
            ]),
        },
        Row {
            role: "endpoint-user",
            at: At::Workspace,
            allows: Allows::Only(&["workspace:read", "endpoint:read", "endpoint:invoke", "model:read"]),
        },
        Row {
            role: "viewer",
            at: At::Workspace,
            allows: Allows::Only(&["workspace:read", "policy:read", "endpoint:read", "model:read", "dataset:read"]),
        },
    ],
};

async fn post(node: &Node, path: &str, body: Value) -> Value {
    let response = node.client.post(node.url(path)).json(&body).send().await.unwrap();
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "{path}: {status} {body}");
    body
}

/// Starts `preset`, makes one user per row (with the row's role as an
/// initial grant) and checks every permission of the table for each, in
/// the workspace `ws`, in another workspace, and globally.
/// Returns the node and the folder of its database (kept while it runs).
async fn walk(preset: &Preset, backend: Backend) -> (Node, Option<tempfile::TempDir>) {
    let (url, dir) = fresh_database(backend).await;
    let node = Node::start(preset.name, url, &[("PORTCULLIS_CATALOG", preset.name)]).await;
    node.login_admin().await;
    for ws in ["ws", "other"] {
        post(&node, "/api/v1/workspaces", json!({"key": ws, "name": ws})).await;
    }
    // The catalog as the API lists it: every key of the table, aliases too.
    let listed: Value = node.client.get(node.url("/api/v1/permissions")).send().await.unwrap().json().await.unwrap();
    let mut scopes = BTreeMap::new();
    for entry in listed["items"].as_array().unwrap() {
        let scope = entry["scope"].as_str().unwrap().to_owned();
        scopes.insert(entry["key"].as_str().unwrap().to_owned(), scope.clone());
        for alias in entry["aliases"].as_array().unwrap() {
            scopes.insert(alias.as_str().unwrap().to_owned(), scope.clone());
        }
    }
    let mut refusals = Vec::new();
    for row in preset.rows {
        let grant = match row.at {
            At::Global => json!({"role": row.role}),
            At::Workspace => json!({"role": row.role, "workspace": "ws"}),
        };
        let email = format!("{}@{}.test", row.role, preset.name);
        let user = post(&node, "/api/v1/users", json!({"email": email, "name": row.role, "grants": [grant]})).await;
        let id = user["id"].as_str().unwrap().to_owned();
        for permission in preset.permissions {
            let scope =
                scopes.get(*permission).unwrap_or_else(|| panic!("{}: {permission} is not listed", preset.name));
            let expected = match row.allows {
                Allows::All => true,
                Allows::Only(allowed) => allowed.contains(permission),
            };
            let places: &[Option<&str>] = if scope == "global" { &[None] } else { &[Some("ws"), Some("other")] };
            for place in places {
                let asked = json!({"user_id": id, "permission": permission, "workspace": place});
                let answer = post(&node, "/api/v1/authz/check", asked).await;
                // A workspace role reaches only its workspace.
                let want = expected && (matches!(row.at, At::Global) || *place != Some("other"));
                if answer["allowed"] != json!(want) {
                    refusals
                        .push(format!("{} {permission} in {place:?}: {} (want {want})", row.role, answer["allowed"]));
                }
            }
        }
    }
    assert!(refusals.is_empty(), "{} differs from its vendor's table:\n{}", preset.name, refusals.join("\n"));
    (node, dir)
}

// Adaptive's, with its aliases, on both backends; the others on SQLite.
crate::backend_tests!(adaptive_matches_adaptive_engines_table);

async fn adaptive_matches_adaptive_engines_table(backend: Backend) {
    let (node, _dir) = walk(&ADAPTIVE, backend).await;
    // Every use-case permission is a workspace one; model management global.
    let listed: Value = node.client.get(node.url("/api/v1/permissions")).send().await.unwrap().json().await.unwrap();
    let entries = listed["items"].as_array().unwrap();
    for key in ADAPTIVE_USE_CASE {
        let entry = entries.iter().find(|e| e["key"] == *key).unwrap();
        assert_eq!(entry["scope"], "workspace", "{entry}");
        assert_eq!(entry["resource_name"], "Use cases", "{entry}");
    }
    let user_manage = entries.iter().find(|e| e["key"] == "user:manage").unwrap();
    assert_eq!(user_manage["aliases"], json!(["admin:manage_users"]));
    // Adaptive's team:manage is Portcullis's policy:manage, not an alias:
    // the key stays Portcullis's own (its teams).
    let policy_manage = entries.iter().find(|e| e["key"] == "policy:manage").unwrap();
    assert_eq!(policy_manage["aliases"], json!([]), "{policy_manage}");
    let team_manage = entries.iter().find(|e| e["key"] == "team:manage").unwrap();
    assert_eq!((team_manage["builtin"].clone(), team_manage["resource_name"].clone()), (json!(true), json!("Teams")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bentocloud_matches_bentoclouds_table_and_its_token_scopes() {
    let (node, _dir) = walk(&BENTOCLOUD, Backend::Sqlite).await;
    // Token scopes: an endpoint user makes protected-endpoint tokens only,
    // and only where they hold that right.
    let password = "endpoint user long password";
    post(&node, "/api/v1/users", json!({"email": "eu@bento.test", "name": "EU", "password": password, "grants": [{"role": "endpoint_user", "workspace": "ws"}]})).await;
    post(&node, "/api/v1/users", json!({"email": "dev@bento.test", "name": "Dev", "password": password, "grants": [{"role": "developer", "workspace": "ws"}]})).await;
    let sign_in = |email: &'static str| {
        let client = reqwest::Client::builder().cookie_store(true).build().unwrap();
        let url = node.url("/api/v1/auth/login");
        async move {
            let response = client.post(url).json(&json!({"email": email, "password": password})).send().await.unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            client
        }
    };
    let eu = sign_in("eu@bento.test").await;
    let dev = sign_in("dev@bento.test").await;
    let token = |client: &reqwest::Client, scope: &str, workspace: Option<&str>| {
        let request = client
            .post(node.url("/api/v1/me/tokens"))
            .json(&json!({"name": format!("{scope} token"), "scope": scope, "workspace": workspace}));
        async move { request.send().await.unwrap() }
    };
    let refused = token(&eu, "developer_operations", Some("ws")).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let message = refused.json::<Value>().await.unwrap()["error"]["message"].as_str().unwrap().to_owned();
    assert!(message.contains("api_token:developer_operations in workspace ws"), "{message}");
    let unlimited = token(&eu, "protected_endpoint", None).await;
    assert_eq!(unlimited.status(), StatusCode::FORBIDDEN, "held in ws only, so a token limited to ws");
    assert_eq!(token(&eu, "protected_endpoint", Some("ws")).await.status(), StatusCode::CREATED);
    assert_eq!(token(&dev, "developer_operations", Some("ws")).await.status(), StatusCode::CREATED);
    let unknown = token(&dev, "developer", Some("ws")).await;
    assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);
    let body: Value = unknown.json().await.unwrap();
    assert!(body.to_string().contains("pick one of: developer_operations, protected_endpoint, custom"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn neptune_matches_neptunes_project_and_organization_roles() {
    walk(&NEPTUNE, Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn neutree_is_todays_catalog() {
    walk(&NEUTREE, Backend::Sqlite).await;
}
