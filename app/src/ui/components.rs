//! Small pieces every page uses: toasts, error panels, form errors.

use leptos::prelude::*;
use leptos::server_fn::error::ServerFnUrlError;
use leptos_router::hooks::use_query_map;

use crate::error::AppError;

/// Whether a toast reports a success or a failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ToastKind {
    Success,
    Failure,
}

#[derive(Clone, Debug)]
struct Toast {
    id: u64,
    kind: ToastKind,
    message: String,
}

/// The toasts on screen; `push` shows one for a few seconds.
#[derive(Clone, Copy)]
pub struct Toasts {
    items: RwSignal<Vec<Toast>>,
    next_id: StoredValue<u64>,
}

impl Toasts {
    /// No toasts yet.
    pub fn new() -> Self {
        Self { items: RwSignal::new(Vec::new()), next_id: StoredValue::new(0) }
    }

    /// Shows `message`; it goes away by itself after five seconds.
    pub fn push(&self, kind: ToastKind, message: impl Into<String>) {
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        self.items.update(|items| items.push(Toast { id, kind, message: message.into() }));
        let items = self.items;
        set_timeout(move || items.update(|items| items.retain(|t| t.id != id)), std::time::Duration::from_secs(5));
    }

    fn dismiss(&self, id: u64) {
        self.items.update(|items| items.retain(|t| t.id != id));
    }
}

impl Default for Toasts {
    fn default() -> Self {
        Self::new()
    }
}

/// Where toasts appear; announced to screen readers.
#[component]
pub fn ToastRegion() -> impl IntoView {
    let toasts = expect_context::<Toasts>();
    view! {
        <div class="toasts" role="status" aria-live="polite">
            <For each=move || toasts.items.get() key=|t| t.id let:toast>
                <div class=move || match toast.kind {
                    ToastKind::Success => "toast toast-success",
                    ToastKind::Failure => "toast toast-failure",
                }>
                    <span>{toast.message.clone()}</span>
                    <button type="button" class="toast-close" aria-label="Dismiss" on:click=move |_| toasts.dismiss(toast.id)>
                        "×"
                    </button>
                </div>
            </For>
        </div>
    }
}

/// The error of a form that was posted without JavaScript: the server sent the
/// browser back here with the error in the query string.
pub fn error_from_url(server_fn_path: &'static str) -> impl Fn() -> Option<AppError> + Copy {
    let query = use_query_map();
    move || {
        query.with(|q| {
            let path = q.get("__path")?;
            if path.trim_start_matches('/') != server_fn_path.trim_start_matches('/') {
                return None;
            }
            q.get("__err").map(|encoded| ServerFnUrlError::<AppError>::decode_err(&encoded))
        })
    }
}

/// A whole-page error: what happened and what to do.
/// The top of a page: its title (also the document's), what the page is
/// for in one line, and the page's main actions on the right.
#[component]
pub fn PageHead(
    title: &'static str,
    #[prop(into)] about: String,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <leptos_meta::Title text=title/>
        <div class="page-head">
            <h1>{title}</h1>
            {children.map(|actions| view! { <div class="row-actions">{actions()}</div> })}
        </div>
        <p class="page-intro">{about}</p>
    }
}

/// Where a detail page sits: links to the pages above it, the last one
/// being the list the item came from.
#[component]
pub fn Breadcrumbs(trail: &'static [(&'static str, &'static str)]) -> impl IntoView {
    view! {
        <nav class="breadcrumbs" aria-label="Breadcrumb">
            <ol>
                {trail.iter().map(|(href, label)| view! { <li><a href=*href>{*label}</a></li> }).collect_view()}
            </ol>
        </nav>
    }
}

#[component]
pub fn ErrorPanel(error: AppError) -> impl IntoView {
    let (title, hint) = match &error {
        AppError::Unauthenticated { .. } => ("You are signed out", "Sign in again to continue."),
        AppError::Forbidden { .. } => ("Not allowed", "Ask an administrator for access."),
        AppError::NotFound { .. } => ("Not found", "It may have been deleted."),
        _ => ("Something went wrong", "Try again; if it keeps happening, tell your administrator the reference below."),
    };
    view! {
        <section class="error-panel" role="alert">
            <h2>{title}</h2>
            <p>{error.to_string()}</p>
            <p class="muted">{hint}</p>
        </section>
    }
}

