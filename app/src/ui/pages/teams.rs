//! `/teams`: search, create and delete teams; `/teams/{key}`: a team's
//! members (add with a type-ahead user picker, change their team role,
//! remove), its policies, rename.

use leptos::{html, prelude::*};
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::{
    api::{list_teams, load_team_detail, DeleteTeam, PutTeamMember, RemoveTeamMember, SaveTeam},
    domain::{MemberView, Permission, TeamView},
    ui::{
        components::*,
        grants::{GrantDialog, Grants, PolicyList, RevokeDialog},
        list::*,
        widgets::*,
        Can,
    },
};

const EMPTY: Empty = Empty {
    none: "There is no team yet.",
    no_match: Some("No team matches this search."),
    show_all: Some(("/teams", "Show all teams")),
};

/// The Teams page.
#[component]
pub fn TeamsPage() -> impl IntoView {
    let can = expect_context::<Can>();
    let save = ServerAction::<SaveTeam>::new();
    let delete = ServerAction::<DeleteTeam>::new();
    let NamedPage { data: teams, query, create_dialog, delete_dialog, pending_delete } =
        named_page(move || (save.version().get(), delete.version().get()), list_teams);
    let (q, sort) = (query.text("q"), query.text("sort"));
    let save_error = Signal::derive(move || save.value().get().and_then(Result::err));
    let delete_error = Signal::derive(move || delete.value().get().and_then(Result::err));
    let delete_version = RwSignal::new(None::<i64>);
    follow_version(delete_error, delete_version);
    report_outcome(save, Some(create_dialog), |team| format!("Created team {}.", team.key));
    report_outcome(delete, Some(delete_dialog), |_| {
        "The team, its memberships and its policies were deleted.".to_owned()
    });

    let manage = can.has(Permission::TeamManage);
    view! {
        <PageHead title="Teams" about="A team is a set of users: a policy bound to a team applies to each member.">
            {manage.then(|| view! {
                <button type="button" class="button button-primary" on:click=move |_| open_modal(create_dialog)>"New team"</button>
            })}
        </PageHead>
        <SearchForm id="teams-q" value=q sort=sort/>
        <NamedTable
            data=teams
            base="/teams"
            label="Teams"
            loading="Loading teams…"
            empty=EMPTY
            q=Signal::derive(q)
            sort=Signal::derive(sort)
            with_actions=manage
            actions=move |team: TeamView| {
                let label = format!("Delete team {}", team.key);
                view! {
                    <ConfirmButton label dialog=delete_dialog before=move || {
                        delete.value().set(None);
                        delete_version.set(Some(team.version));
                        pending_delete.set(Some(team.clone()));
                    }/>
                }
            }
        />

        {manage.then(|| view! {
            <Modal node_ref=create_dialog title="New team" title_id="create-team-title" error=save_error>
                <ActionForm action=save attr:class="form" attr:novalidate=true>
                    <input type="hidden" name="mode" value="create"/>
                    <NewNamedFields prefix="new-team" error=save_error key_example="ml-eng"/>
                    <div class="dialog-actions">
                        <button type="button" class="button" on:click=move |_| close_modal(create_dialog)>"Cancel"</button>
                        <button type="submit" class="button button-primary" disabled=move || save.pending().get()>"Create team"</button>
                    </div>
                </ActionForm>
            </Modal>

            <Modal node_ref=delete_dialog title="Delete team" title_id="delete-team-title" error=delete_error>
                {move || pending_delete.get().map(|team| view! {
                    <p>"Delete " <strong>{team.name.clone()}</strong> " (" <code>{team.key.to_string()}</code> ")? Its members lose what the team's policies gave them, and the policies are deleted too."</p>
                    <StaleNotice
                        error=delete_error
                        seen=Signal::derive({ let team = team.clone(); move || serde_json::to_value(&team).ok() })
                        fields=TEAM_FIELDS
                        advice="Delete again to delete it as it is now, or cancel."
                    />
                    <ActionForm action=delete attr:class="dialog-actions">
                        <input type="hidden" name="key" value=team.key.to_string()/>
                        <VersionField version=delete_version/>
                        <button type="button" class="button" on:click=move |_| close_modal(delete_dialog)>"Cancel"</button>
                        <button type="submit" class="button button-danger">"Delete"</button>
                    </ActionForm>
                })}
            </Modal>
        })}
    }
}

/// The fields of a team a 412 compares, by JSON key.
const TEAM_FIELDS: &[(&str, &str)] = &[("name", "Name"), ("description", "Description")];

