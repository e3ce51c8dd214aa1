//! The one escalation rule, pure: nobody confers a permission they do not
//! hold, and nobody takes away one they could not have granted (Kubernetes
//! RBAC's `escalate`/`bind` rule). Every path that confers or removes
//! access describes what it does as [`Binding`]s and asks [`beyond`] or
//! [`not_removable`]; the services list those paths (see
//! `server::services::escalation`).

use crate::domain::{Permission, PermissionSet, Scope, ScopeKind, UserId, WorkspaceKey};

use super::{AccessIndex, TokenGrant};

/// Permissions at one scope: what a path confers or takes away.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binding {
    pub permissions: PermissionSet,
    pub scope: Scope,
}

impl Binding {
    /// What binding a role of `permissions` at `scope` confers: everything
    /// for a global policy; only workspace permissions in a workspace.
    pub fn of_role(permissions: PermissionSet, scope: Scope) -> Self {
        let permissions = match &scope {
            Scope::Global => permissions,
            Scope::Workspace(_) => permissions.intersection(PermissionSet::of_scope(ScopeKind::Workspace)),
        };
        Self { permissions, scope }
    }

    fn workspace(&self) -> Option<&str> {
        self.scope.workspace().map(WorkspaceKey::as_str)
    }
}

/// Whose permissions bound an act: a user, narrowed by the API token they
/// came with, if any.
#[derive(Clone, Copy, Debug)]
pub struct Holder<'a> {
    pub user: &'a UserId,
    pub token: Option<&'a TokenGrant>,
}

/// One binding per scope (global first, then workspaces by key), none empty.
pub fn merge(mut bindings: Vec<Binding>) -> Vec<Binding> {
    bindings.sort_by(|a, b| a.scope.workspace().cmp(&b.scope.workspace()));
    bindings.dedup_by(|later, earlier| {
        if later.scope == earlier.scope {
            earlier.permissions = earlier.permissions.union(later.permissions);
            true
        } else {
            false
        }
    });
    bindings.retain(|b| !b.permissions.is_empty());
    bindings
}

/// What of `wanted` `actor` does not hold, per scope; empty when they may
/// confer all of it.
pub fn beyond(index: &AccessIndex, actor: Holder<'_>, wanted: &[Binding]) -> Vec<Binding> {
    merge(
        wanted
            .iter()
            .map(|b| Binding {
                permissions: b.permissions.iter().filter(|p| !index.holds(actor, *p, b.workspace())).collect(),
                scope: b.scope.clone(),
            })
            .collect(),
    )
}

/// What of `taken` `actor` may not take away, per scope: a binding may be
/// removed by whoever holds `policy:manage` at its scope (they could delete
/// the policy itself), or everything in it (they could have granted it).
pub fn not_removable(index: &AccessIndex, actor: Holder<'_>, taken: &[Binding]) -> Vec<Binding> {
    merge(
        taken
            .iter()
            .filter(|b| !index.holds(actor, Permission::PolicyManage, b.workspace()))
            .map(|b| Binding {
                permissions: b.permissions.iter().filter(|p| !index.holds(actor, *p, b.workspace())).collect(),
                scope: b.scope.clone(),
            })
            .collect(),
    )
}

impl TokenGrant {
    /// What a token with these limits confers on whoever holds its secret,
    /// when its owner holds `owner`: the owner's bindings cut to the
    /// token's permissions, and to its workspace when it has one.
    pub fn narrow(&self, owner: &[Binding]) -> Vec<Binding> {
        let narrowed = owner.iter().filter_map(|b| {
            let permissions = b.permissions.intersection(self.permissions);
            match (&self.workspace, &b.scope) {
                (None, _) => Some(Binding { permissions, scope: b.scope.clone() }),
                (Some(only), Scope::Global) => Some(Binding::of_role(permissions, Scope::Workspace(only.clone()))),
                (Some(only), Scope::Workspace(ws)) if ws == only => {
                    Some(Binding { permissions, scope: b.scope.clone() })
                }
                (Some(_), Scope::Workspace(_)) => None,
            }
        });
        merge(narrowed.collect())
    }
}

