//! The installed catalog against what the database holds. At start-up
//! ([`reconcile`]) a catalog that breaks nothing is adopted: built-in roles
//! rewritten from it, the database's record updated. Over Postgres, where
//! other processes may still run the recorded catalog, a different one is
//! adopted only by `catalog migrate`; until then the process is not ready. One under which a
//! stored role or token names a permission or scope the catalog lacks, or a
//! dropped built-in role is still in use, stops start-up with the list;
//! `portcullis catalog migrate` ([`migrate`]) applies that plan. Every
//! process compares its catalog with the record ([`mismatch`], `/readyz`).
//!
//! Taking access away only: a rename keeps a permission, a removal drops
//! it, a dropped built-in role in use becomes a custom role with what it
//! had, a token whose scope is gone is revoked. Nothing gains a permission.

use sha2::{Digest, Sha256};
use std::collections::BTreeSet;

use crate::{
    domain::catalog::{installed, Installed},
    error::AppError,
    server::{
        now_ms,
        store::{self, audit::NewAuditEntry, catalog::Recorded},
        AppState,
    },
};

/// A stored list of permission keys under the catalog: what it loses and
/// what is renamed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyChange {
    pub removed: Vec<String>,
    pub renamed: Vec<(String, String)>,
}

impl KeyChange {
    fn of(keys: &[String], catalog: &Installed) -> (Self, Vec<String>) {
        let mut change = KeyChange::default();
        let mut kept = Vec::new();
        for key in keys {
            if catalog.find(key).is_some() {
                kept.push(key.clone());
            } else if let Some(new) =
                catalog.catalog.permissions.iter().find(|p| p.renamed_from.as_deref() == Some(key))
            {
                change.renamed.push((key.clone(), new.key.clone()));
                kept.push(new.key.clone());
            } else {
                change.removed.push(key.clone());
            }
        }
        // Stored as the catalog's keys, in its order, once each.
        let set: BTreeSet<usize> = kept.iter().filter_map(|k| catalog.find(k)).map(|p| p.index()).collect();
        (change, set.into_iter().map(|i| catalog.catalog.permissions[i].key.clone()).collect())
    }

    fn is_empty(&self) -> bool {
        self.removed.is_empty() && self.renamed.is_empty()
    }

    fn describe(&self) -> String {
        let mut parts: Vec<String> = self.removed.iter().map(|k| format!("loses {k}")).collect();
        parts.extend(self.renamed.iter().map(|(old, new)| format!("{old} becomes {new}")));
        parts.join(", ")
    }
}

/// What adopting the catalog does to the database.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    /// What the database records now (none on a fresh database).
    pub recorded: Option<Recorded>,
    /// Custom roles whose keys change, with their new key lists.
    pub roles: Vec<(String, KeyChange, Vec<String>)>,
    /// Custom-scope tokens whose keys change: (id, name, owner, change, new keys).
    pub tokens: Vec<(String, String, String, KeyChange, Vec<String>)>,
    /// Tokens whose named scope the catalog lacks: (id, name, owner, scope).
    pub tokens_revoked: Vec<(String, String, String, String)>,
    /// Built-in roles the catalog no longer has and something names:
    /// (key, uses, the keys they keep as a custom role).
    pub roles_kept_as_custom: Vec<(String, i64, Vec<String>)>,
    /// Built-in roles the catalog no longer has and nothing names.
    pub roles_deleted: Vec<String>,
    /// Custom roles with the key of one of the catalog's roles.
    pub collisions: Vec<String>,
}

impl Plan {
    /// Whether adopting takes access from a stored role or token (then only
    /// `catalog migrate` does it).
    pub fn takes_access(&self) -> bool {
        !(self.roles.is_empty()
            && self.tokens.is_empty()
            && self.tokens_revoked.is_empty()
            && self.roles_kept_as_custom.is_empty())
    }

    /// The plan as lines for people.
    pub fn describe(&self) -> String {
        let mut lines = Vec::new();
        if let Some(old) = self.recorded.as_ref().filter(|r| !is_mine(r)) {
            lines.push(format!("replaces the catalog {:?}", old.name));
        }
        for (key, change, _) in &self.roles {
            lines.push(format!("role {key}: {}", change.describe()));
        }
        for (_, name, owner, change, _) in &self.tokens {
            lines.push(format!("token {name:?} of {owner}: {}", change.describe()));
        }
        for (_, name, owner, scope) in &self.tokens_revoked {
            lines.push(format!("token {name:?} of {owner}: revoked (the catalog has no token scope {scope:?})"));
        }
        for (key, uses, keeps) in &self.roles_kept_as_custom {
            lines.push(format!(
                "built-in role {key} (named by {uses} policies or invitations) becomes a custom role with: {}",
                if keeps.is_empty() { "no permission".to_owned() } else { keeps.join(" ") }
            ));
        }
        for key in &self.roles_deleted {
            lines.push(format!("built-in role {key}: deleted (nothing names it)"));
        }
        for key in &self.collisions {
            lines.push(format!(
                "custom role {key} has the key of one of the catalog's roles: delete or replace it first"
            ));
        }
        if lines.is_empty() {
            lines.push("nothing to change".into());
        }
        lines.join("\n")
    }
}

