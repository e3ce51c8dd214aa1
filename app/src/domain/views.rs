//! What the REST API and the console receive about access data.

use serde::{Deserialize, Serialize};

use super::{Page, Permission, PolicyId, RoleKey, Scope, Subject, TeamKey, UserView, WorkspaceKey};

/// A role as shown to callers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RoleView {
    pub key: RoleKey,
    pub name: String,
    pub description: String,
    #[cfg_attr(feature = "ssr", schema(value_type = Vec<String>, example = json!(["endpoint:read", "endpoint:invoke"])))]
    pub permissions: Vec<Permission>,
    pub builtin: bool,
    /// How many policies bind it (a role in use cannot be deleted).
    #[serde(default)]
    pub used_by: u64,
    /// Changes with every edit; the `ETag` of GET, for `If-Match`.
    #[serde(default = "first_version")]
    pub version: i64,
}

/// A workspace as shown to callers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct WorkspaceView {
    pub key: WorkspaceKey,
    pub name: String,
    pub description: String,
    pub created_at: i64,
    /// Changes with every edit; the `ETag` of GET, for `If-Match`.
    #[serde(default = "first_version")]
    pub version: i64,
}

/// A policy as shown to callers: `workspace` is `null` for a global policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PolicyView {
    pub id: PolicyId,
    pub subject: Subject,
    pub role: RoleKey,
    pub workspace: Option<WorkspaceKey>,
    pub created_at: i64,
}

/// One way a permission reaches a user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct GrantView {
    pub policy: PolicyId,
    pub role: RoleKey,
    pub workspace: Option<WorkspaceKey>,
    /// The team the policy is bound to, when it reaches the user through one.
    pub team: Option<TeamKey>,
}

/// A permission a user holds, and every policy that grants it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct EffectivePermission {
    #[cfg_attr(feature = "ssr", schema(value_type = String, example = "endpoint:invoke"))]
    pub permission: Permission,
    pub granted_by: Vec<GrantView>,
}

impl From<&Scope> for Option<WorkspaceKey> {
    fn from(scope: &Scope) -> Self {
        scope.workspace().cloned()
    }
}

/// A team as shown to callers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TeamView {
    pub key: TeamKey,
    pub name: String,
    pub description: String,
    pub created_at: i64,
    /// Changes with every edit, its members' included; the `ETag` of GET.
    #[serde(default = "first_version")]
    pub version: i64,
}

/// A member of a team.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MemberView {
    pub user_id: super::UserId,
    pub email: String,
    pub name: String,
    /// `member` or `maintainer`.
    pub team_role: String,
    pub added_at: i64,
}

/// A policy with its subject named for people (email or team key).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyListing {
    pub policy: PolicyView,
    /// `ada@example.com (Ada)` for a user, `team:ml-eng` for a team.
    pub subject_label: String,
}

/// What the policy form offers: roles (with what they grant), workspaces
/// and teams the viewer may see.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyChoices {
    pub roles: Vec<RoleView>,
    pub workspaces: Vec<WorkspaceView>,
    pub teams: Vec<TeamView>,
}

/// Whether an attempt was carried out or refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum Outcome {
    Success,
    Denied,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Denied => "denied",
        }
    }
}

/// One audit log entry, as the console and the API show it.
// The schema keeps the name clients already generate code from: AuditRow.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema), schema(as = AuditRow))]
pub struct AuditEntryView {
    pub id: i64,
    pub at: i64,
    pub actor_id: Option<String>,
    pub actor_email: Option<String>,
    pub action: String,
    pub outcome: Outcome,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub workspace: Option<String>,
    #[cfg_attr(feature = "ssr", schema(value_type = Option<Object>))]
    pub before: Option<serde_json::Value>,
    #[cfg_attr(feature = "ssr", schema(value_type = Option<Object>))]
    pub after: Option<serde_json::Value>,
    pub reason: Option<String>,
    /// The hash chain: the previous entry's hash and this one's.
    pub prev_hash: Option<String>,
    pub entry_hash: Option<String>,
}

