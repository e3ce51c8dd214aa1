//! `/users`: search and filter users, create, rename, disable or enable, delete.
//! Filters and paging live in the query string, so a view can be shared.

use leptos::{html, prelude::*};
use leptos_router::components::Form;

use crate::{
    api::{list_users, CreateServiceAccount, CreateUser, DeleteUser, RenameUser, SetUserStatus},
    domain::{Permission, UserStatus, UserView},
    ui::{
        components::{
            close_modal, follow_version, href_with, invalid, open_modal, report_outcome, FieldMessage, Modal, PageHead,
            RowMenu, StaleNotice, ToastKind, Toasts, VersionField,
        },
        list::{ConfirmButton, Empty, FilterField, FilterSelect, ListQuery, PagedTable},
        Can,
    },
};

fn format_time(ms: Option<i64>) -> String {
    match ms {
        None => "never".to_owned(),
        // ISO-like date without a time-zone library: days since the epoch.
        Some(ms) => {
            let days = ms.div_euclid(86_400_000);
            let (y, m, d) = crate::domain::dates::civil_from_days(days);
            format!("{y:04}-{m:02}-{d:02}")
        }
    }
}

/// The fields of a user a 412 compares, by JSON key.
const USER_FIELDS: &[(&str, &str)] = &[("name", "Name"), ("status", "Status")];

const STATUSES: &[(&str, &str)] = &[("", "Any"), ("active", "Active"), ("disabled", "Disabled")];
const ORDERS: &[(&str, &str)] = &[("", "Email"), ("name", "Name"), ("newest", "Newest first")];
// Someone is always there (the viewer), so an empty list is a search's.
const EMPTY: Empty =
    Empty { none: "No users match this search.", no_match: None, show_all: Some(("/users", "Show all users")) };

