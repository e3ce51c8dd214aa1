//! `/audit`: the audit log newest first, filtered by actor, action,
//! workspace and days in the query string; each entry's before and after
//! shown as a diff; CSV export of the filtered view.

use leptos::prelude::*;
use leptos_router::components::Form;
use serde_json::Value;

use crate::{
    api::list_audit,
    domain::dates::{day_start_ms, format_timestamp},
    domain::{AuditEntryView, Outcome, Permission},
    ui::{
        components::{encode_query_value, PageHead},
        list::{Empty, FilterField, ListQuery, PagedTable},
        widgets::Timestamp,
        Can,
    },
};

const EMPTY: Empty = Empty { none: "No entry matches.", no_match: None, show_all: None };

/// The emails of the users a page names by id.
type Emails = std::collections::BTreeMap<String, String>;

/// One changed field: name, value before, value after (`None`: absent).
type FieldChange = (String, Option<String>, Option<String>);

/// An id as people read it: the user's email when the page knows it,
/// else its first eight characters.
fn named(id: &str, emails: &Emails) -> String {
    emails.get(id).cloned().unwrap_or_else(|| match id.get(..8) {
        Some(head) if uuid::Uuid::try_parse(id).is_ok() => format!("{head}…"),
        _ => id.to_owned(),
    })
}

/// A value of an entry's before or after, for people: times as dates,
/// subjects as "user ada@…" or "team ml", ids as emails, lists and
/// objects flattened, never raw JSON.
fn show(key: &str, value: &Value, emails: &Emails) -> String {
    match value {
        Value::Number(n) if key.ends_with("_at") => {
            n.as_i64().map_or_else(|| n.to_string(), |ms| format!("{} UTC", format_timestamp(ms)))
        }
        Value::String(s) => named(s, emails),
        Value::Null => "none".to_owned(),
        Value::Array(items) if items.is_empty() => "none".to_owned(),
        Value::Array(items) => items.iter().map(|v| show("", v, emails)).collect::<Vec<_>>().join(", "),
        Value::Object(map) => match (map.len(), map.get("user_id"), map.get("team")) {
            (1, Some(user), _) => format!("user {}", show("", user, emails)),
            (1, _, Some(team)) => format!("team {}", show("", team, emails)),
            _ => map.iter().map(|(k, v)| format!("{k}: {}", show(k, v, emails))).collect::<Vec<_>>().join("; "),
        },
        other => other.to_string(),
    }
}

/// The email an entry carries itself (`email`, or a nested `user.email`):
/// the name of a target deleted since.
fn own_email(entry: &AuditEntryView) -> Option<String> {
    [&entry.after, &entry.before].into_iter().flatten().find_map(|value| {
        let email = value.get("email").or_else(|| value.get("user").and_then(|u| u.get("email")));
        email.and_then(Value::as_str).map(str::to_owned)
    })
}

/// What the entry was about, for people: "user ada@example.com", "team ml".
fn target(entry: &AuditEntryView, emails: &Emails) -> String {
    let Some(id) = &entry.target_id else { return entry.target_type.clone().unwrap_or_default() };
    let name = match emails.get(id) {
        Some(email) => email.clone(),
        None if uuid::Uuid::try_parse(id).is_ok() => own_email(entry).unwrap_or_else(|| named(id, emails)),
        None => id.clone(),
    };
    match &entry.target_type {
        Some(kind) => format!("{kind} {name}"),
        None => name,
    }
}

/// The top-level fields that differ between `before` and `after`, in order.
fn diff(before: Option<&Value>, after: Option<&Value>, emails: &Emails) -> Vec<FieldChange> {
    // JSON null is no value: it also reaches the browser as `None` (an
    // `Option<Value>` of null reads back as `None`), so both render alike.
    let fields = |v: Option<&Value>| match v {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Object(map)) => map.iter().map(|(k, v)| (k.clone(), v.clone())).collect::<Vec<_>>(),
        Some(other) => vec![("value".to_owned(), other.clone())],
    };
    let (before, after) = (fields(before), fields(after));
    let keys: Vec<&String> = before.iter().chain(after.iter()).map(|(k, _)| k).collect();
    let mut seen = Vec::new();
    keys.into_iter()
        .filter(|k| {
            let first = !seen.contains(k);
            seen.push(*k);
            first
        })
        .filter_map(|key| {
            let old = before.iter().find(|(k, _)| k == key).map(|(_, v)| v);
            let new = after.iter().find(|(k, _)| k == key).map(|(_, v)| v);
            let shown = |v: &Value| show(key, v, emails);
            (old != new).then(|| (key.replace('_', " "), old.map(shown), new.map(shown)))
        })
        .collect()
}

