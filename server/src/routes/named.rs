//! The bodies of the two named things, workspaces and teams: a key (on
//! create), a name and a description.

use serde::Deserialize;

use app::server::services::fields::NamedInput;

/// An edit of a workspace or a team: its name and description (the key stays).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NamedBody {
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    )]
    name: Option<String>,
    description: Option<String>,
}

/// A new workspace or team.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewNamedBody {
    #[schema(pattern = "^[a-z0-9][a-z0-9-]{0,62}$")]
    key: String,
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    )]
    name: String,
    #[serde(default)]
    description: Option<String>,
}

impl From<NewNamedBody> for NamedInput {
    fn from(body: NewNamedBody) -> Self {
        Self { key: Some(body.key), name: Some(body.name), description: body.description, expected: Default::default() }
    }
}

// Workspaces and teams take the same input.
impl From<NamedBody> for app::server::services::fields::NamedInput {
    fn from(body: NamedBody) -> Self {
        Self { key: None, name: body.name, description: body.description, expected: Default::default() }
    }
}
