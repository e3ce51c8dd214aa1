//! `/invitations`: pending and past invitations, filtered by email and status
//! in the query string; invite one or many people (pasted or from a CSV
//! file) with a role, a scope and a team; resend, revoke, copy a link that
//! has not been mailed.

use leptos::{html, prelude::*};
use leptos_router::components::Form;

use crate::{
    api::{list_invitations, load_policy_choices, CreateInvitations, ResendInvitation, RevokeInvitation},
    domain::{InvitationView, Permission},
    ui::{
        components::{
            close_modal, failure, href_with, invalid, open_modal, report_outcome, CopyButton, FieldMessage, Modal,
            PageHead, RowMenu,
        },
        list::{ConfirmButton, Empty, FilterField, FilterSelect, ListQuery, PagedTable},
        widgets::{ScopeSelect, Timestamp},
        Can,
    },
};

const STATUSES: &[(&str, &str)] =
    &[("", "Any"), ("pending", "Pending"), ("expired", "Expired"), ("accepted", "Accepted"), ("revoked", "Revoked")];
const EMPTY: Empty =
    Empty { none: "No invitation here yet.", no_match: None, show_all: Some(("/invitations", "Show all invitations")) };

fn status_badge(status: &str) -> &'static str {
    match status {
        "pending" => "badge badge-ok",
        "accepted" => "badge",
        _ => "badge badge-muted",
    }
}

/// What became of the invitation's mail. Without SMTP nothing is sent: the
/// pending link is for the admin to pass on; a finished one needs nothing.
fn mail_state(invitation: &InvitationView, smtp: bool) -> String {
    let pending = invitation.status == "pending";
    match (invitation.mail_status.as_deref(), smtp) {
        (Some("sent"), _) => "mailed".to_owned(),
        (Some("failed"), _) => {
            format!("mail failed: {}", invitation.mail_error.clone().unwrap_or_else(|| "unknown error".to_owned()))
        }
        (Some("pending"), true) => match &invitation.mail_error {
            Some(error) => format!("retrying (last error: {error})"),
            None => "sending…".to_owned(),
        },
        (Some("pending"), false) if pending => "not mailed (no SMTP): copy the link and send it yourself".to_owned(),
        (Some("pending"), false) => "not mailed (no SMTP)".to_owned(),
        _ => String::new(),
    }
}

/// Reads the chosen file's text into `into` (appending), for CSV upload.
#[cfg(feature = "hydrate")]
fn read_file_into(ev: leptos::ev::Event, into: RwSignal<String>) {
    use wasm_bindgen::JsCast;
    let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
    let Some(file) = input.files().and_then(|files| files.get(0)) else { return };
    leptos::task::spawn_local(async move {
        if let Ok(text) = wasm_bindgen_futures::JsFuture::from(file.text()).await {
            if let Some(text) = text.as_string() {
                into.update(|current| {
                    if !current.trim().is_empty() {
                        current.push('\n');
                    }
                    current.push_str(&text);
                });
            }
        }
    });
}

#[cfg(not(feature = "hydrate"))]
fn read_file_into(_ev: leptos::ev::Event, _into: RwSignal<String>) {}

