//! What an API token lets its holder do: never more than its owner may do
//! now (the index decides that), and only within the token's scope and its
//! workspace restriction. Pure: no I/O.

use crate::domain::{
    catalog::{installed, CUSTOM_SCOPE},
    Permission, PermissionSet, ScopeKind, WorkspaceKey,
};

/// The limits a token puts on its owner's permissions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenGrant {
    /// The permissions the token's scope names.
    pub permissions: PermissionSet,
    /// `Some(w)`: only inside workspace `w` (so no global permission).
    pub workspace: Option<WorkspaceKey>,
}

/// What a member picks when making a token: one of the catalog's named
/// scopes, or permissions of their own choosing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenScope {
    /// The catalog's token scope at this index (neutree: "developer",
    /// every workspace permission the owner holds; "endpoint", `endpoint:invoke`).
    Named(usize),
    /// A set the member chose.
    Custom,
}

impl TokenScope {
    pub fn parse(text: &str) -> Option<Self> {
        if text == CUSTOM_SCOPE {
            return Some(Self::Custom);
        }
        installed().token_scope(text).map(Self::Named)
    }

    /// Every scope a member may pick, custom last.
    pub fn all() -> impl Iterator<Item = Self> {
        (0..installed().catalog.token_scopes.len()).map(Self::Named).chain([Self::Custom])
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Named(i) => &installed().catalog.token_scopes[i].key,
            Self::Custom => CUSTOM_SCOPE,
        }
    }

    /// The name people see, and what it lets a token do.
    pub fn describe(self) -> (&'static str, &'static str) {
        match self {
            Self::Named(i) => {
                let scope = &installed().catalog.token_scopes[i];
                (&scope.name, &scope.description)
            }
            Self::Custom => ("Custom", "The permissions you tick"),
        }
    }

    /// The permissions of this scope (`custom` takes the chosen ones).
    pub fn permissions(self, custom: PermissionSet) -> PermissionSet {
        match self {
            Self::Named(i) => installed().token_scope_grant(i).0,
            Self::Custom => custom,
        }
    }

    /// The permission a token's owner must hold to make one of this scope.
    pub fn requires(self) -> Option<Permission> {
        match self {
            Self::Named(i) => installed().token_scope_grant(i).1,
            Self::Custom => None,
        }
    }
}

impl TokenGrant {
    /// Whether the token's limits let `permission` through in `workspace`
    /// (the owner must hold it too: see [`crate::authz::AccessIndex::check`]).
    pub fn allows(&self, permission: Permission, workspace: Option<&str>) -> bool {
        self.permissions.contains(permission)
            && match &self.workspace {
                None => true,
                Some(only) => permission.scope() == ScopeKind::Workspace && workspace == Some(only.as_str()),
            }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn grant() -> impl Strategy<Value = TokenGrant> {
        (any::<u32>(), proptest::option::of(0..3usize)).prop_map(|(bits, ws)| TokenGrant {
            permissions: Permission::all()
                .iter()
                .copied()
                .filter(|p| bits & (1 << (p.index() as u32 % 32)) != 0)
                .collect(),
            workspace: ws.map(|w| WorkspaceKey::parse(&format!("ws-{w}")).unwrap()),
        })
    }

    proptest! {
        /// A token never reaches past its scope or out of its workspace.
        #[test]
        fn a_token_stays_inside_its_scope_and_workspace(grant in grant(), p in 0..Permission::all().len(), ws in proptest::option::of(0..4usize)) {
            let permission = Permission::all()[p];
            let asked = ws.map(|w| format!("ws-{w}"));
            if grant.allows(permission, asked.as_deref()) {
                prop_assert!(grant.permissions.contains(permission));
                if let Some(only) = &grant.workspace {
                    prop_assert_eq!(asked.as_deref(), Some(only.as_str()));
                    prop_assert_eq!(permission.scope(), ScopeKind::Workspace);
                }
            }
        }
    }

    #[test]
    fn named_scopes() {
        let p = |key: &str| Permission::parse(key).unwrap();
        let named = |key: &str| TokenScope::parse(key).unwrap();
        assert_eq!(TokenScope::parse("custom"), Some(TokenScope::Custom));
        assert_eq!(TokenScope::parse("everything"), None);
        assert_eq!(TokenScope::all().map(TokenScope::as_str).collect::<Vec<_>>(), ["developer", "endpoint", "custom"]);
        let endpoint = TokenGrant { permissions: named("endpoint").permissions(PermissionSet::EMPTY), workspace: None };
        assert!(endpoint.allows(p("endpoint:invoke"), Some("ml")));
        assert!(!endpoint.allows(p("endpoint:create"), Some("ml")));
        let developer = TokenGrant {
            permissions: named("developer").permissions(PermissionSet::EMPTY),
            workspace: Some(WorkspaceKey::parse("ml").unwrap()),
        };
        assert!(developer.allows(p("endpoint:create"), Some("ml")));
        assert!(!developer.allows(p("endpoint:create"), Some("other")));
        assert!(!developer.allows(Permission::UserManage, None));
    }
}