/// An entry's changes, under it across the whole table: in the last column
/// they were squeezed until words broke letter by letter.
#[component]
fn AuditRows(entry: AuditEntryView, emails: std::sync::Arc<Emails>) -> impl IntoView {
    let changes = diff(entry.before.as_ref(), entry.after.as_ref(), &emails);
    let denied = entry.outcome == Outcome::Denied;
    let id = entry.id;
    let open = RwSignal::new(false);
    let panel_id = format!("audit-changes-{id}");
    let count = changes.len();
    let toggle = (count > 0).then(|| {
        let label = format!("{count} field{}", if count == 1 { "" } else { "s" });
        view! {
            <button type="button" class="button button-small button-quiet audit-changes-toggle" aria-expanded=move || open.get().to_string()
                aria-controls=panel_id.clone() on:click=move |_| open.update(|o| *o = !*o)>
                {move || if open.get() { format!("Hide {label}") } else { format!("Show {label}") }}
            </button>
        }
    });
    let actor = entry.actor_id.as_deref().map(|id| named(id, &emails));
    view! {
        <tr data-entry=id>
            <td class="nowrap"><Timestamp ms=entry.at/></td>
            <td>{entry.actor_email.clone().or(actor).unwrap_or_else(|| "system".to_owned())}</td>
            <td>
                <code>{entry.action.clone()}</code>
                {denied.then(|| view! { <span class="badge badge-denied">"denied"</span> })}
                {entry.reason.clone().map(|r| view! { <div class="muted small">{r}</div> })}
            </td>
            <td>{target(&entry, &emails)}</td>
            <td>{entry.workspace.clone().unwrap_or_default()}</td>
            <td>{match toggle {
                Some(toggle) => toggle.into_any(),
                None => view! { <span class="muted">"—"</span> }.into_any(),
            }}</td>
        </tr>
        {(count > 0).then(|| view! {
            <tr class="audit-changes" id=format!("audit-changes-{id}") data-changes-of=id hidden=move || !open.get()>
                <td colspan="6">
                    <table class="diff" aria-label=format!("Changes of entry {id}")>
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
                </td>
            </tr>
        })}
    }
}

/// The Audit page.
#[component]
pub fn AuditPage() -> impl IntoView {
    let can = expect_context::<Can>();
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
        <PageHead title="Audit log" about="Every change and every refused attempt: who, what, where and when, newest first.">
            {can.has(Permission::AuditRead).then(|| view! {
                <a class="button" href=export_href download="audit.csv">"Export CSV"</a>
            })}
        </PageHead>
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
            row=move |(entry, emails): (AuditEntryView, std::sync::Arc<Emails>)| view! { <AuditRows entry emails/> }
        />
    }
}

#[cfg(test)]
mod tests {
    use super::{diff, show, target, Emails};
    use serde_json::json;

    #[test]
    fn diff_lists_changed_added_and_removed_fields_only() {
        let before = json!({"name": "Ada", "status": "active", "email": "ada@example.com"});
        let after = json!({"name": "Ada", "status": "disabled", "team": "ml"});
        let changes = diff(Some(&before), Some(&after), &Emails::new());
        assert_eq!(
            changes,
            vec![
                ("email".to_owned(), Some("ada@example.com".to_owned()), None),
                ("status".to_owned(), Some("active".to_owned()), Some("disabled".to_owned())),
                ("team".to_owned(), None, Some("ml".to_owned())),
            ]
        );
        assert!(diff(None, None, &Emails::new()).is_empty());
        assert_eq!(diff(None, Some(&json!({"key": "ml"})), &Emails::new()).len(), 1);
    }

    /// The browser gets `None` for a JSON null (`Option<Value>` reads it so):
    /// the server must render the same rows, or hydration fails.
    #[test]
    fn a_null_side_is_no_side() {
        let after = json!({"name": "neutree"});
        let on_server = diff(Some(&serde_json::Value::Null), Some(&after), &Emails::new());
        let sent: Option<serde_json::Value> =
            serde_json::from_str(&serde_json::to_string(&Some(serde_json::Value::Null)).unwrap()).unwrap();
        assert_eq!(sent, None);
        assert_eq!(on_server, diff(sent.as_ref(), Some(&after), &Emails::new()));
    }

    #[test]
    fn values_read_as_words_not_json() {
        let ada = "6f1c2a3b-0000-4000-8000-000000000001";
        let emails: Emails = [(ada.to_owned(), "ada@example.com".to_owned())].into();
        assert_eq!(show("created_at", &json!(1_795_382_895_268_i64), &emails), "2026-11-22 21:28:15 UTC");
        assert_eq!(show("subject", &json!({"user_id": ada}), &emails), "user ada@example.com");
        assert_eq!(show("subject", &json!({"team": "ml"}), &emails), "team ml");
        assert_eq!(show("permissions", &json!(["model:read", "endpoint:read"]), &emails), "model:read, endpoint:read");
        assert_eq!(show("workspace", &json!(null), &emails), "none");
        let gone = "6f1c2a3b-0000-4000-8000-000000000002";
        assert_eq!(show("user", &json!(gone), &emails), "6f1c2a3b…");
    }

    #[test]
    fn targets_name_users_by_email_even_once_deleted() {
        let ada = "6f1c2a3b-0000-4000-8000-000000000001";
        let mut entry: crate::domain::AuditEntryView = serde_json::from_value(json!({
            "id": 1, "at": 0, "actor_id": null, "actor_email": null, "action": "user.delete", "outcome": "success",
            "target_type": "user", "target_id": ada, "workspace": null, "reason": null,
            "before": {"user": {"email": "gone@example.com"}}, "after": null, "prev_hash": null, "entry_hash": null
        }))
        .unwrap();
        assert_eq!(target(&entry, &Emails::new()), "user gone@example.com");
        let emails: Emails = [(ada.to_owned(), "ada@example.com".to_owned())].into();
        assert_eq!(target(&entry, &emails), "user ada@example.com");
        entry.target_type = Some("team".to_owned());
        entry.target_id = Some("ml".to_owned());
        assert_eq!(target(&entry, &emails), "team ml");
    }
}
