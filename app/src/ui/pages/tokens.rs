//! The API tokens section of My account: make a token (name, expiry, scope,
//! optional workspace), see its secret once, see when each was last used and
//! from where, revoke.

use leptos::{html, prelude::*};

use crate::{
    api::{list_tokens, CreateToken, RevokeToken},
    authz::TokenScope,
    domain::{dates::format_timestamp, Permission, ScopeKind, SessionView, TokenView},
    ui::{
        components::{close_modal, invalid, open_modal, report_outcome, CopyButton, ErrorPanel, FieldMessage, Modal},
        list::{Empty, PagedTable},
        widgets::Timestamp,
    },
};

const NO_TOKENS: Empty = Empty { none: "No token yet.", no_match: None, show_all: None };

fn describe_scope(token: &TokenView) -> String {
    let scope = match TokenScope::parse(&token.scope) {
        Some(named @ TokenScope::Named(_)) => named.describe().0.to_owned(),
        _ => token.permissions.iter().map(|p| p.key()).collect::<Vec<_>>().join(", "),
    };
    match &token.workspace {
        Some(ws) => format!("{scope}, only in {ws}"),
        None => scope,
    }
}

/// The scope the dialog starts on: the catalog's last named scope (its
/// narrowest by convention: Neutree's `endpoint`), else custom.
fn first_scope() -> TokenScope {
    TokenScope::all().filter(|s| matches!(s, TokenScope::Named(_))).last().unwrap_or(TokenScope::Custom)
}