/// The Invitations page.
#[component]
pub fn InvitationsPage() -> impl IntoView {
    let can = expect_context::<Can>();
    let query = ListQuery::new();
    let (q, status, cursor) = (query.text("q"), query.text("status"), query.cursor());
    let create = ServerAction::<CreateInvitations>::new();
    let resend = ServerAction::<ResendInvitation>::new();
    let revoke = ServerAction::<RevokeInvitation>::new();
    let invitations = Resource::new(
        move || (q(), status(), cursor(), create.version().get(), resend.version().get(), revoke.version().get()),
        |(q, status, cursor, ..)| list_invitations(Some(q), Some(status), cursor),
    );
    let choices = Resource::new(|| (), |_| load_policy_choices());
    let create_dialog = NodeRef::<html::Dialog>::new();
    let revoke_dialog = NodeRef::<html::Dialog>::new();
    let resend_dialog = NodeRef::<html::Dialog>::new();
    let pending_revoke = RwSignal::new(None::<InvitationView>);
    let pending_resend = RwSignal::new(None::<InvitationView>);
    // Whether links go out by mail: the words say "send" only when they do.
    let smtp = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(Ok(page)) = invitations.get() {
            smtp.set(page.smtp_configured);
        }
    });
    let typed_emails = RwSignal::new(String::new());
    let create_error = Signal::derive(move || create.value().get().and_then(Result::err));
    report_outcome(create, Some(create_dialog), move |created| {
        let who = match created.len() {
            1 => created[0].email.clone(),
            n => format!("{n} people"),
        };
        if smtp.get_untracked() {
            format!("Invited {who}: the links are on their way by mail.")
        } else {
            format!("Made invitation links for {who}: copy them from the list and send them yourself.")
        }
    });
    report_outcome(resend, Some(resend_dialog), move |invitation| {
        if smtp.get_untracked() {
            format!("Sent a new link to {}; the old one no longer works.", invitation.email)
        } else {
            format!("Made a new link for {}; the old one no longer works. Copy it from the list.", invitation.email)
        }
    });
    report_outcome(revoke, Some(revoke_dialog), |_| "The invitation was revoked; its link no longer works.".to_owned());
    Effect::new(move |_| {
        if let Some(Ok(_)) = create.value().get() {
            typed_emails.set(String::new());
        }
    });
    let manage = can.has(Permission::InviteManage);

    view! {
        <PageHead title="Invitations" about="An invitation lets someone join by email link, with the role and workspace chosen here.">
            {manage.then(|| view! {
                <button type="button" class="button button-primary" on:click=move |_| {
                    create.value().set(None);
                    open_modal(create_dialog);
                }>"Invite people"</button>
            })}
        </PageHead>
        <Form method="GET" action="" attr:class="filters" attr:role="search">
            <FilterField id="invitations-q" label="Email" name="q" placeholder="Part of an email" value=q/>
            <FilterSelect id="invitations-status" label="Status" name="status" options=STATUSES value=status/>
            <button type="submit" class="button">"Apply"</button>
        </Form>
        <PagedTable
            data=invitations
            label="Invitations"
            loading="Loading invitations…"
            columns={vec!["Email", "Access", "Status", "Expires", "Mail", ""]}
            filtered=Signal::derive(move || !q().is_empty() || !status().is_empty())
            empty=EMPTY
            next=Callback::new(move |c: String| {
                href_with("/invitations", &[("q", &q()), ("status", &status()), ("cursor", &c)])
            })
            row=move |(invitation, smtp): (InvitationView, bool)| {
                let scope = invitation.workspace.as_ref().map_or_else(|| "global".to_owned(), |w| format!("in {w}"));
                let team = invitation.team.as_ref().map(|t| format!(", team {t}")).unwrap_or_default();
                let pending = invitation.status == "pending";
                let expired = invitation.status == "expired";
                let target = invitation.clone();
                let email = invitation.email.clone();
                let link = invitation.link.clone();
                view! {
                    <tr data-email=invitation.email.clone()>
                        <td>{invitation.email.clone()}<div class="muted small">{format!("by {}", invitation.invited_by_email)}</div></td>
                        <td><code>{invitation.role.to_string()}</code> " " {scope} {team}</td>
                        <td><span class=status_badge(&invitation.status)>{invitation.status.clone()}</span></td>
                        <td><Timestamp ms=invitation.expires_at/></td>
                        <td class="small">
                            {mail_state(&invitation, smtp)}
                            {link.filter(|_| manage).map(|link| {
                                let label = format!("Invitation link for {email}");
                                let copied = link.clone();
                                view! {
                                    <div class="copy-link">
                                        <input type="text" readonly value=link aria-label=label class="link-field"/>
                                        <CopyButton text=copied label="Copy link"/>
                                    </div>
                                }
                            })}
                        </td>
                        <td class="row-actions">
                            {(manage && (pending || expired)).then(|| {
                                let renew = format!("Renew the link of {}", invitation.email);
                                let revoke = format!("Revoke the invitation of {}", invitation.email);
                                let retarget = target.clone();
                                view! {
                                    <RowMenu key=invitation.id.to_string() name=format!("the invitation of {}", invitation.email)>
                                        <button type="button" class="button button-small" aria-label=renew on:click=move |_| {
                                            resend.value().set(None);
                                            pending_resend.set(Some(retarget.clone()));
                                            open_modal(resend_dialog);
                                        }>"New link"</button>
                                        <ConfirmButton label=revoke dialog=revoke_dialog text="Revoke" before=move || {
                                            pending_revoke.set(Some(target.clone()));
                                        }/>
                                    </RowMenu>
                                }
                            })}
                        </td>
                    </tr>
                }
            }
        />

        {manage.then(|| view! {
            <Modal node_ref=create_dialog title="Invite people" title_id="create-invitations-title" error=create_error>
                <ActionForm action=create attr:class="form" attr:novalidate=true>
                    <div class="field">
                        <label for="invite-emails">"Emails"</label>
                        <textarea id="invite-emails" name="emails" rows="5" required
                            aria-describedby="invite-emails-help invite-emails-error" aria-invalid=invalid(create_error, "emails")
                            prop:value=move || typed_emails.get()
                            on:input=move |ev| typed_emails.set(event_target_value(&ev))></textarea>
                        <p class="field-help" id="invite-emails-help">"One per line or separated by commas, or a CSV with an email column."</p>
                        <FieldMessage error=create_error field="emails" id="invite-emails-error"/>
                    </div>
                    <div class="field">
                        <label for="invite-csv">"Or add from a CSV file"</label>
                        <input id="invite-csv" type="file" accept=".csv,text/csv,text/plain" on:change=move |ev| read_file_into(ev, typed_emails)/>
                    </div>
                    <Transition>
                        {move || Suspend::new(async move {
                            let choices = choices.await.unwrap_or_default();
                            view! {
                                <div class="field">
                                    <label for="invite-role">"Role"</label>
                                    <select id="invite-role" name="role" aria-describedby="invite-role-error" aria-invalid=invalid(create_error, "role")>
                                        <option value="">"Pick a role…"</option>
                                        {choices.roles.iter().map(|r| view! {
                                            <option value=r.key.to_string()>{format!("{} ({})", r.name, r.key)}</option>
                                        }).collect::<Vec<_>>()}
                                    </select>
                                    <FieldMessage error=create_error field="role" id="invite-role-error"/>
                                </div>
                                <ScopeSelect id="invite-workspace" workspaces=choices.workspaces.clone() error=create_error/>
                                <div class="field">
                                    <label for="invite-team">"Team (optional)"</label>
                                    <select id="invite-team" name="team" aria-describedby="invite-team-error" aria-invalid=invalid(create_error, "team")>
                                        <option value="">"No team"</option>
                                        {choices.teams.iter().map(|t| view! {
                                            <option value=t.key.to_string()>{format!("{} ({})", t.name, t.key)}</option>
                                        }).collect::<Vec<_>>()}
                                    </select>
                                    <FieldMessage error=create_error field="team" id="invite-team-error"/>
                                </div>
                            }
                        })}
                    </Transition>
                    <div class="dialog-actions">
                        <button type="button" class="button" on:click=move |_| close_modal(create_dialog)>"Cancel"</button>
                        <button type="submit" class="button button-primary" disabled=move || create.pending().get()>
                            {move || if smtp.get() { "Send invitations" } else { "Create invitation links" }}
                        </button>
                    </div>
                </ActionForm>
            </Modal>

            <Modal node_ref=resend_dialog title="New invitation link" title_id="resend-invitation-title" error=failure(resend)>
                {move || pending_resend.get().map(|invitation| view! {
                    <p>
                        "Make a new link for " <strong>{invitation.email.clone()}</strong>
                        {if smtp.get_untracked() { " and mail it" } else { "" }}
                        "? The link made before stops working at once, even if you have already passed it on."
                    </p>
                    <ActionForm action=resend attr:class="dialog-actions">
                        <input type="hidden" name="id" value=invitation.id.to_string()/>
                        <button type="button" class="button" on:click=move |_| close_modal(resend_dialog)>"Cancel"</button>
                        <button type="submit" class="button button-primary">
                            {if smtp.get_untracked() { "Send a new link" } else { "Make a new link" }}
                        </button>
                    </ActionForm>
                })}
            </Modal>

            <Modal node_ref=revoke_dialog title="Revoke invitation" title_id="revoke-invitation-title" error=failure(revoke)>
                {move || pending_revoke.get().map(|invitation| view! {
                    <p>"Revoke the invitation of " <strong>{invitation.email.clone()}</strong> "? Its link stops working at once."</p>
                    <ActionForm action=revoke attr:class="dialog-actions">
                        <input type="hidden" name="id" value=invitation.id.to_string()/>
                        <button type="button" class="button" on:click=move |_| close_modal(revoke_dialog)>"Cancel"</button>
                        <button type="submit" class="button button-danger">"Revoke"</button>
                    </ActionForm>
                })}
            </Modal>
        })}
    }
}
