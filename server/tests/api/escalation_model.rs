//! A model-based property test of the one rule: random sequences of
//! delegated operations (create and edit roles, bind policies, add and
//! remove members, invite, resend, re-invite, accept, create service
//! accounts, mint their tokens, disable and enable users) by random actors,
//! through the real services over a real database. After every step that
//! succeeded, nobody holds a permission that whoever granted it did not
//! hold, and nobody lost one that the actor could not have taken away.

use proptest::{
    prelude::*,
    test_runner::{Config, TestCaseError, TestRunner},
};

use app::{
    authz::{AccessIndex, Holder, TokenGrant, TokenScope},
    domain::{Expected, Permission, PermissionSet, RoleKey, Subject, TeamKey, UserId, WorkspaceKey},
    server::{
        caller::Actor,
        services::{
            fields::NamedInput,
            invitations::{self, InviteInput},
            people::{self, UserInput, UserPatch},
            policies::{self, NewPolicy},
            roles::{self, RoleInput},
            service_accounts, teams,
            tokens::TokenInput,
        },
        store, AppState,
    },
};

use crate::helpers::{Backend, TestApp, ADMIN_EMAIL};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_sequence_of_delegated_operations_escalates_sqlite() {
    run(Backend::Sqlite, 32).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_sequence_of_delegated_operations_escalates_postgres() {
    run(Backend::Postgres, 16).await;
}

const WORKSPACES: [&str; 2] = ["ws-a", "ws-b"];
const TEAMS: [&str; 2] = ["team-a", "team-b"];
const BUILTIN: [&str; 5] = ["admin", "developer", "auditor", "endpoint-user", "viewer"];
/// People who act: four members and the first admin (the last one).
const ACTORS: usize = 5;
/// People who are invited (they exist, so they accept signed in).
const INVITEES: [&str; 2] = ["invitee-0@example.com", "invitee-1@example.com"];

#[derive(Clone, Debug)]
enum Op {
    CreateRole { actor: usize, permissions: u32 },
    EditRole { actor: usize, role: usize, permissions: u32 },
    Bind { actor: usize, subject: usize, role: usize, scope: usize },
    AddMember { actor: usize, team: usize, user: usize, maintainer: bool },
    RemoveMember { actor: usize, team: usize, user: usize },
    Invite { actor: usize, invitee: usize, role: usize, scope: usize, team: Option<usize> },
    Resend { actor: usize, invitation: usize },
    Accept { invitation: usize },
    CreateServiceAccount { actor: usize },
    MintToken { actor: usize, account: usize, permissions: u32, scope: usize },
    SetStatus { actor: usize, user: usize, active: bool },
}

fn op() -> impl Strategy<Value = Op> {
    let actor = 0..ACTORS;
    prop_oneof![
        1 => (actor.clone(), any::<u32>()).prop_map(|(actor, permissions)| Op::CreateRole { actor, permissions }),
        1 => (actor.clone(), 0..4usize, any::<u32>())
            .prop_map(|(actor, role, permissions)| Op::EditRole { actor, role, permissions }),
        3 => (actor.clone(), 0..8usize, 0..9usize, 0..3usize)
            .prop_map(|(actor, subject, role, scope)| Op::Bind { actor, subject, role, scope }),
        2 => (actor.clone(), 0..2usize, 0..6usize, any::<bool>())
            .prop_map(|(actor, team, user, maintainer)| Op::AddMember { actor, team, user, maintainer }),
        2 => (actor.clone(), 0..2usize, 0..6usize).prop_map(|(actor, team, user)| Op::RemoveMember { actor, team, user }),
        2 => (actor.clone(), 0..2usize, 0..9usize, 0..3usize, proptest::option::of(0..2usize))
            .prop_map(|(actor, invitee, role, scope, team)| Op::Invite { actor, invitee, role, scope, team }),
        1 => (actor.clone(), 0..4usize).prop_map(|(actor, invitation)| Op::Resend { actor, invitation }),
        2 => (0..4usize).prop_map(|invitation| Op::Accept { invitation }),
        1 => (actor.clone()).prop_map(|actor| Op::CreateServiceAccount { actor }),
        2 => (actor.clone(), 0..2usize, any::<u32>(), 0..3usize)
            .prop_map(|(actor, account, permissions, scope)| Op::MintToken { actor, account, permissions, scope }),
        2 => (actor, 0..6usize, any::<bool>()).prop_map(|(actor, user, active)| Op::SetStatus { actor, user, active }),
    ]
}

fn set(bits: u32) -> PermissionSet {
    Permission::all().iter().copied().filter(|p| bits & (1 << (p.index() as u32 % 32)) != 0).collect()
}

fn workspace(scope: usize) -> Option<WorkspaceKey> {
    WORKSPACES.get(scope).map(|w| WorkspaceKey::parse(w).unwrap())
}

/// What the model remembers between steps.
struct World {
    state: AppState,
    /// Members 0..4, then the admin.
    actors: Vec<UserId>,
    invitees: Vec<UserId>,
    custom_roles: Vec<RoleKey>,
    service_accounts: Vec<UserId>,
    /// Invitations: id, token of the newest link, who vouches for it now.
    invitations: Vec<(uuid::Uuid, String, UserId)>,
    created: usize,
    exercised: std::sync::Arc<Exercised>,
}

impl World {
    async fn row(&self, id: UserId) -> Actor {
        let mut conn = self.state.db.read().await.unwrap();
        Actor::user(store::users::find_by_id(&mut conn, id).await.unwrap().unwrap())
    }

    fn role(&self, n: usize) -> RoleKey {
        match BUILTIN.get(n) {
            Some(key) => RoleKey::parse(key).unwrap(),
            None => {
                self.custom_roles.get(n - BUILTIN.len()).cloned().unwrap_or_else(|| RoleKey::parse("viewer").unwrap())
            }
        }
    }

    /// Every person whose access the rule protects.
    fn people(&self) -> Vec<UserId> {
        self.actors.iter().chain(&self.invitees).chain(&self.service_accounts).copied().collect()
    }
}

async fn setup(backend: Backend, exercised: std::sync::Arc<Exercised>) -> (TestApp, World) {
    let app = TestApp::spawn(backend).await;
    let state = app.state.clone();
    let admin = {
        let mut conn = state.db.read().await.unwrap();
        let email = app::domain::Email::parse(ADMIN_EMAIL).unwrap();
        Actor::user(store::users::find_by_email(&mut conn, &email).await.unwrap().unwrap())
    };
    for key in WORKSPACES {
        let input =
            NamedInput { key: Some(key.into()), name: Some(key.into()), description: None, ..NamedInput::default() };
        app::server::services::workspaces::create(&state, &admin, input).await.unwrap();
    }
    for key in TEAMS {
        let input =
            NamedInput { key: Some(key.into()), name: Some(key.into()), description: None, ..NamedInput::default() };
        teams::create(&state, &admin, input).await.unwrap();
    }
    let mut actors = Vec::new();
    for n in 0..ACTORS - 1 {
        let input = UserInput {
            email: Some(format!("member-{n}@example.com")),
            name: Some(format!("M{n}")),
            password: None,
            grants: Vec::new(),
        };
        actors.push(people::create(&state, &admin, input).await.unwrap().value.id);
    }
    actors.push(admin.id);
    let mut invitees = Vec::new();
    for email in INVITEES {
        let input =
            UserInput { email: Some(email.into()), name: Some("Invitee".into()), password: None, grants: Vec::new() };
        invitees.push(people::create(&state, &admin, input).await.unwrap().value.id);
    }
    let world = World {
        state,
        actors,
        invitees,
        custom_roles: Vec::new(),
        service_accounts: Vec::new(),
        invitations: Vec::new(),
        created: 0,
        exercised,
    };
    (app, world)
}

/// Gives the members a random start, as the admin: some delegated powers
/// (each a built-in role, or one of the management permissions) somewhere.
async fn seed(world: &mut World, grants: &[(usize, u32, usize)]) {
    let admin = world.row(world.actors[ACTORS - 1]).await;
    for (n, (member, bits, scope)) in grants.iter().enumerate() {
        // Management permissions weigh more, so delegation is exercised.
        let managing = [
            Permission::PolicyManage,
            Permission::RoleManage,
            Permission::TeamManage,
            Permission::InviteManage,
            Permission::UserManage,
            Permission::UserRead,
        ];
        let mut permissions: PermissionSet =
            managing.iter().copied().filter(|p| bits & (1 << (p.index() as u32 % 32)) != 0).collect();
        permissions = permissions.union(set(bits.rotate_left(7) & bits.rotate_left(13)));
        let key = format!("seed-{n}");
        let input = RoleInput {
            key: Some(key.clone()),
            name: Some(key.clone()),
            description: None,
            permissions: Some(permissions.iter().map(|p| p.key().to_owned()).collect()),
            ..RoleInput::default()
        };
        roles::create(&world.state, &admin, input).await.unwrap();
        let new = NewPolicy {
            subject: Subject::User(world.actors[*member % (ACTORS - 1)]).into(),
            role: RoleKey::parse(&key).unwrap(),
            workspace: workspace(*scope),
        };
        let _ = policies::create(&world.state, &admin, new).await;
    }
}

/// How much the run exercised: steps that succeeded, permissions gained and
/// lost through them, tokens minted, invitations accepted.
#[derive(Default)]
struct Exercised {
    succeeded: std::sync::atomic::AtomicUsize,
    gained: std::sync::atomic::AtomicUsize,
    lost: std::sync::atomic::AtomicUsize,
    refused: std::sync::atomic::AtomicUsize,
}

fn count(counter: &std::sync::atomic::AtomicUsize, n: usize) {
    counter.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
}

fn scopes() -> [Option<&'static str>; 3] {
    [None, Some(WORKSPACES[0]), Some(WORKSPACES[1])]
}

/// Everyone gained only what `granter` held before, and lost only what
/// `actor` could take away.
fn check_step(
    world: &World,
    before: &AccessIndex,
    after: &AccessIndex,
    granter: UserId,
    actor: UserId,
    step: &Op,
) -> Result<(), TestCaseError> {
    for person in world.people() {
        for scope in scopes() {
            for p in Permission::all().iter().copied() {
                let (had, has) = (before.check(&person, p, scope), after.check(&person, p, scope));
                if has && !had {
                    count(&world.exercised.gained, 1);
                    prop_assert!(
                        before.check(&granter, p, scope),
                        "{step:?}: {person} gained {p} {scope:?}, which the granter {granter} did not hold"
                    );
                }
                if had && !has {
                    count(&world.exercised.lost, 1);
                    prop_assert!(
                        before.check(&actor, p, scope) || before.check(&actor, Permission::PolicyManage, scope),
                        "{step:?}: {person} lost {p} {scope:?}, which {actor} could not have taken away"
                    );
                }
            }
        }
    }
    Ok(())
}

async fn step(world: &mut World, op: &Op) -> Result<(), TestCaseError> {
    let before = world.state.access.read().clone();
    let index = |w: &World| w.state.access.read().clone();
    let actors = world.actors.clone();
    let actor_id = |n: usize| actors[n];
    let done = match op {
        Op::CreateRole { actor, permissions } => {
            world.created += 1;
            let key = format!("model-{}", world.created);
            let input = RoleInput {
                key: Some(key.clone()),
                name: Some(key.clone()),
                description: None,
                permissions: Some(set(*permissions).iter().map(|p| p.key().to_owned()).collect()),
                ..RoleInput::default()
            };
            let ok = roles::create(&world.state, &world.row(actor_id(*actor)).await, input).await.is_ok();
            if ok {
                world.custom_roles.push(RoleKey::parse(&key).unwrap());
            }
            ok.then_some(actor_id(*actor))
        }
        Op::EditRole { actor, role, permissions } => match world.custom_roles.get(*role).cloned() {
            None => None,
            Some(key) => {
                let input = RoleInput {
                    permissions: Some(set(*permissions).iter().map(|p| p.key().to_owned()).collect()),
                    ..RoleInput::default()
                };
                let actor_row = world.row(actor_id(*actor)).await;
                roles::update(&world.state, &actor_row, key.as_str(), input).await.ok().map(|_| actor_id(*actor))
            }
        },
        Op::Bind { actor, subject, role, scope } => {
            let people = world.people();
            let subject = match *subject {
                n if n < 2 => Subject::Team(TeamKey::parse(TEAMS[n]).unwrap()),
                n => match people.get(n - 2) {
                    Some(user) => Subject::User(*user),
                    None => return Ok(()),
                },
            };
            let new = NewPolicy { subject: subject.into(), role: world.role(*role), workspace: workspace(*scope) };
            let actor_row = world.row(actor_id(*actor)).await;
            policies::create(&world.state, &actor_row, new).await.ok().map(|_| actor_id(*actor))
        }
        Op::AddMember { actor, team, user, maintainer } => {
            let people = world.people();
            let Some(user) = people.get(*user).copied() else { return Ok(()) };
            let role = if *maintainer { "maintainer" } else { "member" };
            let actor_row = world.row(actor_id(*actor)).await;
            teams::put_member(&world.state, &actor_row, TEAMS[*team], user, role, &Expected::Any)
                .await
                .ok()
                .map(|_| actor_id(*actor))
        }
        Op::RemoveMember { actor, team, user } => {
            let people = world.people();
            let Some(user) = people.get(*user).copied() else { return Ok(()) };
            let actor_row = world.row(actor_id(*actor)).await;
            teams::remove_member(&world.state, &actor_row, TEAMS[*team], user, &Expected::Any)
                .await
                .ok()
                .map(|_| actor_id(*actor))
        }
        Op::Invite { actor, invitee, role, scope, team } => {
            let input = InviteInput {
                emails: INVITEES[*invitee].to_owned(),
                role: world.role(*role).to_string(),
                workspace: workspace(*scope).map(|w| w.to_string()),
                team: team.map(|t| TEAMS[t].to_owned()),
            };
            let actor_row = world.row(actor_id(*actor)).await;
            if let Ok(views) = invitations::invite(&world.state, &actor_row, input).await {
                for view in views {
                    let token = view.link.expect("the inviter sees the link").rsplit('/').next().unwrap().to_owned();
                    match world.invitations.iter_mut().find(|(id, _, _)| *id == view.id) {
                        Some(known) => *known = (view.id, token, actor_id(*actor)),
                        None => world.invitations.push((view.id, token, actor_id(*actor))),
                    }
                }
            }
            // Inviting confers nothing until accepted.
            Some(actor_id(*actor))
        }
        Op::Resend { actor, invitation } => {
            if let Some((id, _, _)) = world.invitations.get(*invitation).cloned() {
                let actor_row = world.row(actor_id(*actor)).await;
                if let Ok(view) = invitations::resend(&world.state, &actor_row, id).await {
                    let token = view.link.expect("the resender sees the link").rsplit('/').next().unwrap().to_owned();
                    world.invitations[*invitation] = (id, token, actor_id(*actor));
                }
            }
            Some(actor_id(*actor))
        }
        Op::Accept { invitation } => match world.invitations.get(*invitation).cloned() {
            None => None,
            Some((id, token, inviter)) => {
                let invitation_row = {
                    let mut conn = world.state.db.read().await.unwrap();
                    store::invitations::find(&mut conn, id).await.unwrap().unwrap()
                };
                let invitee =
                    world.invitees[INVITEES.iter().position(|e| *e == invitation_row.email.as_str()).unwrap()];
                let invitee_row = world.row(invitee).await;
                // The granter is whoever vouches for the invitation now.
                invitations::accept_signed_in(&world.state, &invitee_row, &token).await.ok().map(|_| inviter)
            }
        },
        Op::CreateServiceAccount { actor } => {
            world.created += 1;
            let actor_row = world.row(actor_id(*actor)).await;
            let key = format!("robot-{}", world.created);
            if let Ok(view) = service_accounts::create(&world.state, &actor_row, &key, "Robot").await {
                world.service_accounts.push(view.value.id);
            }
            Some(actor_id(*actor))
        }
        Op::MintToken { actor, account, permissions, scope } => {
            let Some(account) = world.service_accounts.get(*account).copied() else { return Ok(()) };
            let input = TokenInput {
                name: "model".into(),
                scope: "custom".into(),
                permissions: set(*permissions).iter().map(|p| p.key().to_owned()).collect(),
                workspace: workspace(*scope).map(|w| w.to_string()),
                expires_in_days: Some(1),
            };
            let actor_row = world.row(actor_id(*actor)).await;
            if service_accounts::create_token(&world.state, &actor_row, account, input.clone()).await.is_ok() {
                // Whoever holds the secret may do what the token confers:
                // never more than its maker held.
                let grant = TokenGrant {
                    permissions: TokenScope::Custom.permissions(set(*permissions)),
                    workspace: workspace(*scope),
                };
                let maker = Holder { user: &world.actors[*actor], token: None };
                let conferred = grant.narrow(&index(world).bindings_of_user(&account));
                prop_assert!(
                    app::authz::beyond(&before, maker, &conferred).is_empty(),
                    "{op:?}: the token confers {conferred:?} beyond its maker"
                );
            }
            Some(actor_id(*actor))
        }
        Op::SetStatus { actor, user, active } => {
            let people = world.people();
            let Some(user) = people.get(*user).copied() else { return Ok(()) };
            let patch =
                UserPatch { status: Some(if *active { "active" } else { "disabled" }.into()), ..UserPatch::default() };
            let actor_row = world.row(actor_id(*actor)).await;
            people::update(&world.state, &actor_row, user, patch).await.ok().map(|_| actor_id(*actor))
        }
    };
    let Some(granter) = done else {
        count(&world.exercised.refused, 1);
        return Ok(());
    };
    count(&world.exercised.succeeded, 1);
    let actor = match op {
        Op::Accept { .. } => granter,
        Op::CreateRole { actor, .. }
        | Op::EditRole { actor, .. }
        | Op::Bind { actor, .. }
        | Op::AddMember { actor, .. }
        | Op::RemoveMember { actor, .. }
        | Op::Invite { actor, .. }
        | Op::Resend { actor, .. }
        | Op::CreateServiceAccount { actor }
        | Op::MintToken { actor, .. }
        | Op::SetStatus { actor, .. } => world.actors[*actor],
    };
    let after = index(world);
    check_step(world, &before, &after, granter, actor, op)
}

async fn run(backend: Backend, cases: u32) {
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    let strategy =
        (proptest::collection::vec((0..4usize, any::<u32>(), 0..3usize), 1..6), proptest::collection::vec(op(), 1..30));
    let handle = tokio::runtime::Handle::current();
    let exercised = std::sync::Arc::new(Exercised::default());
    let result = runner.run(&strategy, |(grants, ops)| {
        tokio::task::block_in_place(|| {
            handle.block_on(async {
                let (_app, mut world) = setup(backend, exercised.clone()).await;
                seed(&mut world, &grants).await;
                for op in &ops {
                    step(&mut world, op).await?;
                }
                Ok(())
            })
        })
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
    // The run must have done something worth checking.
    let read = |c: &std::sync::atomic::AtomicUsize| c.load(std::sync::atomic::Ordering::Relaxed);
    let (succeeded, gained, lost, refused) =
        (read(&exercised.succeeded), read(&exercised.gained), read(&exercised.lost), read(&exercised.refused));
    eprintln!("{backend:?}: {succeeded} steps succeeded, {refused} refused; {gained} permissions gained, {lost} lost");
    assert!(succeeded > 0 && refused > 0 && gained + lost > 0, "the model exercised nothing");
}
