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

/// A modal dialog with a title that names it for screen readers.
#[component]
pub fn Modal(
    node_ref: NodeRef<leptos::html::Dialog>,
    #[prop(into)] title: Signal<String>,
    title_id: &'static str,
    /// For dialogs that hold a table, such as the permission matrix.
    #[prop(optional)]
    wide: bool,
    children: Children,
) -> impl IntoView {
    let class = if wide { "dialog dialog-wide" } else { "dialog" };
    view! {
        <dialog node_ref=node_ref class=class aria-labelledby=title_id>
            <h2 id=title_id>{move || title.get()}</h2>
            {children()}
        </dialog>
    }
}

/// Reports each outcome of `action`: a success closes `dialog` (if any) and
/// shows `success(..)` as a toast; a failure shows a toast too, except
/// validation errors, which the form shows beside its fields.
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
            Some(Err(error)) if !matches!(error, AppError::Validation { .. }) => {
                toasts.push(ToastKind::Failure, error.to_string());
            }
            _ => {}
        })
    });
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
