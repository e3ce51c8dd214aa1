//! Permissions: Portcullis's own (built in, fixed here) and the platform's
//! (from the installed catalog, `domain::catalog`), each a small index, and
//! sets of them as fixed-size bitsets.

use serde::{Deserialize, Serialize};
use std::fmt;

use super::catalog::{installed, MAX_PERMISSIONS};

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

/// Portcullis's own permissions, in their fixed order: the first indices of
/// every catalog, so the constants below name them whatever the platform's are.
pub const BUILTIN: [(&str, ScopeKind, &str); 15] = [
    ("user:read", ScopeKind::Global, "See users and their details"),
    ("user:manage", ScopeKind::Global, "Create, edit, disable and delete users"),
    ("role:read", ScopeKind::Global, "See roles and what they grant"),
    ("role:manage", ScopeKind::Global, "Create, edit and delete custom roles"),
    ("team:read", ScopeKind::Global, "See teams and their members"),
    ("team:manage", ScopeKind::Global, "Create, edit and delete teams and their members"),
    ("workspace:create", ScopeKind::Global, "Create workspaces"),
    ("invite:manage", ScopeKind::Global, "Invite people and manage invitations"),
    ("audit:read", ScopeKind::Global, "Read the audit log"),
    ("settings:manage", ScopeKind::Global, "Change platform settings"),
    ("workspace:read", ScopeKind::Workspace, "See the workspace"),
    ("workspace:update", ScopeKind::Workspace, "Edit the workspace's name and description"),
    ("workspace:delete", ScopeKind::Workspace, "Delete the workspace and its policies"),
    ("policy:read", ScopeKind::Workspace, "See who has access, and through which policy"),
    ("policy:manage", ScopeKind::Workspace, "Grant and revoke access"),
];

/// The names of Portcullis's own resources, for people.
pub const BUILTIN_RESOURCES: [(&str, &str); 8] = [
    ("user", "Users"),
    ("role", "Roles"),
    ("team", "Teams"),
    ("workspace", "Workspaces"),
    ("invite", "Invitations"),
    ("audit", "Audit log"),
    ("settings", "Settings"),
    ("policy", "Policies"),
];

/// One permission of the installed catalog: its index there.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Permission(u8);

// The built-in permissions by name, as the code's rules use them.
#[allow(non_upper_case_globals)]
impl Permission {
    pub const UserRead: Self = Self(0);
    pub const UserManage: Self = Self(1);
    pub const RoleRead: Self = Self(2);
    pub const RoleManage: Self = Self(3);
    pub const TeamRead: Self = Self(4);
    pub const TeamManage: Self = Self(5);
    pub const WorkspaceCreate: Self = Self(6);
    pub const InviteManage: Self = Self(7);
    pub const AuditRead: Self = Self(8);
    pub const SettingsManage: Self = Self(9);
    pub const WorkspaceRead: Self = Self(10);
    pub const WorkspaceUpdate: Self = Self(11);
    pub const WorkspaceDelete: Self = Self(12);
    pub const PolicyRead: Self = Self(13);
    pub const PolicyManage: Self = Self(14);
}

impl Permission {
    /// The permission at `index` of a catalog (the catalog checks the bound).
    pub(super) const fn at(index: usize) -> Self {
        Self(index as u8)
    }

    /// Its index in the installed catalog (its bit in a set).
    pub fn index(self) -> usize {
        self.0 as usize
    }

    /// Every permission of the installed catalog, in catalog order.
    pub fn all() -> &'static [Permission] {
        installed().permissions()
    }

    /// The `resource:action` key.
    pub fn key(self) -> &'static str {
        // A bit past the catalog is only ever made by tests of sets.
        installed().catalog.permissions.get(self.index()).map_or("unknown:permission", |p| &p.key)
    }

    /// What holding it allows, for people.
    pub fn description(self) -> &'static str {
        &installed().catalog.permissions[self.index()].description
    }

    /// Whether it is a global or a workspace permission.
    pub fn scope(self) -> ScopeKind {
        installed().catalog.permissions[self.index()].scope
    }

    /// Whether it is Portcullis's own rather than the platform's.
    pub fn is_builtin(self) -> bool {
        self.index() < BUILTIN.len()
    }

    /// The other names the catalog gives it (Adaptive's `admin:manage_users`).
    pub fn aliases(self) -> impl Iterator<Item = &'static str> {
        installed().catalog.aliases.iter().filter(move |a| a.of == self.index()).map(|a| a.key.as_str())
    }

    /// The permission with this key or alias, if the catalog has it.
    pub fn parse(key: &str) -> Option<Self> {
        installed().find(key)
    }

    /// The part before the colon (`endpoint`).
    pub fn resource(self) -> &'static str {
        self.key().split_once(':').map(|(r, _)| r).unwrap_or_default()
    }

    /// The name of its resource, for people ("Inference endpoints").
    pub fn resource_name(self) -> &'static str {
        resource_name(self.resource())
    }

    /// The part after the colon (`invoke`).
    pub fn action(self) -> &'static str {
        self.key().split_once(':').map(|(_, a)| a).unwrap_or_default()
    }

    /// Whether the action only reads.
    pub fn is_read(self) -> bool {
        self.action() == "read"
    }
}

