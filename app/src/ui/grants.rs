//! Granting and revoking access from whichever page is about the subject or
//! the workspace: the New policy dialog (its subject or scope set by that
//! page) and the confirmation before a policy goes.

use leptos::{html, prelude::*};

use crate::{
    api::{load_policy_choices, CreatePolicy, DeletePolicy},
    domain::{PolicyListing, RoleView},
    ui::{
        components::{close_modal, failure, invalid, open_modal, report_outcome, successes, FieldMessage, Modal},
        widgets::{user_matches, user_options, ScopeSelect},
    },
};

/// A page's means to grant and revoke: the two actions (a page reloads on
/// their versions) and the two dialogs.
#[derive(Clone, Copy)]
pub struct Grants {
    pub create: ServerAction<CreatePolicy>,
    pub delete: ServerAction<DeletePolicy>,
    grant_dialog: NodeRef<html::Dialog>,
    revoke_dialog: NodeRef<html::Dialog>,
    pending_revoke: RwSignal<Option<PolicyListing>>,
    done: (Signal<usize>, Signal<usize>),
    /// What the page the dialog opens from is about: a subject (email or
    /// `team:key`) and a workspace.
    subject: RwSignal<Option<String>>,
    workspace: RwSignal<Option<String>>,
}

impl Grants {
    /// The actions and dialogs, with their outcomes reported.
    pub fn new() -> Self {
        let (create, delete) = (ServerAction::new(), ServerAction::new());
        let grants = Self {
            create,
            delete,
            done: (successes(create), successes(delete)),
            grant_dialog: NodeRef::new(),
            revoke_dialog: NodeRef::new(),
            pending_revoke: RwSignal::new(None),
            subject: RwSignal::new(None),
            workspace: RwSignal::new(None),
        };
        report_outcome(grants.create, Some(grants.grant_dialog), |policy| format!("Created policy #{}.", policy.id));
        report_outcome(grants.delete, Some(grants.revoke_dialog), |_| "The policy was deleted.".to_owned());
        grants
    }

    /// Opens the New policy dialog, with no error left from before.
    pub fn open_grant(self) {
        self.open_grant_for(None, None);
    }

    /// Opens it about `subject` (the field is then fixed) and in `workspace`.
    pub fn open_grant_for(self, subject: Option<String>, workspace: Option<String>) {
        self.subject.set(subject);
        self.workspace.set(workspace);
        self.create.value().set(None);
        open_modal(self.grant_dialog);
    }

    /// Asks before deleting `listing`.
    pub fn open_revoke(self, listing: PolicyListing) {
        self.delete.value().set(None);
        self.pending_revoke.set(Some(listing));
        open_modal(self.revoke_dialog);
    }

    /// Bumps whenever a grant or a revocation went through: what a page
    /// showing policies reloads on (not on a refusal, which would redraw an
    /// open dialog and lose what was typed).
    pub fn changes(self) -> (usize, usize) {
        (self.done.0.get(), self.done.1.get())
    }
}

impl Default for Grants {
    fn default() -> Self {
        Self::new()
    }
}

