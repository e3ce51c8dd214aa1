use rustc_hash::FxHashMap;
use smallvec::SmallVec;

use crate::domain::{
    Permission, PermissionSet, PolicyId, RoleKey, Scope, ScopeKind, Subject, TeamKey, UserId, WorkspaceKey,
};

/// One policy as the engine sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyFact {
    pub id: PolicyId,
    pub subject: Subject,
    pub role: RoleKey,
    pub scope: Scope,
}

/// Everything the engine needs, as loaded from the database.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    /// Every user and whether they are active.
    pub users: Vec<(UserId, bool)>,
    /// Every role and its permissions.
    pub roles: Vec<(RoleKey, PermissionSet)>,
    /// Team memberships.
    pub memberships: Vec<(TeamKey, UserId)>,
    /// Every policy.
    pub policies: Vec<PolicyFact>,
}

/// One committed change, applied after the transaction that made it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// A user was created, enabled or disabled.
    UserSet { user: UserId, active: bool },
    /// A user was deleted (their policies and memberships are removed separately).
    UserRemoved(UserId),
    /// A role was created or its permissions changed.
    RoleSet { role: RoleKey, permissions: PermissionSet },
    /// A role was deleted (no policy used it).
    RoleRemoved(RoleKey),
    /// A user joined a team.
    MemberAdded { team: TeamKey, user: UserId },
    /// A user left a team.
    MemberRemoved { team: TeamKey, user: UserId },
    /// A policy was created.
    PolicyAdded(PolicyFact),
    /// A policy was deleted (the whole fact, so the index needs no id map).
    PolicyRemoved(PolicyFact),
}

/// A policy that grants a permission, and how it reaches the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    pub policy: PolicyId,
    pub role: RoleKey,
    pub scope: Scope,
    /// `Some(team)` when the policy is bound to a team the user is in.
    pub via_team: Option<TeamKey>,
}

/// Sizes, for metrics and benchmarks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IndexStats {
    pub users: usize,
    pub teams: usize,
    pub roles: usize,
    pub workspaces: usize,
    pub policies: usize,
}

/// Subjects (users and teams) share one numbering.
type SubjectIx = u32;
type RoleIx = u16;
/// The scope of a grant: a workspace number, or `GLOBAL`.
type ScopeIx = u32;
const GLOBAL: ScopeIx = u32::MAX;

/// One policy bound to a subject.
#[derive(Clone, Copy, Debug)]
struct GrantEntry {
    scope: ScopeIx,
    role: RoleIx,
    policy: PolicyId,
}

/// A user or a team, with what its own policies grant, pre-merged per scope
/// so that a check reads one bitset per subject and workspace.
#[derive(Clone, Debug, Default)]
struct SubjectEntry {
    /// `None` for a team.
    user: Option<UserState>,
    /// `Some` for a team: its key, for explanations.
    team: Option<TeamKey>,
    // INVARIANT: `global` and `by_workspace` are the union of the role
    // permissions of `grants`, per scope; `by_workspace` is sorted by scope
    // and has no empty sets.
    global: PermissionSet,
    by_workspace: Vec<(ScopeIx, PermissionSet)>,
    grants: Vec<GrantEntry>,
}

#[derive(Clone, Debug, Default)]
struct UserState {
    active: bool,
    teams: SmallVec<[SubjectIx; 4]>,
}

impl SubjectEntry {
    #[inline]
    fn allows(&self, permission: Permission, workspace: Option<ScopeIx>) -> bool {
        self.global.contains(permission)
            || workspace.is_some_and(|ws| {
                self.by_workspace
                    .binary_search_by_key(&ws, |(scope, _)| *scope)
                    .is_ok_and(|i| self.by_workspace[i].1.contains(permission))
            })
    }

    /// Recomputes the merged set of one scope from the grants.
    fn refresh_scope(&mut self, scope: ScopeIx, role_permissions: &[PermissionSet]) {
        let merged = self
            .grants
            .iter()
            .filter(|g| g.scope == scope)
            .fold(PermissionSet::EMPTY, |acc, g| acc.union(role_permissions[g.role as usize]));
        if scope == GLOBAL {
            self.global = merged;
            return;
        }
        match (self.by_workspace.binary_search_by_key(&scope, |(s, _)| *s), merged.is_empty()) {
            (Ok(i), true) => {
                self.by_workspace.remove(i);
            }
            (Ok(i), false) => self.by_workspace[i].1 = merged,
            (Err(i), false) => self.by_workspace.insert(i, (scope, merged)),
            (Err(_), true) => {}
        }
    }