/// This process's catalog as the database records it, and its JSON: made
/// once (the installed catalog never changes in a process), since every
/// heartbeat compares it.
fn mine() -> &'static (Recorded, String) {
    static MINE: std::sync::OnceLock<(Recorded, String)> = std::sync::OnceLock::new();
    MINE.get_or_init(|| {
        let catalog = &installed().catalog;
        let json = serde_json::to_string(catalog).unwrap_or_default();
        let fingerprint = hex::encode(&Sha256::digest(json.as_bytes())[..16]);
        (Recorded { name: catalog.name.clone(), fingerprint }, json)
    })
}

/// Whether `recorded` is this process's catalog.
fn is_mine(recorded: &Recorded) -> bool {
    recorded.fingerprint == mine().0.fingerprint
}

/// What adopting `catalog` would change.
pub async fn plan(conn: &mut store::Conn, catalog: &Installed) -> Result<Plan, AppError> {
    let mut plan = Plan { recorded: store::catalog::recorded(conn).await?, ..Plan::default() };
    for role in store::catalog::roles(conn).await? {
        let in_catalog = catalog.builtin_role(&role.key).is_some();
        match (role.builtin, in_catalog) {
            (false, true) => plan.collisions.push(role.key),
            (false, false) => {
                let (change, keys) = KeyChange::of(&role.permissions, catalog);
                if !change.is_empty() {
                    plan.roles.push((role.key, change, keys));
                }
            }
            (true, true) => {}
            (true, false) if role.uses == 0 => plan.roles_deleted.push(role.key),
            (true, false) => {
                let (_, keys) = KeyChange::of(&role.permissions, catalog);
                plan.roles_kept_as_custom.push((role.key, role.uses, keys));
            }
        }
    }
    for token in store::catalog::tokens(conn).await? {
        if token.scope == crate::domain::catalog::CUSTOM_SCOPE {
            let (change, keys) = KeyChange::of(&token.permissions, catalog);
            if !change.is_empty() {
                plan.tokens.push((token.id, token.name, token.owner_email, change, keys));
            }
        } else if catalog.token_scope(&token.scope).is_none() {
            plan.tokens_revoked.push((token.id, token.name, token.owner_email, token.scope));
        }
    }
    Ok(plan)
}

/// Writes the plan and the catalog's built-in roles, records the catalog,
/// and audits: one entry per role or token changed, one for the catalog.
async fn apply(conn: &mut store::Conn, catalog: &Installed, plan: &Plan, reason: &str) -> Result<(), AppError> {
    let now = now_ms();
    let entry = |action: &str, target_type: &str, target: &str, before: serde_json::Value, after: serde_json::Value| {
        NewAuditEntry {
            action: action.into(),
            target_type: Some(target_type.into()),
            target_id: Some(target.into()),
            before: (!before.is_null()).then_some(before),
            after: (!after.is_null()).then_some(after),
            reason: Some(reason.into()),
            ..NewAuditEntry::default()
        }
    };
    for (key, change, keys) in &plan.roles {
        store::catalog::set_role(conn, key, &keys.join(" "), false).await?;
        let before = serde_json::json!({ "permissions": change.removed.iter().chain(change.renamed.iter().map(|(old, _)| old)).collect::<Vec<_>>() });
        let after = serde_json::json!({ "permissions": keys, "change": change.describe() });
        store::audit::insert(conn, &entry("role.update", "role", key, before, after), now).await?;
    }
    for (id, name, owner, change, keys) in &plan.tokens {
        store::catalog::set_token_permissions(conn, id, &keys.join(" ")).await?;
        let after =
            serde_json::json!({ "name": name, "owner": owner, "permissions": keys, "change": change.describe() });
        store::audit::insert(conn, &entry("token.update", "token", id, serde_json::Value::Null, after), now).await?;
    }
    for (id, name, owner, scope) in &plan.tokens_revoked {
        store::catalog::revoke_token(conn, id, now).await?;
        let before = serde_json::json!({ "name": name, "owner": owner, "scope": scope });
        store::audit::insert(conn, &entry("token.revoke", "token", id, before, serde_json::Value::Null), now).await?;
    }
    for (key, _, keys) in &plan.roles_kept_as_custom {
        store::catalog::set_role(conn, key, &keys.join(" "), false).await?;
        let after = serde_json::json!({ "builtin": false, "permissions": keys });
        store::audit::insert(
            conn,
            &entry("role.update", "role", key, serde_json::json!({ "builtin": true }), after),
            now,
        )
        .await?;
    }
    for key in &plan.roles_deleted {
        store::catalog::delete_builtin(conn, key).await?;
    }
    for (key, name, description, permissions) in catalog.builtin_roles() {
        let text: Vec<&str> = permissions.iter().map(|p| p.key()).collect();
        store::catalog::put_builtin(conn, key, name, description, &text.join(" "), now).await?;
    }
    let (record, json) = mine();
    if !plan.recorded.as_ref().is_some_and(is_mine) {
        store::catalog::record(conn, record, json, now).await?;
        let before = plan
            .recorded
            .as_ref()
            .map_or(serde_json::Value::Null, |r| serde_json::json!({ "name": r.name, "fingerprint": r.fingerprint }));
        let after =
            serde_json::json!({ "name": record.name, "fingerprint": record.fingerprint, "plan": plan.describe() });
        store::audit::insert(conn, &entry("catalog.install", "catalog", &record.name, before, after), now).await?;
    }
    Ok(())
}

