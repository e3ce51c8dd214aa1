//! The command palette's search: the users, teams, workspaces and roles
//! whose key, name or email holds the text, of those the viewer may read.

use crate::server::caller::Actor;
use crate::{
    domain::{Jump, ListQuery},
    error::AppError,
    server::{
        services::{people, roles, teams, workspaces},
        AppState,
    },
};

/// Matches of each kind shown.
const EACH: i64 = 5;

/// A refusal means "nothing of this kind for you": the palette offers only
/// what the viewer may open.
fn readable<T: Default>(result: Result<T, AppError>) -> Result<T, AppError> {
    match result {
        Err(AppError::Forbidden { .. }) => Ok(T::default()),
        other => other,
    }
}

fn first<O: Default>(text: &str) -> ListQuery<O> {
    ListQuery { q: text.to_owned(), order: O::default(), after: None, limit: EACH }
}

/// What to jump to for `text` (at least one character).
pub async fn search(state: &AppState, actor: &Actor, text: &str) -> Result<Vec<Jump>, AppError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let jump = |kind: &str, label: String, href: String| Jump { kind: kind.to_owned(), label, href };
    let mut found = Vec::new();
    let users = readable(people::list(state, actor, None, &first(text)).await.map(|p| p.items))?;
    found.extend(
        users.into_iter().map(|u| jump("user", format!("{} ({})", u.name, u.email), format!("/users/{}", u.id))),
    );
    let teams = readable(teams::list(state, actor, &first(text)).await.map(|p| p.items))?;
    found.extend(
        teams.into_iter().map(|t| jump("team", format!("{} ({})", t.name, t.key), format!("/teams/{}", t.key))),
    );
    let spaces = readable(workspaces::list(state, actor, &first(text)).await.map(|p| p.items))?;
    found.extend(
        spaces
            .into_iter()
            .map(|w| jump("workspace", format!("{} ({})", w.name, w.key), format!("/workspaces/{}", w.key))),
    );
    let lower = text.to_lowercase();
    let roles = readable(roles::list(state, actor).await)?;
    found.extend(
        roles
            .into_iter()
            .filter(|r| r.key.as_str().contains(&lower) || r.name.to_lowercase().contains(&lower))
            .take(EACH as usize)
            .map(|r| jump("role", format!("{} ({})", r.name, r.key), "/roles".to_owned())),
    );
    Ok(found)
}
