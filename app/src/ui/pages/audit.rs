//! `/audit`: the audit log newest first, filtered by actor, action,
//! workspace and days in the query string; each entry's before and after
//! shown as a diff; CSV export of the filtered view.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use serde_json::Value;

use crate::{
    api::list_audit,
    domain::dates::{day_start_ms, format_timestamp},
    domain::{AuditEntryView, Outcome},
    ui::{
        components::encode_query_value,
        list::{Empty, FilterField, ListQuery, PagedTable},
    },
};

const EMPTY: Empty = Empty { none: "No entry matches.", no_match: None, show_all: None };

/// One changed field: name, value before, value after (`None`: absent).
type FieldChange = (String, Option<String>, Option<String>);

/// The top-level fields that differ between `before` and `after`, in order.
fn diff(before: Option<&Value>, after: Option<&Value>) -> Vec<FieldChange> {
    let fields = |v: Option<&Value>| match v {
        Some(Value::Object(map)) => map.iter().map(|(k, v)| (k.clone(), v.clone())).collect::<Vec<_>>(),
        Some(other) => vec![("value".to_owned(), other.clone())],
        None => Vec::new(),
    };
    let (before, after) = (fields(before), fields(after));
    let keys: Vec<&String> = before.iter().chain(after.iter()).map(|(k, _)| k).collect();
    let mut seen = Vec::new();
    let show = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    keys.into_iter()
        .filter(|k| {
            let first = !seen.contains(k);
            seen.push(*k);
            first
        })
        .filter_map(|key| {
            let old = before.iter().find(|(k, _)| k == key).map(|(_, v)| v);
            let new = after.iter().find(|(k, _)| k == key).map(|(_, v)| v);
            (old != new).then(|| (key.clone(), old.map(show), new.map(show)))
        })
        .collect()
}

#[component]
fn AuditDiff(entry: AuditEntryView) -> impl IntoView {
    let changes = diff(entry.before.as_ref(), entry.after.as_ref());
    if changes.is_empty() {
        return view! { <span class="muted">"—"</span> }.into_any();
    }
    view! {
        <details class="audit-diff">
            <summary>{format!("{} field{}", changes.len(), if changes.len() == 1 { "" } else { "s" })}</summary>
            <table class="diff" aria-label=format!("Changes of entry {}", entry.id)>
                <thead><tr><th scope="col">"Field"</th><th scope="col">"Before"</th><th scope="col">"After"</th></tr></thead>
                <tbody>
                    {changes.into_iter().map(|(field, old, new)| view! {
                        <tr>
                            <th scope="row">{field}</th>
                            <td class="diff-old">{old.unwrap_or_else(|| "—".to_owned())}</td>
                            <td class="diff-new">{new.unwrap_or_else(|| "—".to_owned())}</td>
                        </tr>
                    }).collect::<Vec<_>>()}
                </tbody>
            </table>
        </details>
    }
    .into_any()
}

/// The Audit page.
#[component]
pub fn AuditPage() -> impl IntoView {
    let query = ListQuery::new();
    let param = move |name: &'static str| query.text(name);
    let (actor, action, workspace, since, until) =
        (param("actor"), param("action"), param("workspace"), param("since"), param("until"));
    let cursor = query.cursor();
    let entries = Resource::new(
        move || (actor(), action(), workspace(), since(), until(), cursor()),
        |(actor, action, workspace, since, until, cursor)| {
            list_audit(Some(actor), Some(action), Some(workspace), Some(since), Some(until), cursor)
        },
    );
    // The export takes the same filters, with days as milliseconds.
    let export_href = move || {
        let mut href = format!(
            "/api/v1/audit/export.csv?actor={}&action={}&workspace={}",
            encode_query_value(&actor()),
            encode_query_value(&action()),
            encode_query_value(&workspace())
        );
        if let Some(ms) = day_start_ms(&since()) {
            href += &format!("&since={ms}");
        }
        if let Some(ms) = day_start_ms(&until()) {
            href += &format!("&until={}", ms + 86_400_000 - 1);
        }
        href
    };
    let filters_query = move || {
        format!(
            "actor={}&action={}&workspace={}&since={}&until={}",
            encode_query_value(&actor()),
            encode_query_value(&action()),
            encode_query_value(&workspace()),
            encode_query_value(&since()),
            encode_query_value(&until())
        )
    };

    view! {
        <Title text="Audit log"/>
        <div class="page-head">
            <h1>"Audit log"</h1>
            <a class="button" href=export_href download="audit.csv">"Export CSV"</a>
        </div>
        <Form method="GET" action="/audit" attr:class="filters" attr:role="search">
            <FilterField id="audit-actor" label="Actor" name="actor" placeholder="email" value=actor/>
            <FilterField id="audit-action" label="Action" name="action" placeholder="e.g. policy.create" value=action/>
            <FilterField id="audit-workspace" label="Workspace" name="workspace" placeholder="key" value=workspace/>
            <FilterField id="audit-since" label="From" name="since" kind="date" value=since/>
            <FilterField id="audit-until" label="To" name="until" kind="date" value=until/>
            <button type="submit" class="button">"Filter"</button>
        </Form>
        <PagedTable
            data=entries
            label="Audit log"
            loading="Loading the audit log…"
            columns={vec!["Time (UTC)", "Actor", "Action", "Target", "Workspace", "Changes"]}
            filtered=false
            empty=EMPTY
            next=Callback::new(move |c: String| format!("/audit?{}&cursor={c}", filters_query()))
            pager="Older entries"
            row=move |entry: AuditEntryView| {
                let denied = entry.outcome == Outcome::Denied;
                let id = entry.id;
                view! {
                    <tr data-entry=id>
                        <td>{format_timestamp(entry.at)}</td>
                        <td>{entry.actor_email.clone().unwrap_or_else(|| "system".to_owned())}</td>
                        <td>
                            <code>{entry.action.clone()}</code>
                            {denied.then(|| view! { <span class="badge badge-denied">"denied"</span> })}
                            {entry.reason.clone().map(|r| view! { <div class="muted small">{r}</div> })}
                        </td>
                        <td>{entry.target().unwrap_or_default()}</td>
                        <td>{entry.workspace.clone().unwrap_or_default()}</td>
                        <td><AuditDiff entry/></td>
                    </tr>
                }
            }
        />
    }
}

#[cfg(test)]
mod tests {
    use super::diff;
    use serde_json::json;

    #[test]
    fn diff_lists_changed_added_and_removed_fields_only() {
        let before = json!({"name": "Ada", "status": "active", "email": "ada@example.com"});
        let after = json!({"name": "Ada", "status": "disabled", "team": "ml"});
        let changes = diff(Some(&before), Some(&after));
        assert_eq!(
            changes,
            vec![
                ("email".to_owned(), Some("ada@example.com".to_owned()), None),
                ("status".to_owned(), Some("active".to_owned()), Some("disabled".to_owned())),
                ("team".to_owned(), None, Some("ml".to_owned())),
            ]
        );
        assert!(diff(None, None).is_empty());
        assert_eq!(diff(None, Some(&json!({"key": "ml"}))).len(), 1);
    }
}