/// The API tokens section: the signed-in user's, or (with `owner`) a
/// user's as a user manager sees them (`may_create` for service accounts).
#[component]
pub fn TokensSection(
    #[prop(optional)] owner: Option<String>,
    #[prop(default = true)] may_create: bool,
) -> impl IntoView {
    let create = ServerAction::<CreateToken>::new();
    let revoke = ServerAction::<RevokeToken>::new();
    let owner_value = owner.clone().unwrap_or_default();
    let (revoke_owner, create_owner) = (StoredValue::new(owner_value.clone()), owner_value);
    let tokens =
        Resource::new(move || (create.version().get(), revoke.version().get()), move |_| list_tokens(owner.clone()));
    let create_dialog = NodeRef::<html::Dialog>::new();
    let secret_dialog = NodeRef::<html::Dialog>::new();
    let create_error = Signal::derive(move || create.value().get().and_then(Result::err));
    let scope = RwSignal::new(first_scope().as_str().to_owned());
    report_outcome(create, Some(create_dialog), |created| format!("Made the token {}.", created.token.name));
    report_outcome(revoke, None, |_| "The token was revoked; it stops working at once.".to_owned());
    // The secret, shown once right after it was made.
    Effect::new(move |_| {
        if let Some(Ok(_)) = create.value().get() {
            open_modal(secret_dialog);
        }
    });
    let secret = move || create.value().get().and_then(Result::ok).map(|c| c.secret).unwrap_or_default();

    view! {
        <section class="panel" aria-labelledby="tokens-title">
            <div class="page-head">
                <h2 id="tokens-title">"API tokens"</h2>
                {may_create.then(|| view! {
                    <button type="button" class="button button-primary" on:click=move |_| {
                        create.value().set(None);
                        open_modal(create_dialog);
                    }>"New token"</button>
                })}
            </div>
            <p class="muted small">"For programs: send a token as " <code>"Authorization: Bearer pcs_…"</code> ". It may do what you may do, within its scope and workspace, and stops when revoked or expired."</p>
            <PagedTable
                data=tokens
                label="API tokens"
                loading="Loading tokens…"
                columns={vec!["Name", "Scope", "Expires", "Last used", "Status", ""]}
                empty=NO_TOKENS
                row=move |token: TokenView| {
                    let used = token.last_used_at.map_or_else(
                        || "never".to_owned(),
                        |at| format!("{} from {}", format_timestamp(at), token.last_used_address.clone().unwrap_or_default()),
                    );
                    let label = format!("Revoke token {}", token.name);
                    let active = token.status == "active";
                    let owner = revoke_owner.get_value();
                    view! {
                        <tr data-token=token.name.clone()>
                            <td>{token.name.clone()}<div class="muted small"><code>{format!("{}…", token.prefix)}</code></div></td>
                            <td>{describe_scope(&token)}</td>
                            <td><Timestamp ms=token.expires_at/></td>
                            <td class="small">{used}</td>
                            <td><span class=if active { "badge badge-ok" } else { "badge badge-muted" }>{token.status.clone()}</span></td>
                            <td class="row-actions">
                                {active.then(|| view! {
                                    <ActionForm action=revoke attr:class="inline-form">
                                        <input type="hidden" name="owner" value=owner/>
                                        <input type="hidden" name="id" value=token.id.to_string()/>
                                        <button type="submit" class="button button-small button-danger" aria-label=label>"Revoke"</button>
                                    </ActionForm>
                                })}
                            </td>
                        </tr>
                    }
                }
            />
        </section>

        <Modal node_ref=create_dialog title="New API token" title_id="create-token-title" wide=true error=create_error>
            <ActionForm action=create attr:class="form" attr:novalidate=true>
                <input type="hidden" name="owner" value=create_owner/>
                <div class="field">
                    <label for="token-name">"Name"</label>
                    <input id="token-name" name="name" type="text" required placeholder="e.g. CI deploys" aria-describedby="token-name-error" aria-invalid=invalid(create_error, "name")/>
                    <FieldMessage error=create_error field="name" id="token-name-error"/>
                </div>
                <div class="field">
                    <label for="token-days">"Expires in (days)"</label>
                    <input id="token-days" name="expires_in_days" type="number" min="1" value="90" aria-describedby="token-days-error" aria-invalid=invalid(create_error, "expires_in_days")/>
                    <FieldMessage error=create_error field="expires_in_days" id="token-days-error"/>
                </div>
                <div class="field">
                    <label for="token-workspace">"Only in workspace (optional)"</label>
                    <input id="token-workspace" name="workspace" type="text" placeholder="a workspace key" aria-describedby="token-workspace-error" aria-invalid=invalid(create_error, "workspace")/>
                    <FieldMessage error=create_error field="workspace" id="token-workspace-error"/>
                </div>
                <fieldset class="field">
                    <legend>"Scope"</legend>
                    // The catalog's scopes (setting `catalog`), then custom.
                    {TokenScope::all().map(|option| {
                        let (name, about) = option.describe();
                        let value = option.as_str();
                        view! {
                            <label>
                                <input type="radio" name="scope" value=value prop:checked=move || scope.get() == value on:change=move |_| scope.set(value.to_owned())/>
                                // One text node each: hydration finds them as rendered.
                                {format!(" {name} ")}
                                <span class="muted">{format!("({about})")}</span>
                            </label>
                        }
                    }).collect::<Vec<_>>()}
                    <FieldMessage error=create_error field="scope" id="token-scope-error"/>
                </fieldset>
                // Only a custom token takes permissions: otherwise the group is
                // hidden and disabled, so nothing ticked in it is sent.
                <fieldset class="field" hidden=move || scope.get() != "custom" disabled=move || scope.get() != "custom">
                    <legend>"Permissions"</legend>
                    <div class="permission-picks">
                        {Permission::all().iter().map(|p| view! {
                            <label class="small">
                                <input type="checkbox" name="permissions[]" value=p.key()/>
                                " " <code>{p.key()}</code>
                                {(p.scope() == ScopeKind::Global).then_some(" (global)")}
                            </label>
                        }).collect::<Vec<_>>()}
                    </div>
                    <FieldMessage error=create_error field="permissions" id="token-permissions-error"/>
                </fieldset>
                <div class="dialog-actions">
                    <button type="button" class="button" on:click=move |_| close_modal(create_dialog)>"Cancel"</button>
                    <button type="submit" class="button button-primary" disabled=move || create.pending().get()>"Make token"</button>
                </div>
            </ActionForm>
        </Modal>

        // The second step of making a token: it opens only on success, so
        // the making's answer is never an error while it shows.
        <Modal node_ref=secret_dialog title="Your new token" title_id="token-secret-title" error=create_error>
            <p>"Copy it now: it is shown only this once and Portcullis keeps only a hash of it."</p>
            <div class="copy-link">
                <input type="text" readonly class="link-field" aria-label="Token secret" prop:value=secret/>
                <CopyButton text=Signal::derive(secret) describe="Copy the secret".to_owned()/>
            </div>
            <div class="dialog-actions">
                <button type="button" class="button button-primary" on:click=move |_| {
                    create.value().set(None);
                    close_modal(secret_dialog);
                }>"I have copied it"</button>
            </div>
        </Modal>
    }
}