/// One team: members and policies.
#[component]
pub fn TeamDetailPage() -> impl IntoView {
    let params = use_params_map();
    let key = move || params.with(|p| p.get("key").unwrap_or_default());
    let save = ServerAction::<SaveTeam>::new();
    let put_member = ServerAction::<PutTeamMember>::new();
    let remove_member = ServerAction::<RemoveTeamMember>::new();
    let (saved, removed) = (successes(save), successes(remove_member));
    let grants = Grants::new();
    let may_grant = expect_context::<Can>().has(Permission::PolicyManage);
    let detail = Resource::new(
        move || (key(), saved.get(), put_member.version().get(), removed.get(), grants.changes()),
        |(key, ..)| load_team_detail(key),
    );
    let edit_dialog = NodeRef::<html::Dialog>::new();
    let remove_dialog = NodeRef::<html::Dialog>::new();
    let pending_remove = RwSignal::new(None::<MemberView>);
    let save_error = Signal::derive(move || save.value().get().and_then(Result::err));
    let member_error = Signal::derive(move || put_member.value().get().and_then(Result::err));
    let remove_error = Signal::derive(move || remove_member.value().get().and_then(Result::err));
    // The version the edit and remove forms send; the team as the editor saw it.
    let version = RwSignal::new(None::<i64>);
    let seen = RwSignal::new(None::<serde_json::Value>);
    follow_version(save_error, version);
    follow_version(remove_error, version);
    follow_version(member_error, version);
    let (typed_name, typed_description) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    report_outcome(save, Some(edit_dialog), |team| format!("Saved team {}.", team.key));
    report_outcome(put_member, None, |member| format!("{} is now a {} of the team.", member.email, member.team_role));
    report_outcome(remove_member, Some(remove_dialog), |_| "The member was removed.".to_owned());

    // Type-ahead: active users whose name or email matches what is typed.
    let typed_member = RwSignal::new(String::new());
    let matches = user_matches(typed_member);
    // Clear the picker after a member was added.
    Effect::new(move |_| {
        if let Some(Ok(_)) = put_member.value().get() {
            typed_member.set(String::new());
        }
    });

    view! {
        <Title text="Team"/>
        <Breadcrumbs trail=&[("/", "Dashboard"), ("/teams", "Teams")]/>
        <Transition fallback=|| view! { <p class="page-loading">"Loading the team…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    Ok(detail) => {
                        let team = detail.team.clone();
                        let team_key = team.key.to_string();
                        let may_manage = detail.may_manage;
                        let may_manage_members = detail.may_manage_members;
                        let (edit_name, edit_description) = (team.name.clone(), team.description.clone());
                        let shown = team.clone();
                        // The forms start from the version shown here.
                        version.set(Some(team.version));
                        view! {
                            <div class="page-head">
                                <h1>{team.name.clone()}</h1>
                                {may_manage.then(|| view! {
                                    <button type="button" class="button" on:click=move |_| {
                                        typed_name.set(edit_name.clone());
                                        typed_description.set(edit_description.clone());
                                        seen.set(serde_json::to_value(&shown).ok());
                                        save.value().set(None);
                                        open_modal(edit_dialog);
                                    }>"Edit team"</button>
                                })}
                            </div>
                            <p class="muted"><code>{team_key.clone()}</code> {(!team.description.is_empty()).then(|| format!(" · {}", team.description))}</p>

                            <section class="panel" aria-labelledby="team-members">
                                <h2 id="team-members">"Members (" {detail.members.len()} ")"</h2>
                                {may_manage_members.then(|| {
                                    let key = team_key.clone();
                                    view! {
                                        <ActionForm action=put_member attr:class="filters" attr:novalidate=true>
                                            <input type="hidden" name="key" value=key/>
                                            <VersionField version/>
                                            <div class="field">
                                                <label for="add-member-email">"Add a member"</label>
                                                <input id="add-member-email" name="email" type="text" list="member-options" autocomplete="off"
                                                    placeholder="Name or email" aria-describedby="add-member-email-error" aria-invalid=invalid(member_error, "email")
                                                    prop:value=move || typed_member.get()
                                                    on:input=move |ev| typed_member.set(event_target_value(&ev))/>
                                                <datalist id="member-options">
                                                    <Transition>
                                                        {move || Suspend::new(async move { user_options(matches.await) })}
                                                    </Transition>
                                                </datalist>
                                                <FieldMessage error=member_error field="email" id="add-member-email-error"/>
                                            </div>
                                            <div class="field">
                                                <label for="add-member-role">"Team role"</label>
                                                <select id="add-member-role" name="team_role">
                                                    <option value="member">"member"</option>
                                                    {may_manage.then(|| view! { <option value="maintainer">"maintainer"</option> })}
                                                </select>
                                            </div>
                                            <button type="submit" class="button button-primary" disabled=move || put_member.pending().get()>"Add"</button>
                                        </ActionForm>
                                        <StaleNotice error=member_error seen=Signal::derive(|| None) fields=&[]
                                            advice="Its members changed (the list below is up to date): add again to add them to the team as it is now."/>
                                    }
                                })}
                                {if detail.members.is_empty() {
                                    view! { <p class="muted">"No members yet."</p> }.into_any()
                                } else {
                                    view! {
                                        <table class="table" aria-label="Members">
                                            <thead>
                                                <tr>
                                                    <th scope="col">"Email"</th>
                                                    <th scope="col">"Name"</th>
                                                    <th scope="col">"Team role"</th>
                                                    {may_manage_members.then(|| view! { <th scope="col" class="row-actions"><span class="sr-only">"Actions"</span></th> })}
                                                </tr>
                                            </thead>
                                            <tbody>
                                                {detail.members.iter().map(|member| {
                                                    let target = member.clone();
                                                    let label = format!("Remove {}", member.email);
                                                    view! {
                                                        <tr data-email=member.email.clone()>
                                                            <td><a href=format!("/users/{}", member.user_id)>{member.email.clone()}</a></td>
                                                            <td>{member.name.clone()}</td>
                                                            <td><span class="badge">{member.team_role.clone()}</span></td>
                                                            {may_manage_members.then(|| view! {
                                                                <td class="row-actions">
                                                                    <button type="button" class="button button-small button-danger" aria-label=label
                                                                        on:click=move |_| {
                                                                            remove_member.value().set(None);
                                                                            pending_remove.set(Some(target.clone()));
                                                                            open_modal(remove_dialog);
                                                                        }>
                                                                        "Remove"
                                                                    </button>
                                                                </td>
                                                            })}
                                                        </tr>
                                                    }
                                                }).collect::<Vec<_>>()}
                                            </tbody>
                                        </table>
                                    }.into_any()
                                }}
                            </section>

                            <section class="panel" aria-labelledby="team-policies">
                                <div class="panel-head">
                                    <h2 id="team-policies">"Policies of this team"</h2>
                                    {(may_grant && detail.policies.is_some()).then(|| view! {
                                        <button type="button" class="button button-primary"
                                            on:click=move |_| grants.open_grant_for(Some(format!("team:{}", key())), None)>"Grant access"</button>
                                    })}
                                </div>
                                {match detail.policies.clone() {
                                    None => view! { <p class="muted">"You may not read policies."</p> }.into_any(),
                                    Some(items) => view! {
                                        <PolicyList policies=items grants may_manage=may_grant subjects=false
                                            empty="No policy is bound to this team: its members get nothing through it yet."/>
                                    }.into_any(),
                                }}
                            </section>

                            <Modal node_ref=remove_dialog title="Remove member" title_id="remove-member-title" error=remove_error>
                                {move || pending_remove.get().map(|member| {
                                    let key = team_key.clone();
                                    view! {
                                        <p>"Remove " <strong>{member.email.clone()}</strong> " from the team? They lose what the team's policies give them."</p>
                                        <StaleNotice error=remove_error seen=Signal::derive(|| None) fields=&[]
                                            advice="Its members changed: remove again to remove them from the team as it is now, or cancel."/>
                                        <ActionForm action=remove_member attr:class="dialog-actions">
                                            <input type="hidden" name="key" value=key/>
                                            <input type="hidden" name="user_id" value=member.user_id.to_string()/>
                                            <VersionField version/>
                                            <button type="button" class="button" on:click=move |_| close_modal(remove_dialog)>"Cancel"</button>
                                            <button type="submit" class="button button-danger">"Remove"</button>
                                        </ActionForm>
                                    }
                                })}
                            </Modal>
                            <Modal node_ref=edit_dialog title="Edit team" title_id="edit-team-title" error=save_error>
                                <ActionForm action=save attr:class="form" attr:novalidate=true>
                                    <input type="hidden" name="mode" value="update"/>
                                    <input type="hidden" name="key" value=team.key.to_string()/>
                                    <VersionField version/>
                                    <NameDescriptionFields prefix="edit-team" error=save_error
                                        name=Some(typed_name) description=Some(typed_description)/>
                                    <StaleNotice error=save_error seen fields=TEAM_FIELDS/>
                                    <div class="dialog-actions">
                                        <button type="button" class="button" on:click=move |_| close_modal(edit_dialog)>"Cancel"</button>
                                        <button type="submit" class="button button-primary" disabled=move || save.pending().get()>"Save"</button>
                                    </div>
                                </ActionForm>
                            </Modal>
                        }.into_any()
                    }
                }
            })}
        </Transition>
        {may_grant.then(|| view! { <GrantDialog grants/> })}
        <RevokeDialog grants/>
    }
}