/// The name people see for the resource `key` of the installed catalog (the
/// key itself when it has none).
pub fn resource_name(key: &str) -> &str {
    BUILTIN_RESOURCES
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, name)| *name)
        .or_else(|| installed().catalog.resources.iter().find(|r| r.key == key).map(|r| r.name.as_str()))
        .unwrap_or(key)
}

impl fmt::Debug for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
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

const WORDS: usize = MAX_PERMISSIONS / 64;

/// A set of permissions, one bit each, in a fixed 32 bytes: copying, union
/// and membership take no allocation and a few instructions, which the
/// authorization engine relies on.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct PermissionSet([u64; WORDS]);

impl PermissionSet {
    /// No permission.
    pub const EMPTY: Self = Self([0; WORDS]);

    /// Every permission of the catalog.
    pub fn all() -> Self {
        installed().every()
    }

    /// Every permission of one scope kind.
    pub fn of_scope(kind: ScopeKind) -> Self {
        installed().of_scope(kind)
    }

    /// Whether `permission` is in the set.
    #[inline]
    pub fn contains(self, permission: Permission) -> bool {
        let i = permission.index();
        self.0[i >> 6] & (1 << (i & 63)) != 0
    }

    /// Adds `permission`.
    pub fn insert(&mut self, permission: Permission) {
        let i = permission.index();
        self.0[i >> 6] |= 1 << (i & 63);
    }

    /// Removes `permission`.
    pub fn remove(&mut self, permission: Permission) {
        let i = permission.index();
        self.0[i >> 6] &= !(1 << (i & 63));
    }

    fn zip(self, other: Self, f: impl Fn(u64, u64) -> u64) -> Self {
        Self(std::array::from_fn(|w| f(self.0[w], other.0[w])))
    }

    /// Both sets together.
    #[inline]
    pub fn union(self, other: Self) -> Self {
        self.zip(other, |a, b| a | b)
    }

    /// What both sets have.
    pub fn intersection(self, other: Self) -> Self {
        self.zip(other, |a, b| a & b)
    }

    /// What `self` has and `other` lacks.
    pub fn difference(self, other: Self) -> Self {
        self.zip(other, |a, b| a & !b)
    }

    /// Whether every permission of `self` is in `other`.
    pub fn is_subset(self, other: Self) -> bool {
        self.difference(other).is_empty()
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0.iter().all(|w| *w == 0)
    }

    /// How many permissions the set has.
    pub fn len(self) -> usize {
        self.0.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// The permissions, in catalog order.
    pub fn iter(self) -> impl Iterator<Item = Permission> {
        (0..WORDS).flat_map(move |w| {
            let mut bits = self.0[w];
            std::iter::from_fn(move || {
                (bits != 0).then(|| {
                    let bit = bits.trailing_zeros() as usize;
                    bits &= bits - 1;
                    Permission::at(w * 64 + bit)
                })
            })
        })
    }

    /// Parses a list of keys (or aliases); the unknown ones are the error.
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn catalog_keys_are_unique_and_parse_back() {
        assert!(Permission::all().len() >= 25);
        for (i, p) in Permission::all().iter().enumerate() {
            assert_eq!(p.index(), i, "bits follow catalog order");
            assert_eq!(Permission::parse(p.key()), Some(*p));
            assert_eq!(format!("{}:{}", p.resource(), p.action()), p.key());
            assert!(!p.description().is_empty());
        }
        for (i, (key, scope, _)) in BUILTIN.iter().enumerate() {
            assert_eq!((Permission::at(i).key(), Permission::at(i).scope()), (*key, *scope));
        }
        assert_eq!(Permission::PolicyManage.key(), "policy:manage");
        assert_eq!(Permission::parse("endpoint:fly"), None);
    }

    fn any_set() -> impl Strategy<Value = PermissionSet> {
        proptest::collection::vec(proptest::sample::select(Permission::all()), 0..10)
            .prop_map(|v| v.into_iter().collect())
    }

    /// Any of the 256 bits a set can hold, catalog or not.
    fn wide_set() -> impl Strategy<Value = PermissionSet> {
        proptest::collection::vec(0..MAX_PERMISSIONS, 0..40).prop_map(|v| v.into_iter().map(Permission::at).collect())
    }

    proptest! {
        #[test]
        fn set_algebra(a in wide_set(), b in wide_set()) {
            let union = a.union(b);
            prop_assert!(a.is_subset(union) && b.is_subset(union));
            prop_assert!(a.intersection(b).is_subset(a));
            prop_assert!(a.difference(b).intersection(b).is_empty());
            prop_assert_eq!(union.len(), a.len() + b.len() - a.intersection(b).len());
            for i in 0..MAX_PERMISSIONS {
                let p = Permission::at(i);
                prop_assert_eq!(union.contains(p), a.contains(p) || b.contains(p));
            }
            let listed: Vec<Permission> = union.iter().collect();
            prop_assert!(listed.windows(2).all(|w| w[0] < w[1]));
            prop_assert_eq!(listed.len(), union.len());
            prop_assert_eq!(listed.into_iter().collect::<PermissionSet>(), union);
        }

        #[test]
        fn sets_round_trip_through_json(a in any_set()) {
            let json = serde_json::to_string(&a).unwrap();
            prop_assert_eq!(serde_json::from_str::<PermissionSet>(&json).unwrap(), a);
        }
    }
}