/// The permission keys of `bindings`, as a person reads them:
/// `endpoint:create in ml, user:manage globally`.
pub fn describe(bindings: &[Binding]) -> String {
    bindings
        .iter()
        .map(|b| {
            let keys: Vec<&str> = b.permissions.iter().map(Permission::key).collect();
            let place = b.scope.workspace().map_or_else(|| "globally".to_owned(), |w| format!("in workspace {w}"));
            format!("{} {place}", keys.join(", "))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authz::{Change, Facts, PolicyFact};
    use crate::domain::{PolicyId, RoleKey, Subject};
    use proptest::prelude::*;

    fn ws(i: usize) -> WorkspaceKey {
        WorkspaceKey::parse(&format!("ws-{i}")).unwrap()
    }

    fn scope(i: Option<usize>) -> Scope {
        i.map_or(Scope::Global, |i| Scope::Workspace(ws(i)))
    }

    fn set(bits: u32) -> PermissionSet {
        Permission::all().iter().copied().filter(|p| bits & (1 << (p.index() as u32 % 32)) != 0).collect()
    }

    /// A small world: users 0..4, teams 0..2, roles 0..4 with random
    /// permissions, random memberships and policies.
    fn world() -> impl Strategy<Value = (AccessIndex, Vec<UserId>)> {
        (
            proptest::collection::vec(any::<u32>(), 4),
            proptest::collection::vec((0..4usize, 0..2usize), 0..6),
            proptest::collection::vec((0..6usize, 0..4usize, proptest::option::of(0..3usize)), 0..12),
        )
            .prop_map(|(role_bits, memberships, policies)| {
                let users: Vec<UserId> = (0..4).map(|_| UserId::new()).collect();
                let team = |i: usize| crate::domain::TeamKey::parse(&format!("team-{i}")).unwrap();
                let role = |i: usize| RoleKey::parse(&format!("role-{i}")).unwrap();
                let facts = Facts {
                    users: users.iter().map(|u| (*u, true)).collect(),
                    roles: role_bits.iter().enumerate().map(|(i, b)| (role(i), set(*b))).collect(),
                    memberships: memberships.iter().map(|(u, t)| (team(*t), users[*u])).collect(),
                    policies: policies
                        .iter()
                        .enumerate()
                        .map(|(n, (subject, r, s))| PolicyFact {
                            id: PolicyId(n as i64 + 1),
                            subject: if *subject < 4 {
                                Subject::User(users[*subject])
                            } else {
                                Subject::Team(team(subject - 4))
                            },
                            role: role(*r),
                            scope: scope(*s),
                        })
                        .collect(),
                };
                (AccessIndex::build(&facts), users)
            })
    }

    fn actor(user: &UserId) -> Holder<'_> {
        Holder { user, token: None }
    }

    proptest! {
        /// A user's bindings are exactly what checks allow them.
        #[test]
        fn bindings_agree_with_checks((index, users) in world(), u in 0..4usize, s in proptest::option::of(0..3usize)) {
            let user = &users[u];
            let bindings = index.bindings_of_user(user);
            let asked = scope(s);
            for p in Permission::all().iter().copied() {
                let bound = bindings.iter().any(|b| b.permissions.contains(p)
                    && (b.scope == Scope::Global || (b.scope == asked && p.scope() == ScopeKind::Workspace)));
                prop_assert_eq!(bound, index.check(user, p, asked.workspace().map(WorkspaceKey::as_str)), "{:?} {:?}", p, asked);
            }
        }

        /// Anyone may confer (and take away) what they themselves hold, and
        /// what is beyond them is exactly what they do not hold.
        #[test]
        fn beyond_is_what_the_actor_lacks((index, users) in world(), a in 0..4usize, b in 0..4usize) {
            let own = index.bindings_of_user(&users[a]);
            prop_assert!(beyond(&index, actor(&users[a]), &own).is_empty());
            prop_assert!(not_removable(&index, actor(&users[a]), &own).is_empty());
            let other = index.bindings_of_user(&users[b]);
            for missing in beyond(&index, actor(&users[a]), &other) {
                for p in missing.permissions.iter() {
                    prop_assert!(!index.check(&users[a], p, missing.workspace()));
                    prop_assert!(other.iter().any(|o| o.scope == missing.scope && o.permissions.contains(p)));
                }
            }
            // Granting the lacking part would not change the verdict on the rest.
            if beyond(&index, actor(&users[a]), &other).is_empty() {
                for binding in &other {
                    for p in binding.permissions.iter() {
                        prop_assert!(index.check(&users[a], p, binding.workspace()));
                    }
                }
            }
        }

        /// A token never confers more than its owner holds or its limits allow.
        #[test]
        fn a_narrowed_token_stays_within_owner_and_limits((index, users) in world(), u in 0..4usize, bits in any::<u32>(), only in proptest::option::of(0..3usize)) {
            let grant = TokenGrant { permissions: set(bits), workspace: only.map(ws) };
            let owner = index.bindings_of_user(&users[u]);
            for binding in grant.narrow(&owner) {
                for p in binding.permissions.iter() {
                    prop_assert!(grant.allows(p, binding.workspace()));
                    prop_assert!(index.check(&users[u], p, binding.workspace()));
                }
            }
            // And it names everything the token can actually do.
            for s in [None, Some(0), Some(1), Some(2)] {
                let asked = scope(s);
                let w = asked.workspace().map(WorkspaceKey::as_str);
                for p in Permission::all().iter().copied() {
                    if index.holds(Holder { user: &users[u], token: Some(&grant) }, p, w) {
                        let named = grant.narrow(&owner).iter().any(|b| b.permissions.contains(p)
                            && (b.scope == Scope::Global || (b.scope == asked && p.scope() == ScopeKind::Workspace)));
                        prop_assert!(named, "{:?} in {:?}", p, w);
                    }
                }
            }
        }

        /// Whoever holds policy:manage at a scope may take away anything there.
        #[test]
        fn policy_managers_may_remove((index, users) in world(), a in 0..4usize, b in 0..4usize) {
            for binding in not_removable(&index, actor(&users[a]), &index.bindings_of_user(&users[b])) {
                prop_assert!(!index.check(&users[a], Permission::PolicyManage, binding.workspace()));
            }
        }
    }

    #[test]
    fn workspace_bindings_never_carry_global_permissions() {
        let role = RoleKey::parse("mixed").unwrap();
        let user = UserId::new();
        let mut index = AccessIndex::build(&Facts {
            users: vec![(user, true)],
            roles: vec![(
                role.clone(),
                [Permission::UserManage, Permission::parse("endpoint:create").unwrap()].into_iter().collect(),
            )],
            ..Facts::default()
        });
        index.apply(Change::PolicyAdded(PolicyFact {
            id: PolicyId(1),
            subject: Subject::User(user),
            role,
            scope: Scope::Workspace(ws(0)),
        }));
        let bindings = index.bindings_of_user(&user);
        assert_eq!(bindings.len(), 1);
        assert_eq!(bindings[0].permissions.iter().collect::<Vec<_>>(), [Permission::parse("endpoint:create").unwrap()]);
        assert_eq!(index.bindings_in_workspace(&ws(0)), bindings);
        assert_eq!(describe(&bindings), "endpoint:create in workspace ws-0");
    }
}
