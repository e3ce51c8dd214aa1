//! The authorization engine: a pure in-memory index of users, team
//! memberships, roles and policies that answers `allowed(user, permission,
//! workspace?)` and names the policies behind each answer. No I/O: services
//! load the facts, build the index once, and apply each committed change.
//!
//! The rule (exact): allowed iff the user is active and some policy P applies:
//! P's subject is the user or a team the user belongs to, P's role contains
//! the permission, and either P is global, or P's workspace is the asked
//! workspace and the permission's scope kind is `workspace`. A check with no
//! workspace considers global policies only.

pub mod escalation;
mod index;
#[cfg(test)]
mod reference;
#[cfg(test)]
mod tests;
mod token;

pub use escalation::{beyond, not_removable, Binding, Holder};
pub use index::{AccessIndex, Change, Facts, Grant, IndexStats, PolicyFact};
pub use token::{TokenGrant, TokenScope};