/// The message under a form field, if the error names it.
#[component]
pub fn FieldMessage(
    #[prop(into)] error: Signal<Option<AppError>>,
    field: &'static str,
    #[prop(into)] id: String,
) -> impl IntoView {
    move || {
        error.get().and_then(|e| e.field_message(field).map(str::to_owned)).map(|message| {
            view! { <p class="field-error" id=id.clone()>{message}</p> }
        })
    }
}

/// Opens a native modal dialog: the browser traps focus in it and Esc closes it.
pub fn open_modal(dialog: NodeRef<leptos::html::Dialog>) {
    if let Some(dialog) = dialog.get() {
        let _ = dialog.show_modal();
    }
}

/// Closes a dialog opened with [`open_modal`].
pub fn close_modal(dialog: NodeRef<leptos::html::Dialog>) {
    if let Some(dialog) = dialog.get() {
        dialog.close();
    }
}

/// The value of an input's `aria-invalid`: "true" while `error` names
/// `field`, so screen readers say which field was refused.
pub fn invalid(
    error: Signal<Option<AppError>>,
    field: &'static str,
) -> impl Fn() -> Option<&'static str> + Copy + Send + Sync + 'static {
    move || error.with(|e| e.as_ref().and_then(|e| e.field_message(field)).map(|_| "true"))
}

/// A modal dialog with a title that names it for screen readers.
#[component]
pub fn Modal(
    node_ref: NodeRef<leptos::html::Dialog>,
    #[prop(into)] title: Signal<String>,
    title_id: &'static str,
    /// For dialogs that hold a table, such as the permission matrix.
    #[prop(optional)]
    wide: bool,
    /// The answer of the dialog's form. What it says of no field shows at
    /// the top of the dialog: a toast would sit under the backdrop.
    #[prop(into)]
    error: Signal<Option<AppError>>,
    children: Children,
) -> impl IntoView {
    let class = if wide { "dialog dialog-wide" } else { "dialog" };
    let alert = move || {
        let error = error.get()?;
        (!error.names_a_field() && !matches!(error, AppError::Stale { .. }))
            .then(|| view! { <p class="dialog-alert" role="alert" tabindex="-1">{error.to_string()}</p> })
    };
    view! {
        <dialog node_ref=node_ref class=class aria-labelledby=title_id>
            <h2 id=title_id>{move || title.get()}</h2>
            {alert}
            {children()}
        </dialog>
    }
}

/// Reports each outcome of `action`: a success closes `dialog` (if any) and
/// shows `success(..)` as a toast. A failure that names a field shows beside
/// it, a 412 as a [`StaleNotice`], any other in the open dialog (see
/// [`Modal`]) or else as a toast; then focus moves to the first refused
/// field, or to the dialog's message, never left on a disabled button.
pub fn report_outcome<S>(
    action: ServerAction<S>,
    dialog: Option<NodeRef<leptos::html::Dialog>>,
    success: impl Fn(&S::Output) -> String + 'static,
) where
    S: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    let toasts = expect_context::<Toasts>();
    Effect::new(move |_| {
        let outcome = action.value().get();
        // Only the outcome is tracked: reading the dialog's node would make a
        // dialog re-rendered with its page report the same outcome again.
        untrack(|| match outcome {
            Some(Ok(output)) => {
                if let Some(dialog) = dialog {
                    close_modal(dialog);
                }
                toasts.push(ToastKind::Success, success(&output));
            }
            Some(Err(error)) => {
                let open = dialog.and_then(|d| d.get_untracked()).filter(|d| d.open());
                if open.is_none() && !error.names_a_field() && !matches!(error, AppError::Stale { .. }) {
                    toasts.push(ToastKind::Failure, error.to_string());
                }
                focus_first_problem(open);
            }
            None => {}
        })
    });
}

