//! Versions of editable things (roles, teams, workspaces, users). Every
//! change adds one to a row's version. A caller that read version N can ask
//! for its write to apply only to N (`If-Match: "N"`, or the console's hidden
//! field), so two edits made from the same version cannot silently overwrite
//! each other: the second gets 412 with what is there now.

use serde::{Deserialize, Serialize};

/// What a write expects of the version it changes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Expected {
    /// Whatever is there (no `If-Match`, or `If-Match: *`).
    #[default]
    Any,
    /// One of these versions (`If-Match: "3", "4"`).
    OneOf(Vec<i64>),
}

impl Expected {
    /// The console's form: the version it was shown, when it had one.
    pub fn version(version: Option<i64>) -> Self {
        version.map_or(Self::Any, |v| Self::OneOf(vec![v]))
    }

    /// Whether a write expecting this may change `current`.
    pub fn allows(&self, current: i64) -> bool {
        match self {
            Self::Any => true,
            Self::OneOf(versions) => versions.contains(&current),
        }
    }

    /// Reads an `If-Match` header (RFC 9110 §13.1.1): `*`, or a list of
    /// strong entity tags. Weak tags (`W/"3"`) never match a strong
    /// comparison, so they are refused rather than silently ignored.
    pub fn parse_if_match(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text == "*" {
            return Ok(Self::Any);
        }
        let mut versions = Vec::new();
        for tag in text.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            if tag.starts_with("W/") {
                return Err(format!("{tag} is a weak entity tag: send the ETag as it was given, like \"3\""));
            }
            let version = tag
                .strip_prefix('"')
                .and_then(|t| t.strip_suffix('"'))
                .and_then(|t| t.parse::<i64>().ok())
                .ok_or_else(|| {
                format!("{tag} is not an entity tag of this API: send the ETag of a GET, like \"3\"")
            })?;
            versions.push(version);
        }
        // RFC 9110 §5.6.1: empty list elements are ignored; a header that
        // names no tag at all asks for nothing.
        if versions.is_empty() {
            return Ok(Self::Any);
        }
        Ok(Self::OneOf(versions))
    }
}

/// The `ETag` header value of a version.
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn if_match_headers() {
        assert_eq!(Expected::parse_if_match("*"), Ok(Expected::Any));
        assert_eq!(Expected::parse_if_match("\"3\""), Ok(Expected::OneOf(vec![3])));
        assert_eq!(Expected::parse_if_match(" \"3\" , \"7\""), Ok(Expected::OneOf(vec![3, 7])));
        assert!(Expected::parse_if_match("W/\"3\"").unwrap_err().contains("weak"));
        assert!(Expected::parse_if_match("3").is_err(), "unquoted");
        assert!(Expected::parse_if_match("\"abc\"").is_err());
        assert_eq!(Expected::parse_if_match(""), Ok(Expected::Any));
        assert_eq!(Expected::parse_if_match(" , "), Ok(Expected::Any));
        assert!(!Expected::OneOf(vec![3]).allows(4));
        assert!(Expected::Any.allows(4));
        assert_eq!(Expected::version(None), Expected::Any);
    }

    proptest! {
        #[test]
        fn an_etag_matches_its_own_version_only(version in 1i64..i64::MAX, other in 1i64..i64::MAX) {
            let expected = Expected::parse_if_match(&etag(version)).unwrap();
            prop_assert!(expected.allows(version));
            prop_assert_eq!(expected.allows(other), other == version);
        }
    }
}