/// A place the command palette can jump to: a user, team, workspace or role.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jump {
    /// `user`, `team`, `workspace`, `role` or `page`.
    pub kind: String,
    pub label: String,
    pub href: String,
}

/// A few of something, and how many there are in all.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Listed<T> {
    pub items: Vec<T>,
    pub total: i64,
}

/// What the dashboard asks the viewer to look at, each part only for one
/// who may read it (`None` otherwise).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Attention {
    /// Pending invitations, and how many expire within three days.
    pub invitations: Option<(i64, i64)>,
    /// Active people whom no policy reaches.
    pub users_without_access: Option<Listed<UserView>>,
    /// Disabled users whom policies still reach.
    pub disabled_with_access: Option<Listed<UserView>>,
    /// The viewer's own API tokens that expire within seven days.
    pub expiring_tokens: Vec<TokenView>,
    /// Refused attempts in the last 24 hours.
    pub refusals: Option<i64>,
    /// The latest entries of the audit log.
    pub recent: Option<Vec<AuditEntryView>>,
}

/// One page of the audit log, with the email of each user it names by id
/// (actors, targets, policy subjects), so people read emails, not UUIDs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditPage {
    pub page: Page<AuditEntryView>,
    pub emails: std::collections::BTreeMap<String, String>,
}

impl AuditEntryView {
    /// Every string in the entry that is a UUID: the ids it may name.
    pub fn mentioned_ids(&self) -> Vec<uuid::Uuid> {
        fn walk(value: &serde_json::Value, into: &mut Vec<uuid::Uuid>) {
            match value {
                serde_json::Value::String(s) => into.extend(uuid::Uuid::try_parse(s).ok()),
                serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, into)),
                serde_json::Value::Object(map) => map.values().for_each(|v| walk(v, into)),
                _ => {}
            }
        }
        let mut ids: Vec<uuid::Uuid> = [&self.actor_id, &self.target_id]
            .into_iter()
            .flatten()
            .filter_map(|s| uuid::Uuid::try_parse(s).ok())
            .collect();
        for value in [&self.before, &self.after].into_iter().flatten() {
            walk(value, &mut ids);
        }
        ids
    }
}

/// A team a user belongs to, with their role in it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MembershipView {
    pub team: TeamKey,
    pub team_role: String,
}

/// Everything the user detail page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserDetail {
    pub user: crate::domain::UserView,
    pub teams: Vec<MembershipView>,
    /// The user's own policies; `None` when the viewer may not read policies.
    pub policies: Option<Vec<PolicyListing>>,
    /// The workspace the effective permissions are for (`None`: global).
    pub workspace: Option<WorkspaceKey>,
    pub effective: Vec<EffectivePermission>,
}

/// Everything the team page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamDetail {
    pub team: TeamView,
    pub members: Vec<MemberView>,
    /// The team's policies; `None` when the viewer may not read policies.
    pub policies: Option<Vec<PolicyListing>>,
    /// Whether the viewer may rename or delete the team and name maintainers.
    pub may_manage: bool,
    /// Whether the viewer may add and remove members (`team:manage`, or a
    /// maintainer of this team).
    pub may_manage_members: bool,
}

/// A person who has access, and the policies through which they have it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonAccess {
    pub user_id: super::UserId,
    pub email: String,
    pub name: String,
    pub grants: Vec<GrantView>,
}

/// People with access, capped to a first page, with how many there are.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeopleWithAccess {
    pub people: Vec<PersonAccess>,
    pub total: usize,
}

/// Everything the workspace page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkspaceDetail {
    pub workspace: WorkspaceView,
    /// Policies scoped to this workspace; `None` when the viewer may not read them.
    pub policies: Option<Vec<PolicyListing>>,
    /// People holding some workspace permission here; `None` when the viewer
    /// may not read users.
    pub people: Option<PeopleWithAccess>,
    pub may_update: bool,
    pub may_delete: bool,
    /// Whether the viewer may grant and revoke access here.
    pub may_manage_policies: bool,
}

