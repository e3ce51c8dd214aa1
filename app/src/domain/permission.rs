//! The permission catalog: every `resource:action` Portcullis knows, defined in
//! code, each with a description and the kind of scope it applies at.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Where a permission means something.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum ScopeKind {
    /// Managing the platform itself; only global policies confer it.
    Global,
    /// Things a workspace owns; global policies confer it in every workspace,
    /// a workspace policy only in its workspace.
    Workspace,
}

macro_rules! catalog {
    ($( $variant:ident = $bit:literal, $key:literal, $scope:ident, $description:literal; )*) => {
        /// One permission of the catalog.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u8)]
        pub enum Permission {
            $( $variant = $bit, )*
        }

        impl Permission {
            /// Every permission, in catalog order.
            pub const ALL: &'static [Permission] = &[$( Permission::$variant, )*];

            /// The `resource:action` key.
            pub fn key(self) -> &'static str {
                match self { $( Permission::$variant => $key, )* }
            }

            /// What holding it allows, for people.
            pub fn description(self) -> &'static str {
                match self { $( Permission::$variant => $description, )* }
            }

            /// Whether it is a global or a workspace permission.
            pub fn scope(self) -> ScopeKind {
                match self { $( Permission::$variant => ScopeKind::$scope, )* }
            }

            /// The permission with this key, if the catalog has it.
            pub fn parse(key: &str) -> Option<Self> {
                match key { $( $key => Some(Permission::$variant), )* _ => None }
            }
        }
    };
}

catalog! {
    UserRead = 0, "user:read", Global, "See users and their details";
    UserManage = 1, "user:manage", Global, "Create, edit, disable and delete users";
    RoleRead = 2, "role:read", Global, "See roles and what they grant";
    RoleManage = 3, "role:manage", Global, "Create, edit and delete custom roles";
    TeamRead = 4, "team:read", Global, "See teams and their members";
    TeamManage = 5, "team:manage", Global, "Create, edit and delete teams and their members";
    WorkspaceCreate = 6, "workspace:create", Global, "Create workspaces";
    InviteManage = 7, "invite:manage", Global, "Invite people and manage invitations";
    AuditRead = 8, "audit:read", Global, "Read the audit log";
    SettingsManage = 9, "settings:manage", Global, "Change platform settings";
    WorkspaceRead = 10, "workspace:read", Workspace, "See the workspace";
    WorkspaceUpdate = 11, "workspace:update", Workspace, "Edit the workspace's name and description";
    WorkspaceDelete = 12, "workspace:delete", Workspace, "Delete the workspace and its policies";
    PolicyRead = 13, "policy:read", Workspace, "See who has access, and through which policy";
    PolicyManage = 14, "policy:manage", Workspace, "Grant and revoke access";
    EndpointRead = 15, "endpoint:read", Workspace, "See inference endpoints";
    EndpointCreate = 16, "endpoint:create", Workspace, "Deploy inference endpoints";
    EndpointUpdate = 17, "endpoint:update", Workspace, "Change inference endpoints";
    EndpointDelete = 18, "endpoint:delete", Workspace, "Remove inference endpoints";
    EndpointInvoke = 19, "endpoint:invoke", Workspace, "Call inference endpoints";
    ModelRead = 20, "model:read", Workspace, "See models";
    ModelPush = 21, "model:push", Workspace, "Upload model versions";
    ModelDelete = 22, "model:delete", Workspace, "Delete models";
    DatasetRead = 23, "dataset:read", Workspace, "Read datasets";
    DatasetWrite = 24, "dataset:write", Workspace, "Write datasets";
}

impl Permission {
    /// The part before the colon (`endpoint`).
    pub fn resource(self) -> &'static str {
        self.key().split_once(':').map(|(r, _)| r).unwrap_or_default()
    }

    /// The part after the colon (`invoke`).
    pub fn action(self) -> &'static str {
        self.key().split_once(':').map(|(_, a)| a).unwrap_or_default()
    }

    /// Whether the action only reads.
    pub fn is_read(self) -> bool {
        self.action() == "read"
    }

    fn bit(self) -> u64 {
        1 << (self as u8)
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

impl Serialize for Permission {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.key())
    }
}

