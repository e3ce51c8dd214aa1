//! The key, name and description that roles, teams and workspaces share:
//! parsed once here, with every refused field reported together.

use crate::{
    domain::KeyError,
    error::{AppError, FieldError},
};

/// Key, name and description as a caller sends them; absent fields keep
/// their value on an edit.
#[derive(Clone, Debug, Default)]
pub struct NamedInput {
    pub key: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    /// On an edit: the version it was made from.
    pub expected: crate::domain::Expected,
}

impl NamedInput {
    /// As a save form sends it, edited from `version` when given.
    pub fn of_form(key: Option<String>, name: String, description: Option<String>, version: Option<i64>) -> Self {
        Self { key, name: Some(name), description, expected: crate::domain::Expected::version(version) }
    }
}

/// A deletion the console asks to confirm by typing the key again.
pub fn confirm_key(key: &str, confirm: &str) -> Result<(), AppError> {
    if confirm.trim() == key {
        Ok(())
    } else {
        Err(AppError::invalid("confirm", format!("type {key} to confirm")))
    }
}

/// The longest name, in characters.
const MAX_NAME: usize = 100;

/// Refuses an empty or overlong name.
pub fn check_name(name: &str, fields: &mut Vec<FieldError>) {
    if name.is_empty() || name.chars().count() > MAX_NAME {
        fields
            .push(FieldError { field: "name".into(), message: format!("enter a name of 1 to {MAX_NAME} characters") });
    } else if name.chars().any(char::is_control) {
        // As for people's names: a tab or newline would break lists and logs.
        fields.push(FieldError { field: "name".into(), message: "a name has no control characters".into() });
    }
}

/// A new entity's key, name and description; `None` when a field was refused
/// (the reasons are in `fields`).
pub fn parse_new<K>(
    input: &NamedInput,
    parse_key: impl Fn(&str) -> Result<K, KeyError>,
    fields: &mut Vec<FieldError>,
) -> Option<(K, String, String)> {
    let key = parse_key(input.key.as_deref().unwrap_or_default())
        .map_err(|e| fields.push(FieldError { field: "key".into(), message: e.to_string() }))
        .ok();
    let name = input.name.as_deref().unwrap_or_default().trim().to_owned();
    check_name(&name, fields);
    let description = input.description.as_deref().unwrap_or_default().trim().to_owned();
    key.filter(|_| fields.is_empty()).map(|key| (key, name, description))
}

/// Applies an edit of name and description; refused fields go to `fields`.
pub fn apply_edit(name: &mut String, description: &mut String, input: &NamedInput, fields: &mut Vec<FieldError>) {
    if let Some(new_name) = &input.name {
        *name = new_name.trim().to_owned();
        check_name(name, fields);
    }
    if let Some(new_description) = &input.description {
        *description = new_description.trim().to_owned();
    }
}