    /// Recomputes every merged set (after a role changed).
    fn refresh_all(&mut self, role_permissions: &[PermissionSet]) {
        self.global = PermissionSet::EMPTY;
        self.by_workspace.clear();
        for grant in &self.grants {
            let permissions = role_permissions[grant.role as usize];
            if grant.scope == GLOBAL {
                self.global = self.global.union(permissions);
            } else {
                self.by_workspace.push((grant.scope, permissions));
            }
        }
        self.by_workspace.sort_unstable_by_key(|(scope, _)| *scope);
        self.by_workspace.dedup_by(|later, earlier| {
            if later.0 == earlier.0 {
                earlier.1 = earlier.1.union(later.1);
                true
            } else {
                false
            }
        });
        self.by_workspace.retain(|(_, set)| !set.is_empty());
        self.by_workspace.shrink_to_fit();
    }
}

/// The in-memory index: per subject, its policies and their permissions
/// merged per scope. A check touches the user's entry and those of their
/// teams, nothing proportional to the number of policies.
#[derive(Clone, Debug, Default)]
pub struct AccessIndex {
    users: FxHashMap<UserId, SubjectIx>,
    teams: FxHashMap<TeamKey, SubjectIx>,
    subjects: Vec<SubjectEntry>,
    workspaces: FxHashMap<WorkspaceKey, ScopeIx>,
    workspace_keys: Vec<WorkspaceKey>,
    roles: FxHashMap<RoleKey, RoleIx>,
    role_keys: Vec<RoleKey>,
    role_permissions: Vec<PermissionSet>,
    policy_count: usize,
}

impl AccessIndex {
    /// An empty index.
    pub fn new() -> Self {
        Self::default()
    }

    /// Builds the index from a full load of the facts.
    pub fn build(facts: &Facts) -> Self {
        let mut index = Self::new();
        index.users.reserve(facts.users.len());
        for (user, active) in &facts.users {
            index.apply(Change::UserSet { user: *user, active: *active });
        }
        for (role, permissions) in &facts.roles {
            let ix = index.role_ix_or_insert(role.clone());
            index.role_permissions[ix as usize] = *permissions;
        }
        for (team, user) in &facts.memberships {
            index.apply(Change::MemberAdded { team: team.clone(), user: *user });
        }
        // Grants first, merged sets once per subject at the end: O(policies).
        for policy in &facts.policies {
            index.insert_grant(policy.clone());
        }
        let role_permissions = std::mem::take(&mut index.role_permissions);
        for subject in &mut index.subjects {
            subject.grants.shrink_to_fit();
            subject.refresh_all(&role_permissions);
        }
        index.role_permissions = role_permissions;
        index
    }

