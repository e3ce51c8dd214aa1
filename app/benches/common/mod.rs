//! The data set both benches use: 100,000 users, 1,000 workspaces, 2,000
//! teams and 1,000,000 policies over a catalog of 200 permissions (15 of
//! Portcullis's own, 185 of a platform's), generated deterministically.

#![allow(dead_code)]

use app::authz::{Facts, PolicyFact};
use app::domain::{Permission, PermissionSet, PolicyId, RoleKey, Scope, Subject, TeamKey, UserId, WorkspaceKey};

pub const USERS: u64 = 100_000;
pub const TEAMS: u64 = 2_000;
pub const WORKSPACES: u64 = 1_000;
pub const POLICIES: u64 = 1_000_000;
pub const CUSTOM_ROLES: u64 = 20;
/// Permissions in the bench's catalog, Portcullis's own included.
pub const PERMISSIONS: usize = 200;

/// A small deterministic generator (SplitMix64), so every run sees the same data.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

pub fn user(i: u64) -> UserId {
    UserId(uuid::Uuid::from_u64_pair(0x5eed, i))
}
pub fn team(i: u64) -> TeamKey {
    TeamKey::parse(&format!("team-{i}")).unwrap()
}
pub fn workspace(i: u64) -> WorkspaceKey {
    WorkspaceKey::parse(&format!("workspace-{i}")).unwrap()
}

/// Installs the bench's catalog: 37 platform resources of 5 actions each
/// (every seventh resource global, the others per workspace) and four
/// platform roles, as a large platform's catalog would be.
pub fn install_catalog() {
    use app::domain::catalog::{install, Catalog, CatalogPermission, CatalogResource, CatalogRole};
    use app::domain::ScopeKind;
    use std::collections::BTreeSet;
    let mut catalog = Catalog::builtin();
    catalog.name = "bench".into();
    let own = catalog.permissions.len();
    let resources = (PERMISSIONS - own) / 5;
    for r in 0..resources {
        let scope = if r.is_multiple_of(7) { ScopeKind::Global } else { ScopeKind::Workspace };
        catalog.resources.push(CatalogResource { key: format!("resource{r}"), name: format!("Resource {r}"), scope });
        for action in ["read", "create", "update", "delete", "run"] {
            catalog.permissions.push(CatalogPermission {
                key: format!("resource{r}:{action}"),
                description: format!("{action} resource {r}"),
                scope,
                renamed_from: None,
                builtin: false,
            });
        }
    }
    assert_eq!(catalog.permissions.len(), PERMISSIONS);
    let n = catalog.permissions.len();
    let role = |key: &str, keep: &dyn Fn(usize) -> bool| CatalogRole {
        key: key.into(),
        name: key.into(),
        description: String::new(),
        permissions: (0..n).filter(|&i| keep(i)).collect::<BTreeSet<usize>>(),
    };
    let platform = |i: usize| i >= own;
    let is_workspace = |i: usize| catalog.permissions[i].scope == ScopeKind::Workspace;
    catalog.roles = vec![
        role("developer", &|i| platform(i) && is_workspace(i)),
        role("viewer", &|i| platform(i) && (i - own).is_multiple_of(5)),
        role("operator", &|i| platform(i) && (i - own) % 5 == 4),
        role("auditor", &|i| !is_workspace(i) || (platform(i) && (i - own).is_multiple_of(5))),
    ];
    install(catalog).expect("the bench catalog installs");
}

/// The data set: each user in two teams; 90% of policies bind a user in a
/// workspace, 9% a team in a workspace, 1% a user globally.
pub fn generate() -> Facts {
    install_catalog();
    let mut rng = Rng(42);
    let mut roles: Vec<(RoleKey, PermissionSet)> = app::domain::catalog::installed()
        .builtin_roles()
        .map(|(key, _, _, permissions)| (RoleKey::parse(key).unwrap(), permissions))
        .collect();
    for i in 0..CUSTOM_ROLES {
        let perms: PermissionSet = Permission::all().iter().copied().filter(|_| rng.below(3) == 0).collect();
        roles.push((RoleKey::parse(&format!("custom-{i}")).unwrap(), perms));
    }
    let users = (0..USERS).map(|i| (user(i), i % 50 != 0)).collect();
    let memberships =
        (0..USERS).flat_map(|i| [(team(i % TEAMS), user(i)), (team((i * 7 + 3) % TEAMS), user(i))]).collect();
    let policies = (0..POLICIES)
        .map(|i| {
            let role = roles[rng.below(roles.len() as u64) as usize].0.clone();
            let kind = rng.below(100);
            let (subject, scope) = if kind < 90 {
                (Subject::User(user(rng.below(USERS))), Scope::Workspace(workspace(rng.below(WORKSPACES))))
            } else if kind < 99 {
                (Subject::Team(team(rng.below(TEAMS))), Scope::Workspace(workspace(rng.below(WORKSPACES))))
            } else {
                (Subject::User(user(rng.below(USERS))), Scope::Global)
            };
            PolicyFact { id: PolicyId(i as i64 + 1), subject, role, scope }
        })
        .collect();
    Facts { users, roles, memberships, policies }
}

/// A question: user, permission, workspace (`None`: global).
pub type Question = (UserId, Permission, Option<String>);

/// Questions whose answer is yes (drawn from real user policies, asking for
/// one permission of the role at the policy's scope) and questions whose
/// answer is no (random user, permission and workspace), as the index says.
pub fn questions(facts: &Facts, index: &app::authz::AccessIndex, count: usize) -> (Vec<Question>, Vec<Question>) {
    let mut rng = Rng(7);
    let mut allowed = Vec::new();
    while allowed.len() < count {
        let policy = &facts.policies[rng.below(POLICIES) as usize];
        let Subject::User(u) = policy.subject else { continue };
        let Some(p) = facts.roles.iter().find(|(k, _)| *k == policy.role).and_then(|(_, perms)| perms.iter().next())
        else {
            continue;
        };
        let ws = policy.scope.workspace().map(|w| w.to_string());
        if index.check(&u, p, ws.as_deref()) {
            allowed.push((u, p, ws));
        }
    }
    let mut denied = Vec::new();
    while denied.len() < count {
        let u = user(rng.below(USERS));
        let p = Permission::all()[rng.below(Permission::all().len() as u64) as usize];
        let ws = Some(workspace(rng.below(WORKSPACES)).to_string());
        if !index.check(&u, p, ws.as_deref()) {
            denied.push((u, p, ws));
        }
    }
    (allowed, denied)
}
