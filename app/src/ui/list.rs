//! What every list page shares, so that a list page is its filters, its
//! columns and its rows: the loading, error and empty states, the table and
//! its header, the pager, filter fields, and a row's confirm-first button.

use leptos::prelude::*;
use serde::{de::DeserializeOwned, Serialize};

use crate::{
    domain::{AuditEntryView, AuditPage, InvitationPage, InvitationView, Page},
    error::AppError,
    ui::components::{href_with, invalid, open_modal, EmptyList, ErrorPanel, FieldMessage, Pager},
};

/// The page's query string as a list reads it: `text("q")` is a parameter
/// ("" when absent), `cursor()` where the page starts.
#[derive(Clone, Copy)]
pub struct ListQuery(Memo<leptos_router::params::ParamsMap>);

impl ListQuery {
    pub fn new() -> Self {
        Self(leptos_router::hooks::use_query_map())
    }

    /// A parameter, tracked: "" when absent.
    pub fn text(self, name: &'static str) -> impl Fn() -> String + Copy + Send + Sync + 'static {
        move || self.0.with(|m| m.get(name).unwrap_or_default())
    }

    /// The `cursor` parameter, tracked.
    pub fn cursor(self) -> impl Fn() -> Option<String> + Copy + Send + Sync + 'static {
        move || self.0.with(|m| m.get("cursor"))
    }
}

/// A page of rows as a list shows them, and where the next page starts.
pub trait Paged {
    type Row;
    fn into_rows(self) -> (Vec<Self::Row>, Option<String>);
}

impl<T> Paged for Page<T> {
    type Row = T;
    fn into_rows(self) -> (Vec<T>, Option<String>) {
        (self.items, self.next_cursor)
    }
}

// A whole list: one page, no next.
impl<T> Paged for Vec<T> {
    type Row = T;
    fn into_rows(self) -> (Vec<T>, Option<String>) {
        (self, None)
    }
}

// Each row of invitations also says whether mail can go out.
impl Paged for InvitationPage {
    type Row = (InvitationView, bool);
    fn into_rows(self) -> (Vec<(InvitationView, bool)>, Option<String>) {
        let smtp = self.smtp_configured;
        (self.page.items.into_iter().map(|i| (i, smtp)).collect(), self.page.next_cursor)
    }
}

// Each entry comes with the emails of the users the page names by id.
impl Paged for AuditPage {
    type Row = (AuditEntryView, std::sync::Arc<std::collections::BTreeMap<String, String>>);
    fn into_rows(self) -> (Vec<Self::Row>, Option<String>) {
        let emails = std::sync::Arc::new(self.emails);
        (self.page.items.into_iter().map(|e| (e, emails.clone())).collect(), self.page.next_cursor)
    }
}

/// What an empty list says: `none` when no filter is on; with one, `no_match`
/// (by default `none`) and a link back to the whole list when there is one.
#[derive(Clone, Copy, Debug)]
pub struct Empty {
    pub none: &'static str,
    pub no_match: Option<&'static str>,
    pub show_all: Option<(&'static str, &'static str)>,
}