    /// Applies one committed change.
    pub fn apply(&mut self, change: Change) {
        match change {
            Change::UserSet { user, active } => {
                let ix = self.user_ix_or_insert(user);
                if let Some(state) = &mut self.subjects[ix as usize].user {
                    state.active = active;
                }
            }
            Change::UserRemoved(user) => {
                if let Some(ix) = self.users.get(&user).copied() {
                    if let Some(state) = &mut self.subjects[ix as usize].user {
                        state.active = false;
                        state.teams.clear();
                    }
                }
            }
            Change::RoleSet { role, permissions } => {
                let ix = self.role_ix_or_insert(role);
                self.set_role_permissions(ix, permissions);
            }
            Change::RoleRemoved(role) => {
                if let Some(ix) = self.roles.get(&role).copied() {
                    self.set_role_permissions(ix, PermissionSet::EMPTY);
                }
            }
            Change::MemberAdded { team, user } => {
                let team_ix = self.team_ix_or_insert(team);
                let user_ix = self.user_ix_or_insert(user);
                if let Some(state) = &mut self.subjects[user_ix as usize].user {
                    if !state.teams.contains(&team_ix) {
                        state.teams.push(team_ix);
                    }
                }
            }
            Change::MemberRemoved { team, user } => {
                if let (Some(team_ix), Some(user_ix)) = (self.teams.get(&team).copied(), self.users.get(&user).copied())
                {
                    if let Some(state) = &mut self.subjects[user_ix as usize].user {
                        state.teams.retain(|t| *t != team_ix);
                    }
                }
            }
            Change::PolicyAdded(policy) => {
                if let Some((subject, scope)) = self.insert_grant(policy) {
                    self.subjects[subject as usize].refresh_scope(scope, &self.role_permissions);
                }
            }
            Change::PolicyRemoved(policy) => {
                let subject = match &policy.subject {
                    Subject::User(user) => self.users.get(user),
                    Subject::Team(team) => self.teams.get(team),
                };
                let scope = match &policy.scope {
                    Scope::Global => Some(GLOBAL),
                    Scope::Workspace(key) => self.workspaces.get(key).copied(),
                };
                if let (Some(subject), Some(scope)) = (subject.copied(), scope) {
                    let entry = &mut self.subjects[subject as usize];
                    let before = entry.grants.len();
                    entry.grants.retain(|g| g.policy != policy.id);
                    if entry.grants.len() < before {
                        self.policy_count -= 1;
                        entry.refresh_scope(scope, &self.role_permissions);
                    }
                }
            }
        }
    }

    /// Whether `user` may use `permission`, in `workspace` or (with `None`)
    /// globally. This is the hot path: a few lookups, no allocation.
    #[inline]
    pub fn check(&self, user: &UserId, permission: Permission, workspace: Option<&str>) -> bool {
        let Some((_, entry, teams)) = self.active_user(user) else { return false };
        let workspace = self.asked_workspace(permission, workspace);
        entry.allows(permission, workspace)
            || teams.iter().any(|t| self.subjects[*t as usize].allows(permission, workspace))
    }

    /// The ids of every policy that allows the check (empty when denied).
    pub fn granted_by(&self, user: &UserId, permission: Permission, workspace: Option<&str>) -> Vec<PolicyId> {
        let mut ids: Vec<PolicyId> =
            self.grants_for(user, permission, workspace).into_iter().map(|grant| grant.policy).collect();
        ids.sort();
        ids
    }

    /// Every policy that allows the check, with how it reaches the user.
    pub fn grants_for(&self, user: &UserId, permission: Permission, workspace: Option<&str>) -> Vec<Grant> {
        let Some((user_ix, _, teams)) = self.active_user(user) else { return Vec::new() };
        let workspace = self.asked_workspace(permission, workspace);
        let mut found = Vec::new();
        for subject in std::iter::once(user_ix).chain(teams.iter().copied()) {
            let entry = &self.subjects[subject as usize];
            for grant in &entry.grants {
                let in_scope = grant.scope == GLOBAL || Some(grant.scope) == workspace;
                if in_scope && self.role_permissions[grant.role as usize].contains(permission) {
                    found.push(self.describe(grant, entry));
                }
            }
        }
        found
    }

    /// Each permission `user` holds (in `workspace`, or globally with
    /// `None`), with the policies that grant it, in catalog order.
    pub fn explain(&self, user: &UserId, workspace: Option<&str>) -> Vec<(Permission, Vec<Grant>)> {
        Permission::ALL
            .iter()
            .map(|p| (*p, self.grants_for(user, *p, workspace)))
            .filter(|(_, grants)| !grants.is_empty())
            .collect()
    }

    /// Every permission `user` holds in `workspace` (or globally).
    pub fn permissions(&self, user: &UserId, workspace: Option<&str>) -> PermissionSet {
        Permission::ALL.iter().copied().filter(|p| self.check(user, *p, workspace)).collect()
    }

    /// How much the index holds.
    pub fn stats(&self) -> IndexStats {
        IndexStats {
            users: self.users.len(),
            teams: self.teams.len(),
            roles: self.roles.len(),
            workspaces: self.workspaces.len(),
            policies: self.policy_count,
        }
    }