/// Once the refused form has rendered its messages: focus on its first
/// `aria-invalid` field, or on the open dialog's message.
#[cfg(feature = "hydrate")]
pub fn focus_first_problem(dialog: Option<web_sys::HtmlDialogElement>) {
    use wasm_bindgen::JsCast;
    request_animation_frame(move || {
        let root: Option<web_sys::Element> = match dialog {
            Some(dialog) => Some(dialog.into()),
            None => document().query_selector("main").ok().flatten(),
        };
        let Some(root) = root else { return };
        let first = |selector: &str| root.query_selector(selector).ok().flatten();
        let target = first("[aria-invalid='true']").or_else(|| first(".dialog-alert"));
        if let Some(target) = target.and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok()) {
            let _ = target.focus();
        }
    });
}

#[cfg(not(feature = "hydrate"))]
pub fn focus_first_problem(_dialog: Option<web_sys::HtmlDialogElement>) {}

/// The error of `action`'s last answer, if it was one.
pub fn failure<S>(action: ServerAction<S>) -> Signal<Option<AppError>>
where
    S: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    Signal::derive(move || action.value().get().and_then(Result::err))
}

/// How many times `action` succeeded: a page whose dialogs live inside the
/// data they edit reloads on this, not on every answer, so a refused save
/// keeps its dialog open with what the person typed.
pub fn successes<S>(action: ServerAction<S>) -> Signal<usize>
where
    S: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    let count = RwSignal::new(0usize);
    Effect::new(move |_| {
        if let Some(Ok(_)) = action.value().get() {
            count.update(|n| *n += 1);
        }
    });
    count.into()
}

/// The version a form sends (its hidden `version` field): the one it was
/// opened with, then, after a 412, the one there now, so that sending the
/// form again applies the person's change over the other one.
pub fn follow_version(error: Signal<Option<AppError>>, version: RwSignal<Option<i64>>) {
    Effect::new(move |_| {
        if let Some(AppError::Stale { version: now, .. }) = error.get() {
            version.set(Some(now));
        }
    });
}

/// The hidden field that carries a form's version (see [`follow_version`]).
#[component]
pub fn VersionField(version: RwSignal<Option<i64>>) -> impl IntoView {
    move || version.get().map(|v| view! { <input type="hidden" name="version" prop:value=v.to_string()/> })
}

/// After a save refused with 412: what someone else changed while the form
/// was open, field by field (`fields`: JSON key and label), between what the
/// form was opened with (`seen`) and what is there now. The person's input is
/// still in the form and the form now carries the new version.
#[component]
pub fn StaleNotice(
    #[prop(into)] error: Signal<Option<AppError>>,
    #[prop(into)] seen: Signal<Option<serde_json::Value>>,
    fields: &'static [(&'static str, &'static str)],
    /// What sending the form again does: "Save again", "Delete anyway".
    #[prop(
        default = "Your form is as you left it. Save again to save it as it stands (the changes above are replaced), or cancel to keep theirs."
    )]
    advice: &'static str,
) -> impl IntoView {
    move || {
        let error = error.get()?;
        let AppError::Stale { version, .. } = &error else { return None };
        let current: serde_json::Value = error.current()?;
        let seen = seen.get().unwrap_or_default();
        let mut changes: Vec<String> = fields
            .iter()
            .filter_map(|(key, label)| describe_change(label, seen.get(*key), current.get(*key)))
            .collect();
        if changes.is_empty() {
            changes.push("Nothing shown here changed (a change elsewhere, such as its members).".to_owned());
        }
        Some(view! {
            <div class="stale-notice" role="alert">
                <p><strong>"Someone else changed this while you had it open"</strong>{format!(" (it is at version {version} now):")}</p>
                <ul>{changes.into_iter().map(|change| view! { <li>{change}</li> }).collect::<Vec<_>>()}</ul>
                <p>{advice}</p>
            </div>
        })
    }
}