/// The access explorer's answer to "what may this user do here, and why".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessExplanation {
    pub user: super::UserView,
    pub workspace: Option<WorkspaceKey>,
    pub effective: Vec<EffectivePermission>,
}

/// The access explorer's answer to "who holds this permission here".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermissionHolders {
    pub permission: Permission,
    pub workspace: Option<WorkspaceKey>,
    pub holders: PeopleWithAccess,
}

/// An invitation as administrators see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct InvitationView {
    #[cfg_attr(feature = "ssr", schema(value_type = String))]
    pub id: uuid::Uuid,
    pub email: String,
    pub role: RoleKey,
    pub workspace: Option<WorkspaceKey>,
    pub team: Option<TeamKey>,
    /// `pending`, `expired`, `accepted` or `revoked`.
    pub status: String,
    pub invited_by_email: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub finished_at: Option<i64>,
    /// The last mail to the invitee: `pending` (not sent yet), `sent` or `failed`.
    pub mail_status: Option<String>,
    pub mail_error: Option<String>,
    /// The link, while its mail has not left (no SMTP, or not yet sent):
    /// the administrator may copy it. Never kept once the mail is sent.
    pub link: Option<String>,
}

/// One page of invitations.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationPage {
    pub page: Page<InvitationView>,
    /// Whether mail leaves over SMTP (else links are copied by hand).
    pub smtp_configured: bool,
}

/// What the invite link's page shows before anyone signs in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationPreview {
    pub email: String,
    pub invited_by_email: String,
    pub role: RoleKey,
    pub role_name: String,
    #[serde(default)]
    pub permissions: Vec<Permission>,
    pub workspace: Option<WorkspaceKey>,
    pub team: Option<TeamKey>,
    pub expires_at: i64,
    /// Whether an account with this email exists (then: sign in to accept).
    pub account_exists: bool,
    /// Whether someone signed in with another email may accept it.
    #[serde(default)]
    pub any_email: bool,
}

/// An API token as its owner (or a user manager) sees it: never the secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TokenView {
    #[cfg_attr(feature = "ssr", schema(value_type = String))]
    pub id: uuid::Uuid,
    pub name: String,
    /// The start of the secret (`pcs_ab12cd34`), to recognise it.
    pub prefix: String,
    /// `developer`, `endpoint` or `custom`.
    pub scope: String,
    #[cfg_attr(feature = "ssr", schema(value_type = Vec<String>))]
    pub permissions: Vec<Permission>,
    pub workspace: Option<WorkspaceKey>,
    pub created_at: i64,
    pub expires_at: i64,
    pub last_used_at: Option<i64>,
    pub last_used_address: Option<String>,
    /// `active`, `expired` or `revoked`.
    pub status: String,
}

/// A token just made: the secret is in this answer and nowhere else.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CreatedToken {
    pub token: TokenView,
    pub secret: String,
}

/// One of the signed-in user's sessions (never the session's secret id).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SessionView {
    /// A public handle: a hash of the session's id.
    pub id: String,
    pub agent: Option<String>,
    pub address: Option<String>,
    pub signed_in_at: i64,
    /// When it was last used (its inactivity timer last restarted).
    pub last_seen_at: i64,
    /// The session this request came with.
    pub current: bool,
}

/// How a member can sign in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SignInMethods {
    pub password: bool,
    pub identities: Vec<IdentityView>,
    /// Configured providers not linked yet: `(key, label)`.
    pub linkable: Vec<(String, String)>,
}

/// A linked GitHub or Google account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct IdentityView {
    pub provider: String,
    pub email: String,
    pub linked_at: i64,
}

fn first_version() -> i64 {
    1
}