    fn active_user(&self, user: &UserId) -> Option<(SubjectIx, &SubjectEntry, &[SubjectIx])> {
        let ix = *self.users.get(user)?;
        let entry = &self.subjects[ix as usize];
        match &entry.user {
            Some(UserState { active: true, teams }) => Some((ix, entry, teams.as_slice())),
            _ => None,
        }
    }

    /// The workspace to consult: only for workspace permissions (a workspace
    /// policy never confers a global one) and only if it has any policy.
    #[inline]
    fn asked_workspace(&self, permission: Permission, workspace: Option<&str>) -> Option<ScopeIx> {
        match (permission.scope(), workspace) {
            (ScopeKind::Workspace, Some(key)) => self.workspaces.get(key).copied(),
            _ => None,
        }
    }

    /// Records a policy's grant without refreshing merged sets.
    fn insert_grant(&mut self, policy: PolicyFact) -> Option<(SubjectIx, ScopeIx)> {
        let subject = match policy.subject {
            Subject::User(user) => self.user_ix_or_insert(user),
            Subject::Team(team) => self.team_ix_or_insert(team),
        };
        let scope = match policy.scope {
            Scope::Global => GLOBAL,
            Scope::Workspace(key) => self.workspace_ix_or_insert(key),
        };
        let role = self.role_ix_or_insert(policy.role);
        let grants = &mut self.subjects[subject as usize].grants;
        if grants.iter().any(|g| g.policy == policy.id) {
            return None;
        }
        grants.push(GrantEntry { scope, role, policy: policy.id });
        self.policy_count += 1;
        Some((subject, scope))
    }

    /// A role's permissions changed: every subject with a policy of that role
    /// is merged again. Rare, and proportional to the subjects it touches.
    fn set_role_permissions(&mut self, role: RoleIx, permissions: PermissionSet) {
        if self.role_permissions[role as usize] == permissions {
            return;
        }
        self.role_permissions[role as usize] = permissions;
        let role_permissions = &self.role_permissions;
        for subject in &mut self.subjects {
            if subject.grants.iter().any(|g| g.role == role) {
                subject.refresh_all(role_permissions);
            }
        }
    }

    fn describe(&self, grant: &GrantEntry, subject: &SubjectEntry) -> Grant {
        Grant {
            policy: grant.policy,
            role: self.role_keys[grant.role as usize].clone(),
            scope: if grant.scope == GLOBAL {
                Scope::Global
            } else {
                Scope::Workspace(self.workspace_keys[grant.scope as usize].clone())
            },
            via_team: subject.team.clone(),
        }
    }

    fn user_ix_or_insert(&mut self, user: UserId) -> SubjectIx {
        if let Some(ix) = self.users.get(&user) {
            return *ix;
        }
        let ix = self.subjects.len() as SubjectIx;
        // A user first seen through a membership or policy is not active
        // until a `UserSet` says so.
        self.subjects.push(SubjectEntry { user: Some(UserState::default()), ..SubjectEntry::default() });
        self.users.insert(user, ix);
        ix
    }

    fn team_ix_or_insert(&mut self, team: TeamKey) -> SubjectIx {
        if let Some(ix) = self.teams.get(&team) {
            return *ix;
        }
        let ix = self.subjects.len() as SubjectIx;
        self.subjects.push(SubjectEntry { team: Some(team.clone()), ..SubjectEntry::default() });
        self.teams.insert(team, ix);
        ix
    }

    fn workspace_ix_or_insert(&mut self, key: WorkspaceKey) -> ScopeIx {
        if let Some(ix) = self.workspaces.get(&key) {
            return *ix;
        }
        let ix = self.workspace_keys.len() as ScopeIx;
        self.workspace_keys.push(key.clone());
        self.workspaces.insert(key, ix);
        ix
    }

    fn role_ix_or_insert(&mut self, role: RoleKey) -> RoleIx {
        if let Some(ix) = self.roles.get(&role) {
            return *ix;
        }
        let ix = self.role_keys.len() as RoleIx;
        self.role_keys.push(role.clone());
        self.role_permissions.push(PermissionSet::EMPTY);
        self.roles.insert(role, ix);
        ix
    }
}