/// At start-up: adopts the installed catalog unless that takes access from
/// a stored role or token; then the error lists what, and names the command.
pub async fn reconcile(state: &AppState) -> Result<(), AppError> {
    let catalog = installed();
    // The usual start: the recorded catalog, so every stored role and token
    // was checked against it. Nothing is read beyond the record (a process
    // starting while a long write holds the policies must still listen).
    {
        let mut conn = state.db.read().await?;
        if store::catalog::recorded(&mut conn).await?.as_ref().is_some_and(is_mine) {
            return Ok(());
        }
    }
    let mut tx = state.db.write().await?;
    let plan = plan(&mut tx, catalog).await?;
    if plan.takes_access() || !plan.collisions.is_empty() {
        return Err(AppError::conflict(
            "catalog_change",
            format!(
                "the catalog {:?} would change what stored roles and tokens grant:\n{}\n\
                 Run `portcullis catalog migrate --dry-run` to see the plan and `portcullis catalog migrate` to apply it \
                 (or start with the catalog the database records).",
                catalog.catalog.name,
                plan.describe()
            ),
        ));
    }
    let switches = plan.recorded.as_ref().is_some_and(|r| !is_mine(r));
    if switches && state.db.backend() == store::Backend::Postgres {
        // Other processes may answer under the recorded catalog: this one
        // waits, unready, until `catalog migrate` switches the installation.
        state.access.set_catalog_mismatch(true);
        tracing::warn!(
            "the database records another catalog than {:?}; not ready until `portcullis catalog migrate` adopts it:\n{}",
            catalog.catalog.name,
            plan.describe()
        );
        return Ok(());
    }
    apply(&mut tx, catalog, &plan, "the catalog this process started with").await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    Ok(())
}

/// `portcullis catalog migrate`: the plan, applied unless `dry_run`.
pub async fn migrate(state: &AppState, dry_run: bool) -> Result<Plan, AppError> {
    let catalog = installed();
    let mut tx = state.db.write().await?;
    let plan = plan(&mut tx, catalog).await?;
    if !plan.collisions.is_empty() {
        return Err(AppError::conflict("catalog_change", plan.describe()));
    }
    if !dry_run {
        apply(&mut tx, catalog, &plan, "portcullis catalog migrate").await?;
        tx.commit().await.map_err(store::StoreError::from)?;
    }
    Ok(plan)
}

/// Why this process must not answer (`/readyz`): the database records
/// another catalog than the one it runs.
pub async fn mismatch(state: &AppState) -> Result<Option<String>, AppError> {
    let mine = &mine().0;
    let mut conn = state.db.read().await?;
    Ok(match store::catalog::recorded(&mut conn).await? {
        Some(recorded) if !is_mine(&recorded) => Some(format!(
            "this process runs the catalog {:?} ({}) but the installation runs {:?} ({}): start it with the same catalog",
            mine.name, mine.fingerprint, recorded.name, recorded.fingerprint
        )),
        _ => None,
    })
}
