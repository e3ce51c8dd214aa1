use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};
use uuid::Uuid;

use super::Email;

/// A user's stable identifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UserId(pub Uuid);

impl UserId {
    /// A fresh random id.
    pub fn new() -> Self {
        Self(Uuid::new_v4())
    }
}

impl Default for UserId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for UserId {
    type Err = uuid::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s).map(Self)
    }
}

/// Whether a user may sign in and be granted anything.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum UserStatus {
    Active,
    Disabled,
}

impl UserStatus {
    /// The stored and wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Disabled => "disabled",
        }
    }
}

impl FromStr for UserStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "active" => Ok(Self::Active),
            "disabled" => Ok(Self::Disabled),
            other => Err(format!("unknown status {other:?}: use \"active\" or \"disabled\"")),
        }
    }
}

/// A person's display name: trimmed, 1 to 100 characters, no control characters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DisplayName(String);

/// Why a display name was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DisplayNameError {
    #[error("enter a name")]
    Empty,
    #[error("a name has at most 100 characters")]
    TooLong,
    #[error("a name cannot contain control characters")]
    ControlCharacter,
}

impl DisplayName {
    /// The longest accepted name, in characters.
    pub const MAX_LEN: usize = 100;

    /// Parses what a person typed.
    pub fn parse(input: &str) -> Result<Self, DisplayNameError> {
        let trimmed = super::trimmed_within(input, Self::MAX_LEN, DisplayNameError::Empty, DisplayNameError::TooLong)?;
        if trimmed.chars().any(char::is_control) {
            return Err(DisplayNameError::ControlCharacter);
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for DisplayName {
    type Error = DisplayNameError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<DisplayName> for String {
    fn from(value: DisplayName) -> Self {
        value.0
    }
}

/// What the console and the REST API show of a user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UserView {
    pub id: UserId,
    pub email: Email,
    pub name: String,
    pub status: UserStatus,
    /// Milliseconds since the Unix epoch.
    pub created_at: i64,
    /// Milliseconds since the Unix epoch; `None` until the first sign-in.
    pub last_seen_at: Option<i64>,
    /// `human`, or `service` for a service account (tokens only, no sign-in).
    #[serde(default = "human")]
    pub kind: String,
    /// A picture, when the member set one.
    #[serde(default)]
    pub avatar_url: Option<String>,
    /// Changes with every edit of name or status; the `ETag` of GET.
    #[serde(default = "first_version")]
    pub version: i64,
}

fn first_version() -> i64 {
    1
}

fn human() -> String {
    "human".to_owned()
}

/// The signed-in user and the permissions they hold globally, so the console
/// offers only what they may do (the server checks again on every call).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedInUser {
    pub user: UserView,
    pub permissions: super::PermissionSet,
}

/// The dashboard's counts, read from the database: each only for a viewer
/// who may read what it counts (`None` otherwise), and workspaces and
/// policies only of the workspaces they may read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardStats {
    pub users_total: Option<i64>,
    pub users_active: Option<i64>,
    pub users_disabled: Option<i64>,
    pub sessions_active: Option<i64>,
    pub roles: Option<i64>,
    pub teams: Option<i64>,
    pub workspaces: Option<i64>,
    pub policies: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn display_name_rules() {
        assert_eq!(DisplayName::parse("  Ada  ").unwrap().as_str(), "Ada");
        assert_eq!(DisplayName::parse(" "), Err(DisplayNameError::Empty));
        assert_eq!(DisplayName::parse(&"x".repeat(101)), Err(DisplayNameError::TooLong));
        assert_eq!(DisplayName::parse("a\u{0007}b"), Err(DisplayNameError::ControlCharacter));
    }

    #[test]
    fn status_round_trips() {
        for status in [UserStatus::Active, UserStatus::Disabled] {
            assert_eq!(status.as_str().parse::<UserStatus>().unwrap(), status);
        }
        assert!("invited?".parse::<UserStatus>().is_err());
    }

    proptest! {
        #[test]
        fn accepted_names_are_trimmed_and_bounded(input in "\\PC{0,120}") {
            if let Ok(name) = DisplayName::parse(&input) {
                prop_assert_eq!(name.as_str(), name.as_str().trim());
                prop_assert!(!name.as_str().is_empty());
                prop_assert!(name.as_str().chars().count() <= DisplayName::MAX_LEN);
            }
        }

        #[test]
        fn user_id_round_trips_through_text(bytes in any::<[u8; 16]>()) {
            let id = UserId(Uuid::from_bytes(bytes));
            prop_assert_eq!(id.to_string().parse::<UserId>().unwrap(), id);
        }
    }
}