/// One line of a [`StaleNotice`]: `None` when the field is the same. Lists
/// (permissions) say what was added and removed; other values, before and now.
pub fn describe_change(
    label: &str,
    before: Option<&serde_json::Value>,
    now: Option<&serde_json::Value>,
) -> Option<String> {
    use serde_json::Value;
    if before == now {
        return None;
    }
    fn text(value: Option<&Value>) -> String {
        match value {
            None | Some(Value::Null) => "(none)".to_owned(),
            Some(Value::String(s)) if s.is_empty() => "(empty)".to_owned(),
            Some(Value::String(s)) => format!("“{s}”"),
            Some(other) => other.to_string(),
        }
    }
    if let (Some(Value::Array(before)), Some(Value::Array(now))) = (before, now) {
        let plain = |v: &&Value| v.as_str().map_or_else(|| v.to_string(), str::to_owned);
        let listed = |items: Vec<&Value>| items.iter().map(plain).collect::<Vec<_>>().join(", ");
        let added = listed(now.iter().filter(|v| !before.contains(v)).collect());
        let removed = listed(before.iter().filter(|v| !now.contains(v)).collect());
        let parts: Vec<String> = [("added", added), ("removed", removed)]
            .into_iter()
            .filter(|(_, items)| !items.is_empty())
            .map(|(what, items)| format!("{what} {items}"))
            .collect();
        return Some(format!("{label}: {}", parts.join("; ")));
    }
    Some(format!("{label}: was {}, now {}", text(before), text(now)))
}

/// Percent-encodes a value for a query string (`/` may stay: RFC 3986
/// allows it there, and `next=/users` stays readable).
pub fn encode_query_value(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// "Continue with GitHub" and the like, for each configured provider; the
/// trip starts at `/auth/{provider}/start` with `invite` and `next` passed on.
#[component]
pub fn ProviderButtons(
    #[prop(optional)] invite: Option<String>,
    #[prop(optional, into)] next: Signal<String>,
) -> impl IntoView {
    let providers = Resource::new(|| (), |_| crate::api::sign_in_providers());
    view! {
        <Suspense>
            {move || {
                let invite = invite.clone();
                Suspend::new(async move {
                    let providers = providers.await.unwrap_or_default();
                    (!providers.is_empty()).then(|| {
                        view! {
                            <div class="provider-buttons">
                                {providers.into_iter().map(|(key, label)| {
                                    let mut href = format!("/auth/{key}/start?next={}", encode_query_value(&next.get_untracked()));
                                    if let Some(token) = &invite {
                                        href.push_str(&format!("&invite={}", encode_query_value(token)));
                                    }
                                    view! { <a class="button provider-button" href=href rel="external">{format!("Continue with {label}")}</a> }
                                }).collect::<Vec<_>>()}
                            </div>
                            <p class="muted small divider">"or"</p>
                        }
                    })
                })
            }}
        </Suspense>
    }
}

/// A search box and a sort order (by key or name) over a list of named
/// things, kept in the query string as `q` and `sort`.
#[component]
pub fn SearchForm(
    id: &'static str,
    value: impl Fn() -> String + Send + Sync + 'static,
    sort: impl Fn() -> String + Send + Sync + 'static,
) -> impl IntoView {
    let sort_id = format!("{id}-sort");
    view! {
        <leptos_router::components::Form method="GET" action="" attr:class="filters" attr:role="search">
            <div class="field">
                <label for=id>"Search"</label>
                <input id=id name="q" type="search" placeholder="Key or name" prop:value=value/>
            </div>
            <div class="field">
                <label for=sort_id.clone()>"Sort by"</label>
                <select id=sort_id name="sort" prop:value=sort>
                    <option value="">"Key"</option>
                    <option value="name">"Name"</option>
                </select>
            </div>
            <button type="submit" class="button">"Apply"</button>
        </leptos_router::components::Form>
    }
}

/// `path` with these query parameters, encoded; empty ones are left out.
pub fn href_with(path: &str, params: &[(&str, &str)]) -> String {
    let query: Vec<String> = params
        .iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(key, value)| format!("{key}={}", encode_query_value(value)))
        .collect();
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", query.join("&"))
    }
}

/// What a list shows when it has no row: why, and, when a search or a
/// filter narrowed it, the way back to everything (`show_all`: href, label).
#[component]
pub fn EmptyList(
    #[prop(into)] message: String,
    #[prop(optional)] show_all: Option<(&'static str, &'static str)>,
) -> impl IntoView {
    view! {
        <div class="empty-state">
            <p>{message}</p>
            {show_all.map(|(href, label)| view! { <a href=href>{label}</a> })}
        </div>
    }
}

/// The link to the next page of a list, when there is one.
#[component]
pub fn Pager(href: Option<String>, #[prop(default = "Next page")] label: &'static str) -> impl IntoView {
    href.map(|href| view! { <p class="pager"><a href=href class="button">{label}</a></p> })
}