impl<'de> Deserialize<'de> for Permission {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let key = String::deserialize(deserializer)?;
        Permission::parse(&key).ok_or_else(|| serde::de::Error::custom(format!("unknown permission {key:?}")))
    }
}

/// A set of permissions, one bit each: copying, union and membership are
/// single machine instructions, which the authorization engine relies on.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct PermissionSet(u64);

impl PermissionSet {
    /// No permission.
    pub const EMPTY: Self = Self(0);

    /// Every permission of the catalog.
    pub fn all() -> Self {
        Permission::ALL.iter().copied().collect()
    }

    /// Every permission of one scope kind.
    pub fn of_scope(kind: ScopeKind) -> Self {
        Permission::ALL.iter().copied().filter(|p| p.scope() == kind).collect()
    }

    /// Whether `permission` is in the set.
    #[inline]
    pub fn contains(self, permission: Permission) -> bool {
        self.0 & permission.bit() != 0
    }

    /// Adds `permission`.
    pub fn insert(&mut self, permission: Permission) {
        self.0 |= permission.bit();
    }

    /// Removes `permission`.
    pub fn remove(&mut self, permission: Permission) {
        self.0 &= !permission.bit();
    }

    /// Both sets together.
    #[inline]
    pub fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// What both sets have.
    pub fn intersection(self, other: Self) -> Self {
        Self(self.0 & other.0)
    }

    /// What `self` has and `other` lacks.
    pub fn difference(self, other: Self) -> Self {
        Self(self.0 & !other.0)
    }

    /// Whether every permission of `self` is in `other`.
    pub fn is_subset(self, other: Self) -> bool {
        self.0 & !other.0 == 0
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// How many permissions the set has.
    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// The permissions, in catalog order.
    pub fn iter(self) -> impl Iterator<Item = Permission> {
        Permission::ALL.iter().copied().filter(move |p| self.contains(*p))
    }

    /// Parses a list of keys; the unknown ones are returned as the error.
    pub fn parse_keys<S: AsRef<str>>(keys: &[S]) -> Result<Self, Vec<String>> {
        let mut set = Self::EMPTY;
        let mut unknown = Vec::new();
        for key in keys {
            match Permission::parse(key.as_ref().trim()) {
                Some(p) => set.insert(p),
                None => unknown.push(key.as_ref().to_owned()),
            }
        }
        if unknown.is_empty() {
            Ok(set)
        } else {
            Err(unknown)
        }
    }
}

impl FromIterator<Permission> for PermissionSet {
    fn from_iter<I: IntoIterator<Item = Permission>>(iter: I) -> Self {
        let mut set = Self::EMPTY;
        for p in iter {
            set.insert(p);
        }
        set
    }
}

impl fmt::Debug for PermissionSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter().map(Permission::key)).finish()
    }
}

impl Serialize for PermissionSet {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for PermissionSet {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let permissions = Vec::<Permission>::deserialize(deserializer)?;
        Ok(permissions.into_iter().collect())
    }
}

/// The roles every installation has; they cannot be changed or deleted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BuiltinRole {
    Admin,
    Developer,
    Auditor,
    EndpointUser,
    Viewer,
}

impl BuiltinRole {
    /// All built-in roles.
    pub const ALL: [BuiltinRole; 5] = [
        BuiltinRole::Admin,
        BuiltinRole::Developer,
        BuiltinRole::Auditor,
        BuiltinRole::EndpointUser,
        BuiltinRole::Viewer,
    ];

