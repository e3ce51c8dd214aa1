//! Reading and exporting the audit log.

use crate::server::caller::Actor;
use crate::{
    domain::{dates::day_start_ms, non_blank, AuditEntryView, AuditPage, ListParams, Page, Permission, UserId},
    error::AppError,
    server::{
        services::guard::require,
        store::{
            self,
            audit::{self, AuditFilter},
        },
        AppState,
    },
};

/// Which entries to show, as the console's filters and the REST query
/// send it: an actor (id or email), an action, a workspace, and a range.
/// `since` and `until` are each a day (`YYYY-MM-DD`, `until` taking in all
/// of it) or milliseconds since the epoch.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct AuditQuery {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub workspace: Option<String>,
    pub since: Option<String>,
    pub until: Option<String>,
}

impl AuditQuery {
    /// The query a filter form sends: its empty fields are left out, as
    /// an empty bound is no bound there.
    pub fn without_blanks(self) -> Self {
        let given = |text: Option<String>| non_blank(text.as_deref()).map(str::to_owned);
        Self {
            actor: given(self.actor),
            action: given(self.action),
            workspace: given(self.workspace),
            since: given(self.since),
            until: given(self.until),
        }
    }

    /// The filter the list and the export apply (blank fields filter nothing).
    pub fn filter(&self) -> Result<AuditFilter, AppError> {
        let given = |text: &Option<String>| non_blank(text.as_deref()).map(str::to_owned);
        // Absent is no bound; given but blank is a mistake (a form leaves
        // blanks out: `without_blanks`).
        let instant = |field: &str, text: &Option<String>, day_end: i64| match non_blank(text.as_deref()) {
            None if text.is_some() => {
                Err(AppError::invalid(field, format!("give a day (YYYY-MM-DD) or milliseconds, or leave {field} out")))
            }
            None => Ok(None),
            Some(text) => match text.parse::<i64>() {
                Ok(ms) => Ok(Some(ms)),
                Err(_) => day_start_ms(text).map(|start| Some(start + day_end)).ok_or_else(|| {
                    AppError::invalid(
                        field,
                        format!("{text} is not a date (YYYY-MM-DD) or milliseconds since the epoch"),
                    )
                }),
            },
        };
        Ok(AuditFilter {
            actor: given(&self.actor),
            action: given(&self.action),
            workspace: given(&self.workspace),
            since: instant("since", &self.since, 0)?,
            until: instant("until", &self.until, 86_400_000 - 1)?,
        })
    }
}

/// A page of entries, newest first, filtered (`limit` defaulting to
/// `default_limit`; the cursor is the last entry's id).
pub async fn page(
    state: &AppState,
    actor: &Actor,
    query: &AuditQuery,
    list: &ListParams,
    default_limit: i64,
) -> Result<Page<AuditEntryView>, AppError> {
    let limit = list.limit(default_limit)?;
    let before = list.cursor_as::<i64>()?;
    let items = self::list(state, actor, &query.filter()?, before, limit).await?;
    Ok(Page::of(items, limit, |e| e.id.to_string()))
}

/// [`page`], with the emails of the users its entries name by id. A user
/// deleted since is not found: the entry's own before/after still holds
/// the email the console shows then.
pub async fn labelled_page(
    state: &AppState,
    actor: &Actor,
    query: &AuditQuery,
    list: &ListParams,
    default_limit: i64,
) -> Result<AuditPage, AppError> {
    let page = self::page(state, actor, query, list, default_limit).await?;
    let mut ids: Vec<UserId> = page.items.iter().flat_map(AuditEntryView::mentioned_ids).map(UserId).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut conn = state.db.read().await?;
    let users = store::users::find_many(&mut conn, &ids).await?;
    let emails = users.into_iter().map(|u| (u.id.to_string(), u.email.to_string())).collect();
    Ok(AuditPage { page, emails })
}