/// The body of a list page. `columns` are the header cells; an empty one
/// is the actions column, named for screen readers only. `next` turns the
/// page's cursor into the address of the next page.
#[component]
pub fn PagedTable<P, R, V>(
    data: Resource<Result<P, AppError>>,
    /// The table's accessible name, e.g. "Teams".
    label: &'static str,
    /// What shows while it loads, e.g. "Loading teams…".
    loading: &'static str,
    columns: Vec<&'static str>,
    /// Whether a search or filter is on.
    #[prop(into, default = Signal::stored(false))]
    filtered: Signal<bool>,
    #[prop(default = Empty { none: "Nothing here yet.", no_match: None, show_all: None })] empty: Empty,
    /// The address of the page after a cursor (lists in pages only).
    #[prop(optional)]
    next: Option<Callback<String, String>>,
    /// The next page link's text.
    #[prop(default = "Next page")]
    pager: &'static str,
    row: R,
) -> impl IntoView
where
    P: Paged + Clone + Serialize + DeserializeOwned + Send + Sync + 'static,
    P::Row: 'static,
    R: Fn(P::Row) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let columns = StoredValue::new(columns);
    view! {
        <Transition fallback=move || view! { <p class="page-loading">{loading}</p> }>
            {move || {
                let row = row.clone();
                Suspend::new(async move {
                    let page = match data.await {
                        Err(error) => return view! { <ErrorPanel error/> }.into_any(),
                        Ok(page) => page,
                    };
                    let (rows, cursor) = page.into_rows();
                    if rows.is_empty() {
                        let filtered = filtered.get_untracked();
                        let message = if filtered { empty.no_match.unwrap_or(empty.none) } else { empty.none };
                        return match empty.show_all.filter(|_| filtered) {
                            Some(show_all) => view! { <EmptyList message show_all/> }.into_any(),
                            None => view! { <EmptyList message/> }.into_any(),
                        };
                    }
                    let next = cursor.zip(next).map(|(c, next)| next.run(c));
                    view! {
                        // Focusable, so a keyboard can scroll it too.
                        <div class="table-scroll" tabindex="0" role="region" aria-label=format!("{label} (table)")>
                        <table class="table" aria-label=label>
                            <thead>
                                <tr>
                                    {columns.get_value().into_iter().map(|column| if column.is_empty() {
                                        view! { <th scope="col" class="row-actions"><span class="sr-only">"Actions"</span></th> }.into_any()
                                    } else {
                                        view! { <th scope="col">{column}</th> }.into_any()
                                    }).collect::<Vec<_>>()}
                                </tr>
                            </thead>
                            <tbody>{rows.into_iter().map(row).collect::<Vec<_>>()}</tbody>
                        </table>
                        </div>
                        <Pager href=next label=pager/>
                    }
                    .into_any()
                })
            }}
        </Transition>
    }
}

/// A text filter of a list: a label and a search box kept in the query
/// string; with `error`, the message the error gives `field` under it.
#[component]
pub fn FilterField(
    id: &'static str,
    label: &'static str,
    name: &'static str,
    #[prop(optional)] placeholder: Option<&'static str>,
    value: impl Fn() -> String + Send + Sync + 'static,
    #[prop(default = "search")] kind: &'static str,
    #[prop(optional, into)] error: Option<Signal<Option<AppError>>>,
    #[prop(optional)] field: &'static str,
) -> impl IntoView {
    let message_id = format!("{id}-error");
    let described_by = error.is_some().then(|| message_id.clone());
    let refused = move || error.and_then(|error| invalid(error, field)());
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input id=id name=name type=kind placeholder=placeholder prop:value=value aria-describedby=described_by aria-invalid=refused/>
            {error.map(|error| view! { <FieldMessage error field id=message_id/> })}
        </div>
    }
}

/// A choice filter of a list: `options` are (value, label); "" is the default.
#[component]
pub fn FilterSelect(
    id: &'static str,
    label: &'static str,
    name: &'static str,
    options: &'static [(&'static str, &'static str)],
    /// Choices known only at run time (workspaces, roles), after `options`.
    #[prop(optional)]
    more: Vec<(String, String)>,
    value: impl Fn() -> String + Send + Sync + 'static,
) -> impl IntoView {
    let mut choices: Vec<(String, String)> = options.iter().map(|(v, t)| ((*v).to_owned(), (*t).to_owned())).collect();
    choices.extend(more);
    // A value from the address that is not offered still shows as chosen.
    let current = value();
    if !choices.iter().any(|(v, _)| *v == current) {
        choices.push((current.clone(), current.clone()));
    }
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <select id=id name=name prop:value=value>
                {choices.into_iter().map(|(value, text)| {
                    let selected = value == current;
                    view! { <option value=value selected=selected>{text}</option> }
                }).collect::<Vec<_>>()}
            </select>
        </div>
    }
}

/// A row's destructive button: it only opens `dialog`, after `before` has
/// set up what the dialog confirms; the dialog does the deed.
#[component]
pub fn ConfirmButton(
    /// The accessible name, e.g. "Delete team ml".
    label: String,
    dialog: NodeRef<leptos::html::Dialog>,
    before: impl Fn() + Send + Sync + 'static,
    #[prop(default = "Delete")] text: &'static str,
) -> impl IntoView {
    view! {
        <button
            type="button"
            class="button button-small button-danger"
            aria-label=label
            on:click=move |_| {
                before();
                open_modal(dialog);
            }
        >
            {text}
        </button>
    }
}

