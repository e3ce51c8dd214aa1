//! Keys and identities of the access model: roles, teams, workspaces,
//! policies, and what a policy binds.

use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

use super::UserId;
use crate::error::AppError;

/// A key from a request's field: blank is none; text that is not a key is
/// a 400 naming `field`.
pub fn optional_key<K>(
    field: &str,
    text: Option<&str>,
    parse: fn(&str) -> Result<K, KeyError>,
) -> Result<Option<K>, AppError> {
    super::non_blank(text).map(parse).transpose().map_err(|e| AppError::invalid(field, e.to_string()))
}

/// An id that arrives as text (a path segment, a form field). Text that is
/// not an id names nothing, so it is the same 404 as an id nobody has.
pub trait Identifier: FromStr {
    /// What it identifies, for the 404's message ("user", "policy").
    const WHAT: &'static str;

    fn parse_id(text: &str) -> Result<Self, AppError> {
        text.parse().map_err(|_| AppError::not_found(format!("{} {text}", Self::WHAT)))
    }
}

impl Identifier for UserId {
    const WHAT: &'static str = "user";
}

impl Identifier for PolicyId {
    const WHAT: &'static str = "policy";
}

impl FromStr for PolicyId {
    type Err = std::num::ParseIntError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.parse().map(Self)
    }
}

/// Declares the id of a thing whose rows are keyed by a random UUID.
macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub struct $name(pub uuid::Uuid);

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                uuid::Uuid::parse_str(s).map(Self)
            }
        }

        impl Identifier for $name {
            const WHAT: &'static str = $what;
        }
    };
}

uuid_id!(
    /// An API token's id (not its secret).
    TokenId,
    "token"
);
uuid_id!(
    /// An invitation's id (not its link's token).
    InvitationId,
    "invitation"
);

/// Why a key was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("use 1 to 63 lower-case letters, digits, dashes and underscores, starting with a letter or digit")]
pub struct KeyError;

fn valid_key(key: &str) -> bool {
    let bytes = key.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 63
        && bytes[0].is_ascii_alphanumeric()
        && bytes.iter().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-' || *b == b'_')
}

macro_rules! key_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
        #[cfg_attr(feature = "ssr", schema(pattern = "^[a-z0-9][a-z0-9_-]{0,62}$"))]
        pub struct $name(String);

        impl $name {
            /// Parses a key: 1 to 63 of `a-z`, `0-9` and `-`, not starting with `-`.
            pub fn parse(input: &str) -> Result<Self, KeyError> {
                let trimmed = input.trim();
                if valid_key(trimmed) { Ok(Self(trimmed.to_owned())) } else { Err(KeyError) }
            }

            /// The key as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = KeyError;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }
    };
}

key_type!(
    /// A role's key (`admin`, `ml-deployer`).
    RoleKey
);
key_type!(
    /// A team's key (`platform`, `search-ranking`).
    TeamKey
);
key_type!(
    /// A workspace's key (`ml-prod`).
    WorkspaceKey
);

/// A policy's id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PolicyId(pub i64);

impl fmt::Display for PolicyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Who a policy applies to.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    /// One user.
    #[serde(rename = "user_id")]
    User(UserId),
    /// Every member of a team.
    Team(TeamKey),
}

// Written out: `{"user_id": …}` or `{"team": …}`, one key and no other.
#[cfg(feature = "ssr")]
impl utoipa::PartialSchema for Subject {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, OneOfBuilder, Type};
        use utoipa::openapi::{KnownFormat, SchemaFormat};
        let one = |key: &str, value: ObjectBuilder| {
            ObjectBuilder::new()
                .property(key, value)
                .required(key)
                .additional_properties(Some(AdditionalProperties::FreeForm(false)))
        };
        let user =
            ObjectBuilder::new().schema_type(Type::String).format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)));
        let team = ObjectBuilder::new().schema_type(Type::String).pattern(Some("^[a-z0-9][a-z0-9_-]{0,62}$"));
        OneOfBuilder::new()
            .item(one("user_id", user))
            .item(one("team", team))
            .description(Some("One user (`{\"user_id\": …}`) or every member of a team (`{\"team\": …}`)"))
            .into()
    }
}

#[cfg(feature = "ssr")]
impl utoipa::ToSchema for Subject {}

/// Where a policy applies.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum Scope {
    /// Everywhere, including global permissions.
    Global,
    /// Inside one workspace, for workspace permissions only.
    Workspace(WorkspaceKey),
}

impl Scope {
    /// The workspace, for a workspace scope.
    pub fn workspace(&self) -> Option<&WorkspaceKey> {
        match self {
            Scope::Global => None,
            Scope::Workspace(key) => Some(key),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn keys() {
        assert_eq!(RoleKey::parse(" ml-deployer ").unwrap().as_str(), "ml-deployer");
        for bad in ["", "-x", "Has-Caps", "with space", "ünï", &"x".repeat(64)] {
            assert!(WorkspaceKey::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn subject_json_shape() {
        let user = Subject::User(UserId::new());
        let json = serde_json::to_value(&user).unwrap();
        assert!(json.get("user_id").is_some());
        let team = serde_json::to_value(Subject::Team(TeamKey::parse("ml").unwrap())).unwrap();
        assert_eq!(team, serde_json::json!({ "team": "ml" }));
    }

    proptest! {
        #[test]
        fn accepted_keys_are_canonical(input in "[a-z0-9_-]{0,70}") {
            if let Ok(key) = TeamKey::parse(&input) {
                prop_assert_eq!(TeamKey::parse(key.as_str()).unwrap(), key.clone());
                prop_assert!(!key.as_str().starts_with('-'));
                prop_assert!(key.as_str().len() <= 63);
            }
        }
    }
}