/// The sessions section: every signed-in device, with "end" for the others.
#[component]
pub fn SessionsSection() -> impl IntoView {
    let end = ServerAction::<crate::api::EndMySessions>::new();
    let sessions = Resource::new(move || end.version().get(), |_| crate::api::list_my_sessions());
    report_outcome(end, None, |ended| match ended {
        1 => "One session was ended.".to_owned(),
        n => format!("{n} sessions were ended."),
    });
    view! {
        <section class="panel" aria-labelledby="sessions-title">
            <div class="page-head">
                <h2 id="sessions-title">"Sessions"</h2>
                <ActionForm action=end attr:class="inline-form">
                    <input type="hidden" name="id" value=""/>
                    <button type="submit" class="button">"End all other sessions"</button>
                </ActionForm>
            </div>
            <PagedTable
                data=sessions
                label="Sessions"
                loading="Loading sessions…"
                columns={vec!["Device", "Address", "Signed in", "Last seen", ""]}
                row=move |session: SessionView| {
                    let label = format!("End the session from {}", session.address.clone().unwrap_or_else(|| "an unknown address".into()));
                    let handle = session.id.clone();
                    view! {
                        <tr data-session=session.id.clone() data-current=session.current.to_string()>
                            <td class="small" title=session.agent.clone()>
                                {session.agent.as_deref().map_or_else(|| "unknown device".to_owned(), crate::domain::device::describe)}
                                {session.current.then(|| view! { " " <span class="badge badge-ok">"this session"</span> })}
                            </td>
                            <td>{session.address.clone().unwrap_or_default()}</td>
                            <td><Timestamp ms=session.signed_in_at/></td>
                            <td><Timestamp ms=session.last_seen_at/></td>
                            <td class="row-actions">
                                {(!session.current).then(|| view! {
                                    <ActionForm action=end attr:class="inline-form">
                                        <input type="hidden" name="id" value=handle/>
                                        <button type="submit" class="button button-small button-danger" aria-label=label>"End"</button>
                                    </ActionForm>
                                })}
                            </td>
                        </tr>
                    }
                }
            />
        </section>
    }
}

