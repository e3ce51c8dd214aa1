use super::escalation::{Binding, Holder};
use rustc_hash::FxHashMap;

use crate::domain::{
    Permission, PermissionSet, PolicyId, RoleKey, Scope, ScopeKind, Subject, TeamKey, UserId, WorkspaceKey,
};

/// One policy as the engine sees it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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

/// One committed change, applied after the transaction that made it. It is
/// also what the database's access log records, so other processes apply it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
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
/// Team numbers kept inside a user's hot entry; more spill to the cold side.
const INLINE_TEAMS: usize = 5;

/// One policy bound to a subject.
#[derive(Clone, Copy, Debug)]
struct GrantEntry {
    scope: ScopeIx,
    role: RoleIx,
    policy: PolicyId,
}

/// What a check reads of a subject (a user or a team), packed into one cache
/// line (a 256-bit permission set is half of it): checks spread over 100,000 users are bound by memory
/// latency, so one subject costs one line here plus one or two in the
/// workspace arena.
// INVARIANT: `global` and the arena slice `ws_start..ws_start + ws_len` are
// the union of the role permissions of the subject's grants, per scope; the
// slice is sorted by scope and holds no empty set. `teams[..min(team_count,
// INLINE_TEAMS)]` and the cold `extra_teams` are the user's teams.
#[derive(Clone, Copy, Debug, Default)]
#[repr(C, align(64))]
struct HotSubject {
    global: PermissionSet,
    ws_start: u32,
    ws_len: u32,
    teams: [SubjectIx; INLINE_TEAMS],
    team_count: u16,
    active: bool,
}

/// What only writes and explanations read.
#[derive(Clone, Debug, Default)]
struct ColdSubject {
    /// `Some` for a team: its key, for explanations.
    team: Option<TeamKey>,
    grants: Vec<GrantEntry>,
    /// Slots reserved in the arena from `ws_start`.
    ws_capacity: u32,
    /// A user's teams beyond the inline ones.
    extra_teams: Vec<SubjectIx>,
}

