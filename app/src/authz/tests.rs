//! The index agrees with the reference rule, built at once or change by change.

use proptest::prelude::*;

use super::{reference, AccessIndex, Change, Facts, PolicyFact};
use crate::domain::{Permission, PermissionSet, PolicyId, RoleKey, Scope, Subject, TeamKey, UserId, WorkspaceKey};

const USERS: usize = 4;
// Six teams and workspaces: users spill past the inline team slots and
// subjects outgrow their workspace slices.
const TEAMS: usize = 6;
const WORKSPACES: usize = 6;
const ROLES: usize = 4;

fn user(i: usize) -> UserId {
    UserId(uuid::Uuid::from_u128(i as u128 + 1))
}
fn team(i: usize) -> TeamKey {
    TeamKey::parse(&format!("team-{i}")).unwrap()
}
fn workspace(i: usize) -> WorkspaceKey {
    WorkspaceKey::parse(&format!("ws-{i}")).unwrap()
}
fn role(i: usize) -> RoleKey {
    RoleKey::parse(&format!("role-{i}")).unwrap()
}

fn permission_set() -> impl Strategy<Value = PermissionSet> {
    proptest::collection::vec(proptest::sample::select(Permission::all()), 0..8).prop_map(|v| v.into_iter().collect())
}

fn policy(id: i64) -> impl Strategy<Value = PolicyFact> {
    (any::<bool>(), 0..USERS.max(TEAMS), 0..ROLES, proptest::option::of(0..WORKSPACES)).prop_map(
        move |(to_user, who, r, ws)| PolicyFact {
            id: PolicyId(id),
            subject: if to_user { Subject::User(user(who % USERS)) } else { Subject::Team(team(who % TEAMS)) },
            role: role(r),
            scope: ws.map_or(Scope::Global, |w| Scope::Workspace(workspace(w))),
        },
    )
}

fn facts() -> impl Strategy<Value = Facts> {
    (
        proptest::collection::vec(any::<bool>(), USERS),
        proptest::collection::vec(permission_set(), ROLES),
        proptest::collection::vec((0..TEAMS, 0..USERS), 0..16),
        proptest::collection::vec(any::<u8>(), 0..24),
    )
        .prop_flat_map(|(active, roles, members, policy_seeds)| {
            let policies: Vec<_> = (0..policy_seeds.len()).map(|i| policy(i as i64 + 1)).collect();
            (Just(active), Just(roles), Just(members), policies)
        })
        .prop_map(|(active, roles, members, policies)| {
            let mut memberships: Vec<(TeamKey, UserId)> =
                members.into_iter().map(|(t, u)| (team(t), user(u))).collect();
            memberships.sort();
            memberships.dedup();
            Facts {
                users: active.into_iter().enumerate().map(|(i, a)| (user(i), a)).collect(),
                roles: roles.into_iter().enumerate().map(|(i, p)| (role(i), p)).collect(),
                memberships,
                policies,
            }
        })
}

/// Every question: each user (and a stranger), permission and workspace
/// (none, each, and one that has no policy).
fn assert_agrees(index: &AccessIndex, facts: &Facts) -> Result<(), TestCaseError> {
    let workspaces: Vec<Option<String>> = std::iter::once(None)
        .chain((0..WORKSPACES).map(|w| Some(workspace(w).to_string())))
        .chain(std::iter::once(Some("elsewhere".to_owned())))
        .collect();
    for u in (0..USERS).map(user).chain(std::iter::once(user(99))) {
        let active = facts.users.iter().any(|(id, active)| *id == u && *active);
        prop_assert_eq!(index.is_active(&u), active, "{}", u);
        for p in Permission::all() {
            for ws in &workspaces {
                let expected = reference::granted_by(facts, &u, *p, ws.as_deref());
                prop_assert_eq!(index.check(&u, *p, ws.as_deref()), !expected.is_empty(), "{} {} {:?}", u, p, ws);
                prop_assert_eq!(index.granted_by(&u, *p, ws.as_deref()), expected);
            }
        }
    }
    Ok(())
}