/// Sign-in methods: the password (set or change) and linked GitHub/Google
/// accounts (link another, unlink one while another way remains).
#[component]
pub fn SignInMethodsSection() -> impl IntoView {
    let unlink = ServerAction::<crate::api::UnlinkIdentity>::new();
    let password = ServerAction::<crate::api::ChangePassword>::new();
    let methods = Resource::new(
        move || (unlink.version().get(), password.version().get()),
        |_| crate::api::load_sign_in_methods(),
    );
    let password_error = Signal::derive(move || password.value().get().and_then(Result::err));
    report_outcome(unlink, None, |_| "The account was unlinked.".to_owned());
    report_outcome(password, None, |_| "Your password was saved; your other sessions ended.".to_owned());
    let query = leptos_router::hooks::use_query_map();
    let link_error = move || query.with(|q| q.get("error")).filter(|e| !e.is_empty());
    view! {
        <section class="panel" aria-labelledby="methods-title">
            <h2 id="methods-title">"Sign-in methods"</h2>
            {move || link_error().map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
            <Transition fallback=|| view! { <p class="page-loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match methods.await {
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                        Ok(methods) => view! {
                            <ul class="plain-list" aria-label="Linked accounts">
                                <li data-method="password">{if methods.password { "Password: set" } else { "Password: not set" }}</li>
                                {methods.identities.clone().into_iter().map(|identity| {
                                    let label = format!("Unlink {}", identity.provider);
                                    let provider = identity.provider.clone();
                                    view! {
                                        <li data-method=identity.provider.clone()>
                                            {format!("{}: {} (linked {})", identity.provider, identity.email, format_timestamp(identity.linked_at))}
                                            " "
                                            <ActionForm action=unlink attr:class="inline-form">
                                                <input type="hidden" name="provider" value=provider/>
                                                <button type="submit" class="button button-small" aria-label=label>"Unlink"</button>
                                            </ActionForm>
                                        </li>
                                    }
                                }).collect::<Vec<_>>()}
                            </ul>
                            <div class="provider-buttons">
                                {methods.linkable.clone().into_iter().map(|(key, label)| view! {
                                    <a class="button" rel="external" href=format!("/auth/{key}/start?link=1")>{format!("Link {label}")}</a>
                                }).collect::<Vec<_>>()}
                            </div>
                            <ActionForm action=password attr:class="form form-inline" attr:novalidate=true>
                                {methods.password.then(|| view! {
                                    <div class="field">
                                        <label for="current-password">"Current password"</label>
                                        <input id="current-password" name="current_password" type="password" autocomplete="current-password" aria-describedby="current-password-error" aria-invalid=invalid(password_error, "current_password")/>
                                        <FieldMessage error=password_error field="current_password" id="current-password-error"/>
                                    </div>
                                })}
                                <div class="field">
                                    <label for="new-password">{if methods.password { "New password" } else { "Set a password" }}</label>
                                    <input id="new-password" name="new_password" type="password" autocomplete="new-password" aria-describedby="new-password-error" aria-invalid=invalid(password_error, "new_password")/>
                                    <FieldMessage error=password_error field="new_password" id="new-password-error"/>
                                </div>
                                <button type="submit" class="button" disabled=move || password.pending().get()>"Save password"</button>
                            </ActionForm>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// My teams (leave one) and my pending invitations (accept or decline),
/// and my picture.
#[component]
pub fn MembershipsSection() -> impl IntoView {
    let leave = ServerAction::<crate::api::LeaveTeam>::new();
    let answer = ServerAction::<crate::api::AnswerMyInvitation>::new();
    let avatar = ServerAction::<crate::api::SetMyAvatar>::new();
    let data =
        Resource::new(move || (leave.version().get(), answer.version().get()), |_| crate::api::load_my_memberships());
    let avatar_error = Signal::derive(move || avatar.value().get().and_then(Result::err));
    let me = expect_context::<crate::ui::Me>().0;
    report_outcome(leave, None, |_| "You left the team.".to_owned());
    report_outcome(answer, None, |_| "Done.".to_owned());
    report_outcome(avatar, None, |_| "Your picture was saved.".to_owned());
    Effect::new(move |_| {
        if let Some(Ok(user)) = avatar.value().get() {
            me.set(user);
        }
    });
    view! {
        <section class="panel" aria-labelledby="picture-title">
            <h2 id="picture-title">"Picture"</h2>
            {move || me.with(|u| u.avatar_url.clone()).map(|url| view! { <img class="avatar" src=url alt="Your picture" width="48" height="48"/> })}
            <ActionForm action=avatar attr:class="form form-inline" attr:novalidate=true>
                <div class="field">
                    <label for="avatar-url">"Picture address (https)"</label>
                    <input id="avatar-url" name="avatar_url" type="url" placeholder="empty: none" aria-describedby="avatar-url-error" aria-invalid=invalid(avatar_error, "avatar_url")
                        prop:value=move || me.with(|u| u.avatar_url.clone().unwrap_or_default())/>
                    <FieldMessage error=avatar_error field="avatar_url" id="avatar-url-error"/>
                </div>
                <button type="submit" class="button">"Save picture"</button>
            </ActionForm>
        </section>
        <section class="panel" aria-labelledby="my-teams-title">
            <h2 id="my-teams-title">"My teams and invitations"</h2>
            <Transition fallback=|| view! { <p class="page-loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                        Ok((teams, invitations)) => view! {
                            {if teams.is_empty() {
                                view! { <p class="muted">"You are not in any team."</p> }.into_any()
                            } else {
                                view! {
                                    <ul class="plain-list" aria-label="My teams">
                                        {teams.into_iter().map(|m| {
                                            let label = format!("Leave team {}", m.team);
                                            let (key, shown, field) = (m.team.to_string(), m.team.to_string(), m.team.to_string());
                                            view! {
                                                <li data-team=key>
                                                    <code>{shown}</code> " — " {m.team_role.clone()} " "
                                                    <ActionForm action=leave attr:class="inline-form">
                                                        <input type="hidden" name="team" value=field/>
                                                        <button type="submit" class="button button-small" aria-label=label>"Leave"</button>
                                                    </ActionForm>
                                                </li>
                                            }
                                        }).collect::<Vec<_>>()}
                                    </ul>
                                }.into_any()
                            }}
                            {if invitations.is_empty() {
                                view! { <p class="muted">"No pending invitation."</p> }.into_any()
                            } else {
                                view! {
                                    <ul class="plain-list" aria-label="My invitations">
                                        {invitations.into_iter().map(|invitation| {
                                            let scope = invitation.workspace.as_ref().map_or_else(|| "everywhere".to_owned(), |w| format!("in {w}"));
                                            let (id, accept_id, decline_id) =
                                                (invitation.id.to_string(), invitation.id.to_string(), invitation.id.to_string());
                                            view! {
                                                <li data-invitation=id>
                                                    {format!("{} invites you as {} {scope}", invitation.invited_by_email, invitation.role)} " "
                                                    <ActionForm action=answer attr:class="inline-form">
                                                        <input type="hidden" name="id" value=accept_id/>
                                                        <input type="hidden" name="answer" value="accept"/>
                                                        <button type="submit" class="button button-small button-primary">"Accept"</button>
                                                    </ActionForm>
                                                    <ActionForm action=answer attr:class="inline-form">
                                                        <input type="hidden" name="id" value=decline_id/>
                                                        <input type="hidden" name="answer" value="decline"/>
                                                        <button type="submit" class="button button-small">"Decline"</button>
                                                    </ActionForm>
                                                </li>
                                            }
                                        }).collect::<Vec<_>>()}
                                    </ul>
                                }.into_any()
                            }}
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