/// The in-memory index: per subject, its policies and their permissions
/// merged per scope. A check touches the user's entry and those of their
/// teams, nothing proportional to the number of policies.
///
/// Layout: `hot` (32 bytes per subject) and the workspace arena
/// (`ws_scopes`/`ws_sets`, each subject owning one slice, sorted by scope)
/// are all a check reads; grants and team keys live in `cold`.
#[derive(Clone, Debug, Default)]
pub struct AccessIndex {
    users: FxHashMap<UserId, SubjectIx>,
    teams: FxHashMap<TeamKey, SubjectIx>,
    hot: Vec<HotSubject>,
    cold: Vec<ColdSubject>,
    // Scopes and sets apart, so a binary search reads 16 scopes per line.
    ws_scopes: Vec<ScopeIx>,
    ws_sets: Vec<PermissionSet>,
    workspaces: FxHashMap<WorkspaceKey, ScopeIx>,
    workspace_keys: Vec<WorkspaceKey>,
    roles: FxHashMap<RoleKey, RoleIx>,
    role_keys: Vec<RoleKey>,
    role_permissions: Vec<PermissionSet>,
    /// Policies per role, so "used by N policies" needs no query.
    role_policy_counts: Vec<u32>,
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
        // Grants first, then every subject's merged sets laid out once, in
        // subject order, with no spare room: O(policies).
        for policy in &facts.policies {
            index.insert_grant(policy.clone());
        }
        let mut merged = Vec::new();
        for ix in 0..index.hot.len() {
            index.cold[ix].grants.shrink_to_fit();
            let global = index.merge_grants(ix as SubjectIx, &mut merged);
            index.hot[ix].global = global;
            index.hot[ix].ws_start = index.ws_scopes.len() as u32;
            index.hot[ix].ws_len = merged.len() as u32;
            index.cold[ix].ws_capacity = merged.len() as u32;
            index.ws_scopes.extend(merged.iter().map(|(scope, _)| *scope));
            index.ws_sets.extend(merged.iter().map(|(_, set)| *set));
        }
        index.ws_scopes.shrink_to_fit();
        index.ws_sets.shrink_to_fit();
        index.hot.shrink_to_fit();
        index.cold.shrink_to_fit();
        index
    }

    /// Applies one committed change.
    pub fn apply(&mut self, change: Change) {
        match change {
            Change::UserSet { user, active } => {
                let ix = self.user_ix_or_insert(user);
                self.hot[ix as usize].active = active;
            }
            Change::UserRemoved(user) => {
                if let Some(ix) = self.users.get(&user).copied() {
                    let hot = &mut self.hot[ix as usize];
                    hot.active = false;
                    hot.team_count = 0;
                    self.cold[ix as usize].extra_teams = Vec::new();
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
                if !self.teams_of(user_ix).any(|t| t == team_ix) {
                    let hot = &mut self.hot[user_ix as usize];
                    let count = hot.team_count as usize;
                    if count < INLINE_TEAMS {
                        hot.teams[count] = team_ix;
                    } else {
                        self.cold[user_ix as usize].extra_teams.push(team_ix);
                    }
                    hot.team_count += 1;
                }
            }
            Change::MemberRemoved { team, user } => {
                if let (Some(team_ix), Some(user_ix)) = (self.teams.get(&team).copied(), self.users.get(&user).copied())
                {
                    self.remove_membership(user_ix, team_ix);
                }
            }
            Change::PolicyAdded(policy) => {
                if let Some((subject, scope)) = self.insert_grant(policy) {
                    self.refresh_scope(subject, scope);
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
                    let grants = &mut self.cold[subject as usize].grants;
                    if let Some(position) = grants.iter().position(|g| g.policy == policy.id) {
                        let removed = grants.remove(position);
                        self.role_policy_counts[removed.role as usize] -= 1;
                        self.policy_count -= 1;
                        self.refresh_scope(subject, scope);
                    }
                }
            }
        }
    }

    /// Whether `user` is known and active.
    pub fn is_active(&self, user: &UserId) -> bool {
        self.users.get(user).is_some_and(|&ix| self.hot[ix as usize].active)
    }

    /// Whether `user` may use `permission`, in `workspace` or (with `None`)
    /// globally. This is the hot path: a few lookups, no allocation.
    #[inline]
    pub fn check(&self, user: &UserId, permission: Permission, workspace: Option<&str>) -> bool {
        let Some(&ix) = self.users.get(user) else { return false };
        let hot = &self.hot[ix as usize];
        if !hot.active {
            return false;
        }
        self.decide(ix, hot, permission, self.asked_workspace(permission, workspace))
    }

    /// Answers many questions at once, in order. Same answers as `check`,
    /// but in stages (find every user, then read every entry, then decide)
    /// so that the memory reads of different questions overlap instead of
    /// waiting for each other: at 100,000 users a lone check is bound by
    /// memory latency, a batch by bandwidth.
    pub fn check_many(&self, questions: &[(UserId, Permission, Option<&str>)]) -> Vec<bool> {
        let entries: Vec<Option<(SubjectIx, HotSubject)>> = questions
            .iter()
            .map(|(user, _, _)| self.users.get(user).copied())
            .map(|ix| ix.map(|ix| (ix, self.hot[ix as usize])))
            .collect();
        questions
            .iter()
            .zip(entries)
            .map(|((_, permission, workspace), entry)| {
                let Some((ix, hot)) = entry.filter(|(_, hot)| hot.active) else { return false };
                self.decide(ix, &hot, *permission, self.asked_workspace(*permission, *workspace))
            })
            .collect()
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
        let Some(user_ix) = self.active_user(user) else { return Vec::new() };
        let workspace = self.asked_workspace(permission, workspace);
        let mut found = Vec::new();
        for subject in std::iter::once(user_ix).chain(self.teams_of(user_ix)) {
            let cold = &self.cold[subject as usize];
            for grant in &cold.grants {
                let in_scope = grant.scope == GLOBAL || Some(grant.scope) == workspace;
                if in_scope && self.role_permissions[grant.role as usize].contains(permission) {
                    found.push(self.describe(grant, cold));
                }
            }
        }
        found
    }

    /// Each permission `user` holds (in `workspace`, or globally with
    /// `None`), with the policies that grant it, in catalog order.
    pub fn explain(&self, user: &UserId, workspace: Option<&str>) -> Vec<(Permission, Vec<Grant>)> {
        Permission::all()
            .iter()
            .map(|p| (*p, self.grants_for(user, *p, workspace)))
            .filter(|(_, grants)| !grants.is_empty())
            .collect()
    }

    /// Every permission `user` holds in `workspace` (or globally).
    pub fn permissions(&self, user: &UserId, workspace: Option<&str>) -> PermissionSet {
        Permission::all().iter().copied().filter(|p| self.check(user, *p, workspace)).collect()
    }

    /// The workspaces where `user` holds `permission`, by key; `None` when
    /// they hold it globally (so in every workspace).
    pub fn workspaces_with(&self, user: &UserId, permission: Permission) -> Option<Vec<WorkspaceKey>> {
        if self.check(user, permission, None) {
            return None;
        }
        let Some(user_ix) = self.active_user(user) else { return Some(Vec::new()) };
        if permission.scope() != ScopeKind::Workspace {
            return Some(Vec::new());
        }
        let mut scopes: Vec<ScopeIx> = std::iter::once(user_ix)
            .chain(self.teams_of(user_ix))
            .flat_map(|subject| {
                let hot = &self.hot[subject as usize];
                let start = hot.ws_start as usize;
                (start..start + hot.ws_len as usize)
                    .filter(|i| self.ws_sets[*i].contains(permission))
                    .map(|i| self.ws_scopes[i])
            })
            .collect();
        scopes.sort_unstable();
        scopes.dedup();
        let mut keys: Vec<WorkspaceKey> = scopes.into_iter().map(|s| self.workspace_keys[s as usize].clone()).collect();
        keys.sort();
        Some(keys)
    }

    /// Every active user who holds `permission` (in `workspace`, or globally
    /// with `None`), sorted. Scans every user: for the access explorer, not
    /// for the hot path (about 5 ms at 100,000 users).
    pub fn holders(&self, permission: Permission, workspace: Option<&str>) -> Vec<UserId> {
        let scope = self.asked_workspace(permission, workspace);
        let mut found: Vec<UserId> = self
            .users
            .iter()
            .filter(|(_, ix)| {
                let hot = &self.hot[**ix as usize];
                hot.active && self.decide(**ix, hot, permission, scope)
            })
            .map(|(user, _)| *user)
            .collect();
        found.sort_unstable();
        found
    }

    /// Every active user who holds some workspace permission in `workspace`
    /// (through a policy of theirs or of a team, scoped to it or global),
    /// sorted.
    pub fn with_access(&self, workspace: &str) -> Vec<UserId> {
        let workspace_permissions = PermissionSet::of_scope(ScopeKind::Workspace);
        let scope = self.workspaces.get(workspace).copied();
        let reaches = |hot: &HotSubject| {
            !hot.global.intersection(workspace_permissions).is_empty()
                || scope.is_some_and(|ws| {
                    let start = hot.ws_start as usize;
                    self.ws_scopes[start..start + hot.ws_len as usize]
                        .binary_search(&ws)
                        .is_ok_and(|i| !self.ws_sets[start + i].intersection(workspace_permissions).is_empty())
                })
        };
        let mut found: Vec<UserId> = self
            .users
            .iter()
            .filter(|(_, ix)| {
                let hot = &self.hot[**ix as usize];
                hot.active && (reaches(hot) || self.teams_of(**ix).any(|t| reaches(&self.hot[t as usize])))
            })
            .map(|(user, _)| *user)
            .collect();
        found.sort_unstable();
        found
    }

    /// The policies through which `user` reaches `workspace`: their own and
    /// their teams', scoped to it or global, granting some workspace
    /// permission.
    pub fn grants_in(&self, user: &UserId, workspace: &str) -> Vec<Grant> {
        let Some(user_ix) = self.active_user(user) else { return Vec::new() };
        let workspace_permissions = PermissionSet::of_scope(ScopeKind::Workspace);
        let scope = self.workspaces.get(workspace).copied();
        let mut found = Vec::new();
        for subject in std::iter::once(user_ix).chain(self.teams_of(user_ix)) {
            let cold = &self.cold[subject as usize];
            for grant in &cold.grants {
                let in_scope = grant.scope == GLOBAL || Some(grant.scope) == scope;
                let confers =
                    !self.role_permissions[grant.role as usize].intersection(workspace_permissions).is_empty();
                if in_scope && confers {
                    found.push(self.describe(grant, cold));
                }
            }
        }
        found
    }

    /// How many policies bind `role`.
    pub fn policies_with_role(&self, role: &RoleKey) -> usize {
        self.roles.get(role).map_or(0, |ix| self.role_policy_counts[*ix as usize] as usize)
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

    /// The decision for an active user: their own sets, then each team's.
    /// Only a user in more than `INLINE_TEAMS` teams reaches the cold side.
    #[inline]
    fn decide(&self, ix: SubjectIx, hot: &HotSubject, permission: Permission, workspace: Option<ScopeIx>) -> bool {
        if self.allows(hot, permission, workspace) {
            return true;
        }
        let count = hot.team_count as usize;
        hot.teams[..count.min(INLINE_TEAMS)].iter().any(|t| self.allows(&self.hot[*t as usize], permission, workspace))
            || (count > INLINE_TEAMS
                && self.cold[ix as usize]
                    .extra_teams
                    .iter()
                    .any(|t| self.allows(&self.hot[*t as usize], permission, workspace)))
    }

    #[inline]
    fn allows(&self, hot: &HotSubject, permission: Permission, workspace: Option<ScopeIx>) -> bool {
        hot.global.contains(permission)
            || workspace.is_some_and(|ws| {
                let start = hot.ws_start as usize;
                self.ws_scopes[start..start + hot.ws_len as usize]
                    .binary_search(&ws)
                    .is_ok_and(|i| self.ws_sets[start + i].contains(permission))
            })
    }

    fn active_user(&self, user: &UserId) -> Option<SubjectIx> {
        let ix = *self.users.get(user)?;
        self.hot[ix as usize].active.then_some(ix)
    }

    fn teams_of(&self, user: SubjectIx) -> impl Iterator<Item = SubjectIx> + '_ {
        let hot = &self.hot[user as usize];
        let inline = (hot.team_count as usize).min(INLINE_TEAMS);
        hot.teams[..inline].iter().chain(self.cold[user as usize].extra_teams.iter()).copied()
    }

    fn remove_membership(&mut self, user: SubjectIx, team: SubjectIx) {
        let hot = &mut self.hot[user as usize];
        let extra = &mut self.cold[user as usize].extra_teams;
        let inline = (hot.team_count as usize).min(INLINE_TEAMS);
        if let Some(i) = hot.teams[..inline].iter().position(|t| *t == team) {
            // Keep the inline slots full: the last team takes the freed one.
            hot.teams[i] = match extra.pop() {
                Some(moved) => moved,
                None => hot.teams[inline - 1],
            };
            hot.team_count -= 1;
        } else if let Some(i) = extra.iter().position(|t| *t == team) {
            extra.swap_remove(i);
            hot.team_count -= 1;
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
        let grants = &mut self.cold[subject as usize].grants;
        if grants.iter().any(|g| g.policy == policy.id) {
            return None;
        }
        grants.push(GrantEntry { scope, role, policy: policy.id });
        self.role_policy_counts[role as usize] += 1;
        self.policy_count += 1;
        Some((subject, scope))
    }

    /// The subject's global set, and its workspace sets sorted by scope
    /// (into `merged`), from its grants.
    fn merge_grants(&self, subject: SubjectIx, merged: &mut Vec<(ScopeIx, PermissionSet)>) -> PermissionSet {
        merged.clear();
        let mut global = PermissionSet::EMPTY;
        for grant in &self.cold[subject as usize].grants {
            let permissions = self.role_permissions[grant.role as usize];
            if grant.scope == GLOBAL {
                global = global.union(permissions);
            } else {
                merged.push((grant.scope, permissions));
            }
        }
        merged.sort_unstable_by_key(|(scope, _)| *scope);
        merged.dedup_by(|later, earlier| {
            if later.0 == earlier.0 {
                earlier.1 = earlier.1.union(later.1);
                true
            } else {
                false
            }
        });
        merged.retain(|(_, set)| !set.is_empty());
        global
    }

    /// Recomputes the merged set of one scope of a subject from its grants.
    fn refresh_scope(&mut self, subject: SubjectIx, scope: ScopeIx) {
        let merged = self.cold[subject as usize]
            .grants
            .iter()
            .filter(|g| g.scope == scope)
            .fold(PermissionSet::EMPTY, |acc, g| acc.union(self.role_permissions[g.role as usize]));
        let hot = self.hot[subject as usize];
        if scope == GLOBAL {
            self.hot[subject as usize].global = merged;
            return;
        }
        let start = hot.ws_start as usize;
        let len = hot.ws_len as usize;
        match (self.ws_scopes[start..start + len].binary_search(&scope), merged.is_empty()) {
            (Ok(i), true) => {
                self.ws_scopes.copy_within(start + i + 1..start + len, start + i);
                self.ws_sets.copy_within(start + i + 1..start + len, start + i);
                self.hot[subject as usize].ws_len -= 1;
            }
            (Ok(i), false) => self.ws_sets[start + i] = merged,
            (Err(i), false) => {
                let start = self.reserve_slots(subject, len + 1);
                self.ws_scopes.copy_within(start + i..start + len, start + i + 1);
                self.ws_sets.copy_within(start + i..start + len, start + i + 1);
                self.ws_scopes[start + i] = scope;
                self.ws_sets[start + i] = merged;
                self.hot[subject as usize].ws_len += 1;
            }
            (Err(_), true) => {}
        }
    }

    /// Makes room for `needed` workspace sets in the subject's arena slice,
    /// moving it to the end of the arena (doubling) when it is full; returns
    /// the slice's start. The old slots are left unused: a subject leaves
    /// behind less than it now holds, so the arena stays under twice its
    /// live size without a compaction pass.
    fn reserve_slots(&mut self, subject: SubjectIx, needed: usize) -> usize {
        let hot = self.hot[subject as usize];
        let cold = &mut self.cold[subject as usize];
        if needed <= cold.ws_capacity as usize {
            return hot.ws_start as usize;
        }
        let (old, len) = (hot.ws_start as usize, hot.ws_len as usize);
        let capacity = needed.max(2 * cold.ws_capacity as usize).max(4);
        let start = self.ws_scopes.len();
        self.ws_scopes.extend_from_within(old..old + len);
        self.ws_sets.extend_from_within(old..old + len);
        self.ws_scopes.resize(start + capacity, GLOBAL);
        self.ws_sets.resize(start + capacity, PermissionSet::EMPTY);
        cold.ws_capacity = capacity as u32;
        self.hot[subject as usize].ws_start = u32::try_from(start).expect("workspace arena under 4 G entries");
        start
    }

    /// A role's permissions changed: every subject with a policy of that role
    /// is merged again. Rare, and proportional to the subjects it touches.
    fn set_role_permissions(&mut self, role: RoleIx, permissions: PermissionSet) {
        if self.role_permissions[role as usize] == permissions {
            return;
        }
        self.role_permissions[role as usize] = permissions;
        let mut merged = Vec::new();
        for subject in 0..self.hot.len() {
            if !self.cold[subject].grants.iter().any(|g| g.role == role) {
                continue;
            }
            let subject = subject as SubjectIx;
            let global = self.merge_grants(subject, &mut merged);
            let start = self.reserve_slots(subject, merged.len());
            let hot = &mut self.hot[subject as usize];
            hot.global = global;
            hot.ws_len = merged.len() as u32;
            for (i, (scope, set)) in merged.iter().enumerate() {
                self.ws_scopes[start + i] = *scope;
                self.ws_sets[start + i] = *set;
            }
        }
    }

    fn describe(&self, grant: &GrantEntry, subject: &ColdSubject) -> Grant {
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

    fn push_subject(&mut self, team: Option<TeamKey>) -> SubjectIx {
        let ix = SubjectIx::try_from(self.hot.len()).expect("under 4 G subjects");
        self.hot.push(HotSubject { ws_start: self.ws_scopes.len() as u32, ..HotSubject::default() });
        self.cold.push(ColdSubject { team, ..ColdSubject::default() });
        ix
    }

    fn user_ix_or_insert(&mut self, user: UserId) -> SubjectIx {
        if let Some(ix) = self.users.get(&user) {
            return *ix;
        }
        // A user first seen through a membership or policy is not active
        // until a `UserSet` says so.
        let ix = self.push_subject(None);
        self.users.insert(user, ix);
        ix
    }

    fn team_ix_or_insert(&mut self, team: TeamKey) -> SubjectIx {
        if let Some(ix) = self.teams.get(&team) {
            return *ix;
        }
        let ix = self.push_subject(Some(team.clone()));
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
        self.role_policy_counts.push(0);
        self.roles.insert(role, ix);
        ix
    }
}

/// What policies confer, for the escalation rule ([`super::escalation`]).
impl AccessIndex {
    /// Whether `actor` may use `permission` (in `workspace`, or globally):
    /// the user's own permissions, narrowed by their token.
    pub fn holds(&self, actor: Holder<'_>, permission: Permission, workspace: Option<&str>) -> bool {
        self.check(actor.user, permission, workspace) && actor.token.is_none_or(|t| t.allows(permission, workspace))
    }

    /// What `user`'s policies and their teams' policies confer, one binding
    /// per scope, whether or not the user is active (enabling them confers it).
    pub fn bindings_of_user(&self, user: &UserId) -> Vec<Binding> {
        let Some(&ix) = self.users.get(user) else { return Vec::new() };
        let subjects: Vec<u32> = std::iter::once(ix).chain(self.teams_of(ix)).collect();
        self.bindings_of(&subjects)
    }

    /// What a team's policies confer on each member, one binding per scope.
    pub fn bindings_of_team(&self, team: &TeamKey) -> Vec<Binding> {
        self.teams.get(team).map_or_else(Vec::new, |&ix| self.bindings_of(&[ix]))
    }

    /// The permissions of role `key`, if the index knows it.
    pub fn role_permissions(&self, key: &crate::domain::RoleKey) -> Option<PermissionSet> {
        self.roles.get(key).map(|ix| self.role_permissions[*ix as usize])
    }

    /// Every binding of workspace `key`'s policies (what deleting it takes away).
    pub fn bindings_in_workspace(&self, key: &WorkspaceKey) -> Vec<Binding> {
        let Some(&scope) = self.workspaces.get(key) else { return Vec::new() };
        let mut permissions = PermissionSet::EMPTY;
        for cold in &self.cold {
            for grant in cold.grants.iter().filter(|g| g.scope == scope) {
                permissions = permissions.union(self.role_permissions[grant.role as usize]);
            }
        }
        super::escalation::merge(vec![Binding::of_role(permissions, Scope::Workspace(key.clone()))])
    }

    fn bindings_of(&self, subjects: &[u32]) -> Vec<Binding> {
        let mut found = Vec::new();
        for &subject in subjects {
            for grant in &self.cold[subject as usize].grants {
                let scope = match grant.scope {
                    GLOBAL => Scope::Global,
                    ws => Scope::Workspace(self.workspace_keys[ws as usize].clone()),
                };
                found.push(Binding::of_role(self.role_permissions[grant.role as usize], scope));
            }
        }
        super::escalation::merge(found)
    }
}

#[cfg(test)]
mod layout {
    #[test]
    fn hot_subject_is_one_cache_line() {
        assert_eq!(std::mem::size_of::<super::HotSubject>(), 64);
    }
}