    /// The role's key.
    pub fn key(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Developer => "developer",
            Self::Auditor => "auditor",
            Self::EndpointUser => "endpoint-user",
            Self::Viewer => "viewer",
        }
    }

    /// The built-in role with this key.
    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.key() == key)
    }

    /// The role's display name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Admin => "Administrator",
            Self::Developer => "Developer",
            Self::Auditor => "Auditor",
            Self::EndpointUser => "Endpoint user",
            Self::Viewer => "Viewer",
        }
    }

    /// What the role is for.
    pub fn description(self) -> &'static str {
        match self {
            Self::Admin => "Every permission, including ones added in later versions",
            Self::Developer => "Everything inside workspaces except deleting them and managing their policies",
            Self::Auditor => "Read everything, including the audit log; change nothing",
            Self::EndpointUser => "See and call inference endpoints and see models",
            Self::Viewer => "Read everything inside workspaces",
        }
    }

    /// The role's permissions, computed from the catalog so that new
    /// permissions reach `admin` (and the read-only roles) without a migration.
    pub fn permissions(self) -> PermissionSet {
        use Permission::*;
        let workspace = PermissionSet::of_scope(ScopeKind::Workspace);
        match self {
            Self::Admin => PermissionSet::all(),
            Self::Developer => {
                let mut set = workspace;
                set.remove(WorkspaceDelete);
                set.remove(PolicyManage);
                set
            }
            Self::Auditor => Permission::ALL.iter().copied().filter(|p| p.is_read()).collect(),
            Self::EndpointUser => [WorkspaceRead, EndpointRead, EndpointInvoke, ModelRead].into_iter().collect(),
            Self::Viewer => workspace.iter().filter(|p| p.is_read()).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn catalog_keys_are_unique_and_parse_back() {
        assert!(Permission::ALL.len() >= 25);
        for (i, p) in Permission::ALL.iter().enumerate() {
            assert_eq!(*p as usize, i, "bits follow catalog order");
            assert_eq!(Permission::parse(p.key()), Some(*p));
            assert_eq!(format!("{}:{}", p.resource(), p.action()), p.key());
            assert!(!p.description().is_empty());
        }
        assert_eq!(Permission::parse("endpoint:fly"), None);
    }

    #[test]
    fn builtin_roles_match_their_definitions() {
        use Permission::*;
        assert_eq!(BuiltinRole::Admin.permissions(), PermissionSet::all());
        let developer = BuiltinRole::Developer.permissions();
        assert!(developer.contains(EndpointCreate) && developer.contains(PolicyRead));
        assert!(!developer.contains(WorkspaceDelete) && !developer.contains(PolicyManage));
        assert!(developer.iter().all(|p| p.scope() == ScopeKind::Workspace));
        let auditor = BuiltinRole::Auditor.permissions();
        assert!(auditor.contains(AuditRead) && auditor.contains(UserRead) && auditor.contains(ModelRead));
        assert!(auditor.iter().all(Permission::is_read));
        let endpoint_user: Vec<&str> = BuiltinRole::EndpointUser.permissions().iter().map(Permission::key).collect();
        assert_eq!(endpoint_user, ["workspace:read", "endpoint:read", "endpoint:invoke", "model:read"]);
        let viewer = BuiltinRole::Viewer.permissions();
        assert!(viewer.iter().all(|p| p.is_read() && p.scope() == ScopeKind::Workspace));
        assert!(viewer.contains(DatasetRead) && !viewer.contains(AuditRead));
    }

    fn any_set() -> impl Strategy<Value = PermissionSet> {
        proptest::collection::vec(proptest::sample::select(Permission::ALL), 0..10)
            .prop_map(|v| v.into_iter().collect())
    }

    proptest! {
        #[test]
        fn set_algebra(a in any_set(), b in any_set()) {
            let union = a.union(b);
            prop_assert!(a.is_subset(union) && b.is_subset(union));
            prop_assert!(a.intersection(b).is_subset(a));
            prop_assert!(a.difference(b).intersection(b).is_empty());
            for p in Permission::ALL {
                prop_assert_eq!(union.contains(*p), a.contains(*p) || b.contains(*p));
            }
        }

        #[test]
        fn sets_round_trip_through_json(a in any_set()) {
            let json = serde_json::to_string(&a).unwrap();
            prop_assert_eq!(serde_json::from_str::<PermissionSet>(&json).unwrap(), a);
        }
    }
}
