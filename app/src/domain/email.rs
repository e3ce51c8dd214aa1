use serde::{Deserialize, Serialize};
use std::fmt;

/// An email address, trimmed and lower-cased so that uniqueness is
/// case-insensitive (`Ada@Example.com` and `ada@example.com` are one user).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
// What `parse` takes, as a pattern: no spaces, controls or `<>,;`, one `@`,
// a local part of 1 to 64 characters, dot-separated domain labels.
#[cfg_attr(
    feature = "ssr",
    schema(
        pattern = r"^[^\s<>,;@\x00-\x1f\x7f-\x9f]{1,64}@[^\s<>,;@.\x00-\x1f\x7f-\x9f]{1,60}(\.[^\s<>,;@.\x00-\x1f\x7f-\x9f]{1,60}){0,2}$"
    )
)]
pub struct Email(String);

/// Why a string is not an acceptable email address.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("enter an email address")]
    Empty,
    #[error("an email address has at most 254 characters")]
    TooLong,
    #[error("an email address looks like name@example.com")]
    Malformed,
}

impl Email {
    /// The longest address SMTP can carry (RFC 5321, 4.5.3.1.3).
    pub const MAX_LEN: usize = 254;

    /// Parses what a person typed: surrounding spaces are ignored, case is folded.
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        let trimmed = super::trimmed_within(input, Self::MAX_LEN, EmailError::Empty, EmailError::TooLong)?;
        let (local, domain) = trimmed.rsplit_once('@').ok_or(EmailError::Malformed)?;
        let well_formed = !local.is_empty()
            && local.chars().count() <= 64
            && !domain.is_empty()
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && !local.contains('@')
            && !trimmed.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';'));
        if !well_formed {
            return Err(EmailError::Malformed);
        }
        Ok(Self(trimmed.to_lowercase()))
    }

    /// The normalised address.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part after the `@`, used for sign-up domain rules.
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map(|(_, d)| d).unwrap_or_default()
    }
}

impl TryFrom<String> for Email {
    type Error = EmailError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Email> for String {
    fn from(value: Email) -> Self {
        value.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_ordinary_addresses_and_folds_case() {
        let email = Email::parse("  Ada.Lovelace@Example.COM ").unwrap();
        assert_eq!(email.as_str(), "ada.lovelace@example.com");
        assert_eq!(email.domain(), "example.com");
    }

    #[test]
    fn rejects_what_is_not_an_address() {
        assert_eq!(Email::parse("   "), Err(EmailError::Empty));
        for bad in ["ada", "@example.com", "ada@", "a b@example.com", "ada@.com", "ada@ex..com", "a@b@c"] {
            assert_eq!(Email::parse(bad), Err(EmailError::Malformed), "{bad}");
        }
        let long = format!("{}@example.com", "a".repeat(250));
        assert_eq!(Email::parse(&long), Err(EmailError::TooLong));
    }

    proptest! {
        #[test]
        fn parsing_is_idempotent(local in "[a-zA-Z0-9._%+-]{1,30}", domain in "[a-zA-Z0-9-]{1,20}\\.[a-zA-Z]{2,6}") {
            let first = Email::parse(&format!("{local}@{domain}")).unwrap();
            let second = Email::parse(first.as_str()).unwrap();
            prop_assert_eq!(&first, &second);
            prop_assert_eq!(first.as_str(), first.as_str().to_lowercase());
        }

        #[test]
        fn never_panics_and_never_keeps_whitespace(input in "\\PC{0,80}") {
            if let Ok(email) = Email::parse(&input) {
                prop_assert!(!email.as_str().chars().any(char::is_whitespace));
                prop_assert!(email.as_str().contains('@'));
            }
        }
    }
}
