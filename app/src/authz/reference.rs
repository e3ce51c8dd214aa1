//! The rule, written as literally as possible over the raw facts, to check the
//! index against. Slow on purpose: no indexes, no caching.

use super::{Facts, PolicyFact};
use crate::domain::{Permission, PolicyId, Scope, ScopeKind, Subject, UserId};

fn applies(facts: &Facts, policy: &PolicyFact, user: &UserId, permission: Permission, workspace: Option<&str>) -> bool {
    let subject_matches = match &policy.subject {
        Subject::User(id) => id == user,
        Subject::Team(team) => facts.memberships.iter().any(|(t, u)| t == team && u == user),
    };
    let role_has = facts.roles.iter().any(|(key, perms)| *key == policy.role && perms.contains(permission));
    let scope_matches = match &policy.scope {
        Scope::Global => true,
        Scope::Workspace(key) => permission.scope() == ScopeKind::Workspace && workspace == Some(key.as_str()),
    };
    subject_matches && role_has && scope_matches
}

/// The policies that allow the check, by the rule.
pub fn granted_by(facts: &Facts, user: &UserId, permission: Permission, workspace: Option<&str>) -> Vec<PolicyId> {
    let active = facts.users.iter().any(|(id, active)| id == user && *active);
    if !active {
        return Vec::new();
    }
    let mut ids: Vec<PolicyId> =
        facts.policies.iter().filter(|p| applies(facts, p, user, permission, workspace)).map(|p| p.id).collect();
    ids.sort();
    ids
}