/// The New policy dialog. Opened about a subject (an email or `team:key`),
/// its field is fixed; about a workspace, the scope starts there (never on
/// Global for a page about one workspace). It stays outside the page's
/// data, so that its own data is loaded with the page, not within it.
#[component]
pub fn GrantDialog(
    grants: Grants,
    /// The page's own copy of the choices, when it loads them anyway.
    #[prop(optional)]
    choices: Option<Resource<Result<crate::domain::PolicyChoices, crate::AppError>>>,
) -> impl IntoView {
    let Grants { create, grant_dialog, subject, workspace, .. } = grants;
    let error = failure(create);
    let choices = choices.unwrap_or_else(|| Resource::new(|| (), |_| load_policy_choices()));
    let typed_subject = RwSignal::new(String::new());
    let matches = user_matches(typed_subject);
    let chosen_role = RwSignal::new(String::new());
    view! {
        <Modal node_ref=grant_dialog title="New policy" title_id="create-policy-title" error>
            <ActionForm action=create attr:class="form" attr:novalidate=true>
                <div class="field">
                    <label for="new-policy-subject">"Subject"</label>
                    <input id="new-policy-subject" name="subject" type="text" list="subject-options" autocomplete="off"
                        prop:value=move || subject.get().unwrap_or_default() readonly=move || subject.with(Option::is_some)
                        aria-describedby="new-policy-subject-help new-policy-subject-error" aria-invalid=invalid(error, "subject")
                        on:input=move |ev| typed_subject.set(event_target_value(&ev))/>
                    <p class="field-help" id="new-policy-subject-help">
                        {move || if subject.with(Option::is_some) { "Who this page is about." } else { "A user's email, or team: and a team's key." }}
                    </p>
                    <datalist id="subject-options">
                        <Transition>
                            {move || Suspend::new(async move {
                                let users = matches.await;
                                let teams = choices.await.map(|c| c.teams).unwrap_or_default();
                                view! {
                                    {user_options(users)}
                                    {teams.into_iter().map(|t| view! {
                                        <option value=format!("team:{}", t.key)>{t.name.clone()}</option>
                                    }).collect::<Vec<_>>()}
                                }
                            })}
                        </Transition>
                    </datalist>
                    <FieldMessage error field="subject" id="new-policy-subject-error"/>
                </div>
                <Transition>
                    {move || {
                        Suspend::new(async move {
                            let choices = choices.await.unwrap_or_default();
                            let roles = choices.roles.clone();
                            let grants = move || {
                                let key = chosen_role.get();
                                roles.iter().find(|r: &&RoleView| r.key.as_str() == key).map(|r| {
                                    r.permissions.iter().map(|p| p.key()).collect::<Vec<_>>().join(", ")
                                })
                            };
                            view! {
                                <div class="field">
                                    <label for="new-policy-role">"Role"</label>
                                    <select id="new-policy-role" name="role" aria-describedby="new-policy-role-grants new-policy-role-error"
                                        aria-invalid=invalid(error, "role") on:change=move |ev| chosen_role.set(event_target_value(&ev))>
                                        <option value="">"Pick a role…"</option>
                                        {choices.roles.iter().map(|r| view! {
                                            <option value=r.key.to_string()>{format!("{} ({})", r.name, r.key)}</option>
                                        }).collect::<Vec<_>>()}
                                    </select>
                                    <p class="field-help" id="new-policy-role-grants">
                                        {move || grants().map(|g| format!("Grants: {g}")).unwrap_or_default()}
                                    </p>
                                    <FieldMessage error field="role" id="new-policy-role-error"/>
                                </div>
                                <ScopeSelect id="new-policy-workspace" workspaces=choices.workspaces.clone() error preselect=workspace/>
                            }
                        })
                    }}
                </Transition>
                <div class="dialog-actions">
                    <button type="button" class="button" on:click=move |_| close_modal(grant_dialog)>"Cancel"</button>
                    <button type="submit" class="button button-primary" disabled=move || create.pending().get()>"Create policy"</button>
                </div>
            </ActionForm>
        </Modal>
    }
}

/// The confirmation before a policy is deleted.
#[component]
pub fn RevokeDialog(grants: Grants) -> impl IntoView {
    let Grants { delete, revoke_dialog, pending_revoke, .. } = grants;
    view! {
        <Modal node_ref=revoke_dialog title="Delete policy" title_id="delete-policy-title" error=failure(delete)>
            {move || pending_revoke.get().map(|listing| view! {
                <p>
                    "Remove " <code>{listing.policy.role.to_string()}</code> " from " <strong>{listing.subject_label.clone()}</strong>
                    {listing.policy.workspace.as_ref().map_or_else(|| " globally".to_owned(), |w| format!(" in {w}"))} "?"
                </p>
                <ActionForm action=delete attr:class="form">
                    <input type="hidden" name="id" value=listing.policy.id.0/>
                    <div class="dialog-actions">
                        <button type="button" class="button" on:click=move |_| close_modal(revoke_dialog)>"Cancel"</button>
                        <button type="submit" class="button button-danger">"Delete policy"</button>
                    </div>
                </ActionForm>
            })}
        </Modal>
    }
}

/// A list of policies with a Delete button each for those who may manage
/// them (the server decides again); `empty` says why there is none.
#[component]
pub fn PolicyList(
    policies: Vec<PolicyListing>,
    grants: Grants,
    may_manage: bool,
    #[prop(into)] empty: String,
    /// Whether to name each policy's subject (not on the subject's own page).
    #[prop(default = true)]
    subjects: bool,
) -> impl IntoView {
    if policies.is_empty() {
        return view! { <p class="muted">{empty}</p> }.into_any();
    }
    view! {
        <ul class="plain-list policy-list">
            {policies.into_iter().map(|listing| {
                let scope = listing.policy.workspace.as_ref().map_or_else(|| "Global".to_owned(), |w| w.to_string());
                let id = listing.policy.id.0;
                let target = listing.clone();
                view! {
                    <li data-policy=id>
                        "#" {id} " " <code>{listing.policy.role.to_string()}</code>
                        {subjects.then(|| format!(" — {}", listing.subject_label))} " — " {scope}
                        {may_manage.then(|| view! {
                            " "
                            <button type="button" class="button button-small button-danger" aria-label=format!("Delete policy {id}")
                                on:click=move |_| grants.open_revoke(target.clone())>"Delete"</button>
                        })}
                    </li>
                }
            }).collect::<Vec<_>>()}
        </ul>
    }
    .into_any()
}