/// Entries newest first, filtered, below `before`.
async fn list(
    state: &AppState,
    actor: &Actor,
    filter: &AuditFilter,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<AuditEntryView>, AppError> {
    require(state, actor, Permission::AuditRead, None)?;
    let mut conn = state.db.read().await?;
    Ok(audit::list(&mut conn, filter, before, limit).await?)
}

/// Rows read per page while exporting; the export stops after `EXPORT_MAX`.
const EXPORT_PAGE: i64 = 1_000;
const EXPORT_MAX: usize = 100_000;

const EXPORT_HEADER: [&str; 14] = [
    "id",
    "at",
    "actor_id",
    "actor_email",
    "action",
    "outcome",
    "target_type",
    "target_id",
    "workspace",
    "before",
    "after",
    "reason",
    "prev_hash",
    "entry_hash",
];

/// A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab,
/// carriage return first) is prefixed with `'`, as OWASP's CSV injection
/// guidance says: audit entries quote what users typed.
pub fn neutralised(cell: String) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell
    }
}

fn csv_error(error: csv::Error) -> AppError {
    crate::server::http::internal_error("audit export", error)
}

/// The CSV lines of `rows` (with the header first when `header`).
fn csv_chunk(rows: &[AuditEntryView], header: bool) -> Result<Vec<u8>, AppError> {
    let mut writer = csv::Writer::from_writer(Vec::with_capacity(rows.len() * 200));
    if header {
        writer.write_record(EXPORT_HEADER).map_err(csv_error)?;
    }
    for e in rows {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let json = |v: &Option<serde_json::Value>| v.as_ref().map(ToString::to_string).unwrap_or_default();
        let cells = [
            e.id.to_string(),
            e.at.to_string(),
            text(&e.actor_id),
            text(&e.actor_email),
            e.action.clone(),
            e.outcome.as_str().to_owned(),
            text(&e.target_type),
            text(&e.target_id),
            text(&e.workspace),
            json(&e.before),
            json(&e.after),
            text(&e.reason),
            text(&e.prev_hash),
            text(&e.entry_hash),
        ];
        writer.write_record(cells.map(neutralised)).map_err(csv_error)?;
    }
    writer.into_inner().map_err(|e| crate::server::http::internal_error("audit export", e))
}

/// The filtered log as CSV, newest first, streamed a page at a time (so
/// memory stays flat however long the export). The permission is checked
/// and the first page read before anything is sent, so a refusal is a
/// proper 403; a failure later cuts the stream short.
pub async fn export_csv(
    state: &AppState,
    actor: &Actor,
    filter: AuditFilter,
) -> Result<impl futures_util::Stream<Item = Result<Vec<u8>, AppError>> + Send + 'static, AppError> {
    let first = list(state, actor, &filter, None, EXPORT_PAGE).await?;
    let (state, actor) = (state.clone(), actor.clone());
    // (rows of the page to write, whether it is the first, rows written so far)
    let start = Some((first, true, 0usize));
    Ok(futures_util::stream::try_unfold(start, move |next| {
        let (state, actor, filter) = (state.clone(), actor.clone(), filter.clone());
        async move {
            let Some((rows, header, written)) = next else { return Ok(None) };
            let chunk = csv_chunk(&rows, header)?;
            let written = written + rows.len();
            let more = rows.len() as i64 == EXPORT_PAGE && written < EXPORT_MAX;
            let following = match rows.last() {
                Some(last) if more => {
                    Some((list(&state, &actor, &filter, Some(last.id), EXPORT_PAGE).await?, false, written))
                }
                _ => None,
            };
            Ok(Some((chunk, following)))
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::neutralised;

    #[test]
    fn formulas_are_neutralised() {
        for formula in ["=HYPERLINK(\"x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(neutralised(formula.to_owned()), format!("'{formula}"));
        }
        assert_eq!(neutralised("ada@example.com".to_owned()), "ada@example.com");
        assert_eq!(neutralised(String::new()), "");
    }
}