/// A row of a list of named things (workspaces, teams): the key, linking to
/// its own page, the name and the description, then `children` (the actions).
#[component]
pub fn NamedRow(href: String, key: String, name: String, description: String, children: Children) -> impl IntoView {
    let shown = key.clone();
    view! {
        <tr data-key=key>
            <td><a href=href><code>{shown}</code></a></td>
            <td>{name}</td>
            <td class="muted">{description}</td>
            {children()}
        </tr>
    }
}

/// What a row of a named thing shows.
pub trait Named {
    fn key(&self) -> String;
    fn name(&self) -> String;
    fn description(&self) -> String;
}

impl Named for crate::domain::WorkspaceView {
    fn key(&self) -> String {
        self.key.to_string()
    }
    fn name(&self) -> String {
        self.name.clone()
    }
    fn description(&self) -> String {
        self.description.clone()
    }
}

impl Named for crate::domain::TeamView {
    fn key(&self) -> String {
        self.key.to_string()
    }
    fn name(&self) -> String {
        self.name.clone()
    }
    fn description(&self) -> String {
        self.description.clone()
    }
}

/// A list of named things (workspaces, teams) under `base`: searched and
/// sorted by `q` and `sort`, each row linking to `base/key`, with the
/// actions `actions` gives a row when `with_actions`.
#[component]
pub fn NamedTable<V, A, AV>(
    data: Resource<Result<Page<V>, AppError>>,
    base: &'static str,
    label: &'static str,
    loading: &'static str,
    empty: Empty,
    q: Signal<String>,
    sort: Signal<String>,
    with_actions: bool,
    actions: A,
) -> impl IntoView
where
    V: Named + Clone + Serialize + DeserializeOwned + Send + Sync + 'static,
    A: Fn(V) -> AV + Clone + Send + Sync + 'static,
    AV: IntoView + 'static,
{
    let mut columns = vec!["Key", "Name", "Description"];
    columns.extend(with_actions.then_some(""));
    view! {
        <PagedTable
            data
            label
            loading
            columns
            filtered=Signal::derive(move || !q.get().is_empty())
            empty
            next=Callback::new(move |c: String| href_with(base, &[("q", &q.get()), ("sort", &sort.get()), ("cursor", &c)]))
            row=move |item: V| {
                let actions = actions.clone();
                view! {
                    <NamedRow href=format!("{base}/{}", item.key()) key=item.key() name=item.name() description=item.description()>
                        {with_actions.then(|| view! { <td class="row-actions">{actions(item.clone())}</td> })}
                    </NamedRow>
                }
            }
        />
    }
}

/// What a page of named things (workspaces, teams) works with: the page of
/// them the query string asks for, its search and sort, and its create and
/// delete dialogs with the one awaiting deletion.
pub struct NamedPage<V: Send + Sync + 'static> {
    pub data: Resource<Result<Page<V>, AppError>>,
    pub query: ListQuery,
    pub create_dialog: NodeRef<leptos::html::Dialog>,
    pub delete_dialog: NodeRef<leptos::html::Dialog>,
    pub pending_delete: RwSignal<Option<V>>,
}

/// The [`NamedPage`] of the query string (`q`, `sort`, `cursor`), loaded
/// by `list` and loaded again when `reload` changes (the versions of the
/// page's actions).
pub fn named_page<V, F, Fut, R>(reload: R, list: F) -> NamedPage<V>
where
    V: Clone + Serialize + DeserializeOwned + Send + Sync + 'static,
    F: Fn(Option<String>, Option<String>, Option<String>) -> Fut + Copy + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<Page<V>, AppError>> + Send + 'static,
    R: Fn() -> (usize, usize) + Send + Sync + 'static,
{
    let query = ListQuery::new();
    let (q, sort, cursor) = (query.text("q"), query.text("sort"), query.cursor());
    let data = Resource::new(
        move || (q(), sort(), cursor(), reload()),
        move |(q, sort, cursor, _)| list(Some(q), Some(sort), cursor),
    );
    NamedPage {
        data,
        query,
        create_dialog: NodeRef::new(),
        delete_dialog: NodeRef::new(),
        pending_delete: RwSignal::new(None),
    }
}