#[cfg(test)]
mod tests {
    #[test]
    fn describes_what_changed() {
        use serde_json::json;
        let before = json!({"name": "Ops", "description": "", "permissions": ["model:read", "endpoint:read"]});
        let now = json!({"name": "Operators", "description": "", "permissions": ["endpoint:read", "model:deploy"]});
        let line = |key: &str, label: &str| super::describe_change(label, before.get(key), now.get(key));
        assert_eq!(line("name", "Name").as_deref(), Some("Name: was “Ops”, now “Operators”"));
        assert_eq!(line("description", "Description"), None);
        assert_eq!(
            line("permissions", "Permissions").as_deref(),
            Some("Permissions: added model:deploy; removed model:read")
        );
        assert_eq!(
            super::describe_change("Status", None, Some(&json!("disabled"))).as_deref(),
            Some("Status: was (none), now “disabled”")
        );
    }

    #[test]
    fn encodes_query_values() {
        assert_eq!(super::encode_query_value("/users?q=a b"), "/users%3Fq%3Da%20b");
        assert_eq!(super::encode_query_value("ada+x@example.com"), "ada%2Bx%40example.com");
    }

    #[test]
    fn hrefs_leave_out_empty_parameters() {
        assert_eq!(super::href_with("/teams", &[("q", ""), ("sort", "")]), "/teams");
        assert_eq!(
            super::href_with("/teams", &[("q", "ml eng"), ("sort", ""), ("cursor", "a@b")]),
            "/teams?q=ml%20eng&cursor=a%40b"
        );
    }
}

/// A button that puts `text` on the clipboard and says so beside itself:
/// a toast would sit under an open dialog's backdrop.
#[component]
pub fn CopyButton(
    #[prop(into)] text: Signal<String>,
    #[prop(default = "Copy")] label: &'static str,
    /// What the button copies, for screen readers ("Copy the secret").
    #[prop(optional)]
    describe: Option<String>,
) -> impl IntoView {
    let said = RwSignal::new(None::<&'static str>);
    view! {
        <button type="button" class="button button-small" aria-label=describe on:click=move |_| copy(text.get_untracked(), said)>
            {label}
        </button>
        <span class="copy-status small" role="status">{move || said.get()}</span>
    }
}

#[cfg(feature = "hydrate")]
fn copy(text: String, said: RwSignal<Option<&'static str>>) {
    let promise = window().navigator().clipboard().write_text(&text);
    leptos::task::spawn_local(async move {
        let copied = wasm_bindgen_futures::JsFuture::from(promise).await.is_ok();
        said.set(Some(if copied { "Copied." } else { "Could not reach the clipboard: select the text and copy it." }));
    });
}

#[cfg(not(feature = "hydrate"))]
fn copy(_text: String, _said: RwSignal<Option<&'static str>>) {}

/// A row's actions behind one button at the end of the row, so columns stay
/// aligned and a narrow screen does not scroll to reach them. The actions sit
/// in a popover: in the top layer (the table's scroll box cannot clip it),
/// closed by Escape, by a click elsewhere or by choosing an action, and placed
/// under its button by CSS anchoring. `key` is unique on the page; `name`
/// says whose actions they are, for the button's label.
#[component]
pub fn RowMenu(#[prop(into)] key: String, #[prop(into)] name: String, children: Children) -> impl IntoView {
    let id = format!("row-menu-{}", key.replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "-"));
    let anchor = format!("anchor-name: --{id}");
    let placed = format!("position-anchor: --{id}");
    let menu = NodeRef::<leptos::html::Div>::new();
    let chosen = move |event: leptos::ev::MouseEvent| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let on_button = event
                .target()
                .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
                .and_then(|element| element.closest("button").ok().flatten())
                .is_some();
            if let (true, Some(menu)) = (on_button, menu.get_untracked()) {
                let _ = menu.hide_popover();
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = event;
    };
    view! {
        <button type="button" class="button button-small row-menu-button" popovertarget=id.clone()
            aria-label=format!("Actions for {name}") style=anchor>
            "Actions"
        </button>
        <div id=id popover="auto" class="row-menu" style=placed node_ref=menu on:click=chosen>
            {children()}
        </div>
    }
}
