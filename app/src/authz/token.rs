//! What an API token lets its holder do: never more than its owner may do
//! now (the index decides that), and only within the token's scope and its
//! workspace restriction. Pure: no I/O.

use crate::domain::{Permission, PermissionSet, ScopeKind, WorkspaceKey};

/// The limits a token puts on its owner's permissions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenGrant {
    /// The permissions the token's scope names.
    pub permissions: PermissionSet,
    /// `Some(w)`: only inside workspace `w` (so no global permission).
    pub workspace: Option<WorkspaceKey>,
}

/// The named scopes a member picks from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenScope {
    /// Every workspace permission the owner holds ("Developer operations").
    Developer,
    /// `endpoint:invoke` only ("Protected endpoint access").
    Endpoint,
    /// A set the member chose.
    Custom,
}

impl TokenScope {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "developer" => Some(Self::Developer),
            "endpoint" => Some(Self::Endpoint),
            "custom" => Some(Self::Custom),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Developer => "developer",
            Self::Endpoint => "endpoint",
            Self::Custom => "custom",
        }
    }

    /// The permissions of this scope (`custom` takes the chosen ones).
    pub fn permissions(self, custom: PermissionSet) -> PermissionSet {
        match self {
            Self::Developer => PermissionSet::of_scope(ScopeKind::Workspace),
            Self::Endpoint => [Permission::EndpointInvoke].into_iter().collect(),
            Self::Custom => custom,
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
            permissions: Permission::ALL.iter().copied().filter(|p| bits & (1 << (*p as u32 % 32)) != 0).collect(),
            workspace: ws.map(|w| WorkspaceKey::parse(&format!("ws-{w}")).unwrap()),
        })
    }

    proptest! {
        /// A token never reaches past its scope or out of its workspace.
        #[test]
        fn a_token_stays_inside_its_scope_and_workspace(grant in grant(), p in 0..Permission::ALL.len(), ws in proptest::option::of(0..4usize)) {
            let permission = Permission::ALL[p];
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
        let endpoint =
            TokenGrant { permissions: TokenScope::Endpoint.permissions(PermissionSet::EMPTY), workspace: None };
        assert!(endpoint.allows(Permission::EndpointInvoke, Some("ml")));
        assert!(!endpoint.allows(Permission::EndpointCreate, Some("ml")));
        let developer = TokenGrant {
            permissions: TokenScope::Developer.permissions(PermissionSet::EMPTY),
            workspace: Some(WorkspaceKey::parse("ml").unwrap()),
        };
        assert!(developer.allows(Permission::EndpointCreate, Some("ml")));
        assert!(!developer.allows(Permission::EndpointCreate, Some("other")));
        assert!(!developer.allows(Permission::UserManage, None));
    }
}