/// One edit of the facts, mirrored as a `Change`.
#[derive(Clone, Debug)]
enum Edit {
    SetUser(usize, bool),
    SetRole(usize, PermissionSet),
    AddMember(usize, usize),
    RemoveMember(usize, usize),
    AddPolicy(PolicyFact),
    RemovePolicy(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (0..USERS, any::<bool>()).prop_map(|(u, a)| Edit::SetUser(u, a)),
        (0..ROLES, permission_set()).prop_map(|(r, p)| Edit::SetRole(r, p)),
        (0..TEAMS, 0..USERS).prop_map(|(t, u)| Edit::AddMember(t, u)),
        (0..TEAMS, 0..USERS).prop_map(|(t, u)| Edit::RemoveMember(t, u)),
        (1000i64..2000).prop_flat_map(policy).prop_map(Edit::AddPolicy),
        any::<usize>().prop_map(Edit::RemovePolicy),
    ]
}

fn perform(facts: &mut Facts, edit: Edit) -> Option<Change> {
    match edit {
        Edit::SetUser(u, active) => {
            facts.users[u].1 = active;
            Some(Change::UserSet { user: user(u), active })
        }
        Edit::SetRole(r, permissions) => {
            facts.roles[r].1 = permissions;
            Some(Change::RoleSet { role: role(r), permissions })
        }
        Edit::AddMember(t, u) => {
            if facts.memberships.contains(&(team(t), user(u))) {
                return None;
            }
            facts.memberships.push((team(t), user(u)));
            Some(Change::MemberAdded { team: team(t), user: user(u) })
        }
        Edit::RemoveMember(t, u) => {
            facts.memberships.retain(|m| *m != (team(t), user(u)));
            Some(Change::MemberRemoved { team: team(t), user: user(u) })
        }
        Edit::AddPolicy(policy) => {
            if facts.policies.iter().any(|p| p.id == policy.id) {
                return None;
            }
            facts.policies.push(policy.clone());
            Some(Change::PolicyAdded(policy))
        }
        Edit::RemovePolicy(n) => {
            if facts.policies.is_empty() {
                return None;
            }
            let removed = facts.policies.remove(n % facts.policies.len());
            Some(Change::PolicyRemoved(removed))
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn built_index_agrees_with_the_rule(facts in facts()) {
        let index = AccessIndex::build(&facts);
        assert_agrees(&index, &facts)?;
    }

    #[test]
    fn changes_applied_one_by_one_agree_with_the_rule(start in facts(), edits in proptest::collection::vec(edit(), 0..40)) {
        let mut facts = start;
        let mut index = AccessIndex::build(&facts);
        for edit in edits {
            if let Some(change) = perform(&mut facts, edit) {
                // As other processes get it: through the access log's JSON.
                let logged = serde_json::to_string(&change).unwrap();
                index.apply(serde_json::from_str(&logged).unwrap());
            }
        }
        assert_agrees(&index, &facts)?;
        for r in 0..ROLES {
            let expected = facts.policies.iter().filter(|p| p.role == role(r)).count();
            prop_assert_eq!(index.policies_with_role(&role(r)), expected);
        }
        // And an index built from the final facts says the same.
        assert_agrees(&AccessIndex::build(&facts), &facts)?;
    }
}

#[test]
fn workspace_policies_never_confer_global_permissions() {
    let admin = user(0);
    let facts = Facts {
        users: vec![(admin, true)],
        roles: vec![(role(0), PermissionSet::all())],
        memberships: vec![],
        policies: vec![PolicyFact {
            id: PolicyId(1),
            subject: Subject::User(admin),
            role: role(0),
            scope: Scope::Workspace(workspace(0)),
        }],
    };
    let index = AccessIndex::build(&facts);
    assert!(index.check(&admin, Permission::parse("endpoint:create").unwrap(), Some("ws-0")));
    assert!(
        !index.check(&admin, Permission::parse("endpoint:create").unwrap(), Some("ws-1")),
        "other workspaces are isolated"
    );
    assert!(
        !index.check(&admin, Permission::parse("endpoint:create").unwrap(), None),
        "no workspace: global policies only"
    );
    assert!(!index.check(&admin, Permission::UserManage, Some("ws-0")), "a global permission needs a global policy");
}

#[test]
fn explain_names_the_team() {
    let ada = user(0);
    let facts = Facts {
        users: vec![(ada, true)],
        roles: vec![(role(0), [Permission::parse("endpoint:invoke").unwrap()].into_iter().collect())],
        memberships: vec![(team(0), ada)],
        policies: vec![PolicyFact {
            id: PolicyId(7),
            subject: Subject::Team(team(0)),
            role: role(0),
            scope: Scope::Workspace(workspace(1)),
        }],
    };
    let index = AccessIndex::build(&facts);
    let explained = index.explain(&ada, Some("ws-1"));
    assert_eq!(explained.len(), 1);
    let (permission, grants) = &explained[0];
    assert_eq!(*permission, Permission::parse("endpoint:invoke").unwrap());
    assert_eq!(grants[0].policy, PolicyId(7));
    assert_eq!(grants[0].via_team, Some(team(0)));
    assert_eq!(grants[0].scope, Scope::Workspace(workspace(1)));
}

proptest! {
    #[test]
    fn workspaces_with_lists_exactly_where_check_allows(facts in facts()) {
        let index = AccessIndex::build(&facts);
        for u in (0..USERS).map(user) {
            for p in Permission::all() {
                let allowed: Vec<WorkspaceKey> = (0..WORKSPACES)
                    .map(workspace)
                    .filter(|w| index.check(&u, *p, Some(w.as_str())))
                    .collect();
                match index.workspaces_with(&u, *p) {
                    None => prop_assert!(index.check(&u, *p, None)),
                    Some(listed) => prop_assert_eq!(listed, allowed),
                }
            }
        }
    }

    #[test]
    fn check_many_answers_as_check_does(facts in facts()) {
        let index = AccessIndex::build(&facts);
        let mut questions = Vec::new();
        let workspaces: Vec<Option<String>> =
            std::iter::once(None).chain((0..WORKSPACES).map(|w| Some(workspace(w).to_string()))).collect();
        for u in (0..USERS).map(user).chain(std::iter::once(user(99))) {
            for p in Permission::all() {
                for ws in &workspaces {
                    questions.push((u, *p, ws.as_deref()));
                }
            }
        }
        let one_by_one: Vec<bool> = questions.iter().map(|(u, p, ws)| index.check(u, *p, *ws)).collect();
        prop_assert_eq!(index.check_many(&questions), one_by_one);
    }

    #[test]
    fn holders_are_exactly_the_users_check_allows(facts in facts()) {
        let index = AccessIndex::build(&facts);
        let workspaces: Vec<Option<String>> = std::iter::once(None)
            .chain((0..WORKSPACES).map(|w| Some(workspace(w).to_string())))
            .chain(std::iter::once(Some("elsewhere".to_owned())))
            .collect();
        for p in Permission::all() {
            for ws in &workspaces {
                let mut expected: Vec<UserId> =
                    (0..USERS).map(user).filter(|u| index.check(u, *p, ws.as_deref())).collect();
                expected.sort();
                prop_assert_eq!(index.holders(*p, ws.as_deref()), expected, "{} {:?}", p, ws);
            }
        }
    }

    #[test]
    fn with_access_lists_users_holding_a_workspace_permission_there(facts in facts()) {
        let index = AccessIndex::build(&facts);
        let workspace_permissions = PermissionSet::of_scope(crate::domain::ScopeKind::Workspace);
        for w in (0..WORKSPACES).map(workspace).chain(std::iter::once(WorkspaceKey::parse("elsewhere").unwrap())) {
            let mut expected: Vec<UserId> = (0..USERS)
                .map(user)
                .filter(|u| workspace_permissions.iter().any(|p| index.check(u, p, Some(w.as_str()))))
                .collect();
            expected.sort();
            prop_assert_eq!(index.with_access(w.as_str()), expected.clone(), "{}", w);
            // Each of them is reached by some grant, and only they are.
            for u in (0..USERS).map(user) {
                prop_assert_eq!(!index.grants_in(&u, w.as_str()).is_empty(), expected.contains(&u), "{} {}", u, w);
            }
        }
    }
}