/// The Users page.
#[component]
pub fn UsersPage() -> impl IntoView {
    let can = expect_context::<Can>();
    let query = ListQuery::new();
    let (q, status, sort, cursor) = (query.text("q"), query.text("status"), query.text("sort"), query.cursor());

    let create = ServerAction::<CreateUser>::new();
    let set_status = ServerAction::<SetUserStatus>::new();
    let delete = ServerAction::<DeleteUser>::new();
    let rename = ServerAction::<RenameUser>::new();
    let create_service = ServerAction::<CreateServiceAccount>::new();
    let service_dialog = NodeRef::<html::Dialog>::new();
    let service_error = Signal::derive(move || create_service.value().get().and_then(Result::err));
    report_outcome(create_service, Some(service_dialog), |user| format!("Created the service account {}.", user.email));
    let users = Resource::new(
        move || {
            let versions =
                (create.version().get(), set_status.version().get(), delete.version().get(), rename.version().get());
            (q(), status(), sort(), cursor(), versions)
        },
        |(q, status, sort, cursor, ..)| list_users(Some(q), Some(status), Some(sort), cursor),
    );

    let create_dialog = NodeRef::<html::Dialog>::new();
    let delete_dialog = NodeRef::<html::Dialog>::new();
    let rename_dialog = NodeRef::<html::Dialog>::new();
    let pending_delete = RwSignal::new(None::<UserView>);
    let pending_rename = RwSignal::new(None::<UserView>);
    let typed_name = RwSignal::new(String::new());
    let create_error = Signal::derive(move || create.value().get().and_then(Result::err));
    let rename_error = Signal::derive(move || rename.value().get().and_then(Result::err));
    let delete_error = Signal::derive(move || delete.value().get().and_then(Result::err));
    let (rename_version, delete_version) = (RwSignal::new(None::<i64>), RwSignal::new(None::<i64>));
    follow_version(rename_error, rename_version);
    follow_version(delete_error, delete_version);
    // A toggle has no form to explain a 412 in: say it, and the list (reloaded
    // after every answer) shows the user as they are now.
    let toasts = expect_context::<Toasts>();
    Effect::new(move |_| {
        if let Some(Err(error @ crate::AppError::Stale { .. })) = set_status.value().get() {
            toasts.push(ToastKind::Failure, format!("{error} The list shows it as it is now."));
        }
    });

    report_outcome(create, Some(create_dialog), |user| format!("Created {}.", user.email));
    report_outcome(set_status, None, |user| {
        let verb = if user.status == UserStatus::Disabled { "Disabled" } else { "Enabled" };
        format!("{verb} {}.", user.email)
    });
    report_outcome(delete, Some(delete_dialog), |_| "The user was deleted.".to_owned());
    report_outcome(rename, Some(rename_dialog), |user| format!("Renamed {} to {}.", user.email, user.name));

    let open_create = move |_| open_modal(create_dialog);
    let manage = can.has(Permission::UserManage);

    view! {
        <PageHead title="Users" about="People and service accounts. What each may do comes from the policies bound to them or to their teams.">
            {manage.then(|| view! {
                <button type="button" class="button" on:click=move |_| open_modal(service_dialog)>"New service account"</button>
                <button type="button" class="button button-primary" on:click=open_create>"New user"</button>
            })}
        </PageHead>
        <Form method="GET" action="" attr:class="filters" attr:role="search">
            <FilterField id="users-q" label="Search" name="q" placeholder="Name or email" value=q/>
            <FilterSelect id="users-status" label="Status" name="status" options=STATUSES value=status/>
            <FilterSelect id="users-sort" label="Sort by" name="sort" options=ORDERS value=sort/>
            <button type="submit" class="button">"Apply"</button>
        </Form>
        <PagedTable
            data=users
            label="Users"
            loading="Loading users…"
            columns={
                let mut columns = vec!["Email", "Name", "Status", "Created", "Last seen"];
                columns.extend(manage.then_some(""));
                columns
            }
            filtered=true
            empty=EMPTY
            next=Callback::new(move |c: String| {
                href_with("/users", &[("q", &q()), ("status", &status()), ("sort", &sort()), ("cursor", &c)])
            })
            row=move |user: UserView| {
                let row_user = user.clone();
                let disabled = user.status == UserStatus::Disabled;
                view! {
                    <tr data-email=user.email.to_string()>
                        <td>{user.email.to_string()}</td>
                        <td>
                            <a href=format!("/users/{}", user.id)>{user.name.clone()}</a>
                            {(user.kind == "service").then(|| view! { " " <span class="badge">"service account"</span> })}
                        </td>
                        <td><span class=if disabled { "badge badge-muted" } else { "badge badge-ok" }>{user.status.as_str()}</span></td>
                        <td><time>{format_time(Some(user.created_at))}</time></td>
                        <td>{user.last_seen_at.map_or_else(|| "never".into_any(), |at| view! { <time>{format_time(Some(at))}</time> }.into_any())}</td>
                        {manage.then(|| {
                            let id = user.id.to_string();
                            let email = user.email.to_string();
                            let toggle_label = format!("{} {email}", if disabled { "Enable" } else { "Disable" });
                            let delete_label = format!("Delete {email}");
                            let rename_label = format!("Rename {email}");
                            let rename_user = row_user.clone();
                            view! {
                                <td class="row-actions">
                                    <RowMenu key=id.clone() name=email.clone()>
                                        <button
                                            type="button"
                                            class="button button-small"
                                            aria-label=rename_label
                                            on:click=move |_| {
                                                typed_name.set(rename_user.name.clone());
                                                rename_version.set(Some(rename_user.version));
                                                pending_rename.set(Some(rename_user.clone()));
                                                rename.value().set(None);
                                                open_modal(rename_dialog);
                                            }
                                        >
                                            "Rename"
                                        </button>
                                        <ActionForm action=set_status attr:class="inline-form">
                                            <input type="hidden" name="id" value=id.clone()/>
                                            <input type="hidden" name="status" value=if disabled { "active" } else { "disabled" }/>
                                            <input type="hidden" name="version" value=row_user.version.to_string()/>
                                            <button type="submit" class="button button-small" aria-label=toggle_label>
                                                {if disabled { "Enable" } else { "Disable" }}
                                            </button>
                                        </ActionForm>
                                        <ConfirmButton label=delete_label dialog=delete_dialog before=move || {
                                            delete.value().set(None);
                                            delete_version.set(Some(row_user.version));
                                            pending_delete.set(Some(row_user.clone()));
                                        }/>
                                    </RowMenu>
                                </td>
                            }
                        })}
                    </tr>
                }
            }
        />

        {manage.then(|| view! {
        <Modal node_ref=create_dialog title="New user" title_id="create-user-title" error=create_error>
            <ActionForm action=create attr:class="form" attr:novalidate=true>
                <div class="field">
                    <label for="new-user-email">"Email"</label>
                    <input id="new-user-email" name="email" type="email" required aria-describedby="new-user-email-error" aria-invalid=invalid(create_error, "email")/>
                    <FieldMessage error=create_error field="email" id="new-user-email-error"/>
                </div>
                <div class="field">
                    <label for="new-user-name">"Name"</label>
                    <input id="new-user-name" name="name" type="text" required aria-describedby="new-user-name-error" aria-invalid=invalid(create_error, "name")/>
                    <FieldMessage error=create_error field="name" id="new-user-name-error"/>
                </div>
                <div class="field">
                    <label for="new-user-password">"Password (optional)"</label>
                    <input id="new-user-password" name="password" type="password" autocomplete="new-password" aria-describedby="new-user-password-error" aria-invalid=invalid(create_error, "password")/>
                    <FieldMessage error=create_error field="password" id="new-user-password-error"/>
                </div>
                <div class="dialog-actions">
                    <button type="button" class="button" on:click=move |_| close_modal(create_dialog)>"Cancel"</button>
                    <button type="submit" class="button button-primary" disabled=move || create.pending().get()>"Create user"</button>
                </div>
            </ActionForm>
        </Modal>

        <Modal node_ref=service_dialog title="New service account" title_id="create-service-title" error=service_error>
            <p class="muted small">"A principal for a platform service: it holds policies and acts through API tokens, never signs in."</p>
            <ActionForm action=create_service attr:class="form" attr:novalidate=true>
                <div class="field">
                    <label for="service-key">"Key"</label>
                    <input id="service-key" name="key" type="text" required placeholder="e.g. ci-deployer" aria-describedby="service-key-error" aria-invalid=invalid(service_error, "key")/>
                    <FieldMessage error=service_error field="key" id="service-key-error"/>
                </div>
                <div class="field">
                    <label for="service-name">"Name"</label>
                    <input id="service-name" name="name" type="text" required aria-describedby="service-name-error" aria-invalid=invalid(service_error, "name")/>
                    <FieldMessage error=service_error field="name" id="service-name-error"/>
                </div>
                <div class="dialog-actions">
                    <button type="button" class="button" on:click=move |_| close_modal(service_dialog)>"Cancel"</button>
                    <button type="submit" class="button button-primary">"Create service account"</button>
                </div>
            </ActionForm>
        </Modal>

        <Modal node_ref=rename_dialog title="Rename user" title_id="rename-user-title" error=rename_error>
            {move || pending_rename.get().map(|user| view! {
                <p class="muted">{user.email.to_string()}</p>
                <ActionForm action=rename attr:class="form" attr:novalidate=true>
                    <input type="hidden" name="id" value=user.id.to_string()/>
                    <VersionField version=rename_version/>
                    <div class="field">
                        <label for="rename-user-name">"Name"</label>
                        <input id="rename-user-name" name="name" type="text" required aria-describedby="rename-user-name-error" aria-invalid=invalid(rename_error, "name")
                            prop:value=move || typed_name.get()
                            on:input=move |ev| typed_name.set(event_target_value(&ev))/>
                        <FieldMessage error=rename_error field="name" id="rename-user-name-error"/>
                    </div>
                    <StaleNotice error=rename_error seen=Signal::derive(move || serde_json::to_value(&user).ok()) fields=USER_FIELDS/>
                    <div class="dialog-actions">
                        <button type="button" class="button" on:click=move |_| close_modal(rename_dialog)>"Cancel"</button>
                        <button type="submit" class="button button-primary" disabled=move || rename.pending().get()>"Save"</button>
                    </div>
                </ActionForm>
            })}
        </Modal>

        <Modal node_ref=delete_dialog title="Delete user" title_id="delete-user-title" error=delete_error>
            {move || pending_delete.get().map(|user| view! {
                <p>"Delete " <strong>{user.email.to_string()}</strong> "? Their sessions, team memberships and policies go too. This cannot be undone."</p>
                <StaleNotice error=delete_error seen=Signal::derive({ let user = user.clone(); move || serde_json::to_value(&user).ok() })
                    fields=USER_FIELDS advice="Delete again to delete them as they are now, or cancel."/>
                <ActionForm action=delete attr:class="dialog-actions">
                    <input type="hidden" name="id" value=user.id.to_string()/>
                    <VersionField version=delete_version/>
                    <button type="button" class="button" on:click=move |_| close_modal(delete_dialog)>"Cancel"</button>
                    <button type="submit" class="button button-danger">"Delete"</button>
                </ActionForm>
            })}
        </Modal>
        })}
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates() {
        assert_eq!(super::format_time(Some(0)), "1970-01-01");
        assert_eq!(super::format_time(Some(1_795_382_895_268)), "2026-11-22");
        assert_eq!(super::format_time(None), "never");
    }
}
