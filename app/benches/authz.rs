//! The authorization engine at the target size: 100,000 users, 1,000
//! workspaces, 2,000 teams and 1,000,000 policies. Prints build time, memory
//! per policy and the time to apply one change, then measures checks.
//!
//! `cargo bench -p app --bench authz`; figures go into BENCHMARKS.md.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};
use std::{alloc::System, time::Instant};

use app::authz::{AccessIndex, Change, Facts, PolicyFact};
use app::domain::{
    BuiltinRole, Permission, PermissionSet, PolicyId, RoleKey, Scope, Subject, TeamKey, UserId, WorkspaceKey,
};

#[global_allocator]
static ALLOCATOR: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const USERS: u64 = 100_000;
const TEAMS: u64 = 2_000;
const WORKSPACES: u64 = 1_000;
const POLICIES: u64 = 1_000_000;
const CUSTOM_ROLES: u64 = 20;

/// A small deterministic generator (SplitMix64), so every run sees the same data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn user(i: u64) -> UserId {
    UserId(uuid::Uuid::from_u64_pair(0x5eed, i))
}
fn team(i: u64) -> TeamKey {
    TeamKey::parse(&format!("team-{i}")).unwrap()
}
fn workspace(i: u64) -> WorkspaceKey {
    WorkspaceKey::parse(&format!("workspace-{i}")).unwrap()
}

/// The data set: each user in two teams; 90% of policies bind a user in a
/// workspace, 9% a team in a workspace, 1% a user globally.
pub fn generate() -> Facts {
    let mut rng = Rng(42);
    let mut roles: Vec<(RoleKey, PermissionSet)> =
        BuiltinRole::ALL.iter().map(|r| (RoleKey::parse(r.key()).unwrap(), r.permissions())).collect();
    for i in 0..CUSTOM_ROLES {
        let perms: PermissionSet = Permission::ALL.iter().copied().filter(|_| rng.below(3) == 0).collect();
        roles.push((RoleKey::parse(&format!("custom-{i}")).unwrap(), perms));
    }
    let users = (0..USERS).map(|i| (user(i), i % 50 != 0)).collect();
    let memberships =
        (0..USERS).flat_map(|i| [(team(i % TEAMS), user(i)), (team((i * 7 + 3) % TEAMS), user(i))]).collect();
    let policies = (0..POLICIES)
        .map(|i| {
            let role = roles[rng.below(roles.len() as u64) as usize].0.clone();
            let kind = rng.below(100);
            let (subject, scope) = if kind < 90 {
                (Subject::User(user(rng.below(USERS))), Scope::Workspace(workspace(rng.below(WORKSPACES))))
            } else if kind < 99 {
                (Subject::Team(team(rng.below(TEAMS))), Scope::Workspace(workspace(rng.below(WORKSPACES))))
            } else {
                (Subject::User(user(rng.below(USERS))), Scope::Global)
            };
            PolicyFact { id: PolicyId(i as i64 + 1), subject, role, scope }
        })
        .collect();
    Facts { users, roles, memberships, policies }
}

fn engine(c: &mut Criterion) {
    let facts = generate();

    let region = Region::new(ALLOCATOR);
    let started = Instant::now();
    let mut index = AccessIndex::build(&facts);
    let build = started.elapsed();
    let stats = region.change();
    let bytes = stats.bytes_allocated as i64 - stats.bytes_deallocated as i64 + stats.bytes_reallocated as i64;
    println!("index build: {:.0} ms for {:?}", build.as_secs_f64() * 1000.0, index.stats());
    println!(
        "index memory: {:.1} MiB in all, {:.1} bytes per policy",
        bytes as f64 / 1048576.0,
        bytes as f64 / POLICIES as f64
    );

    // Questions: allowed ones come from real policies, denied ones are random.
    let mut rng = Rng(7);
    let mut allowed = Vec::new();
    while allowed.len() < 10_000 {
        let policy = &facts.policies[rng.below(POLICIES) as usize];
        let Subject::User(u) = policy.subject else { continue };
        let Some(p) = facts.roles.iter().find(|(k, _)| *k == policy.role).and_then(|(_, perms)| perms.iter().next())
        else {
            continue;
        };
        let ws = policy.scope.workspace().map(|w| w.to_string());
        if index.check(&u, p, ws.as_deref()) {
            allowed.push((u, p, ws));
        }
    }
    let mut denied = Vec::new();
    while denied.len() < 10_000 {
        let u = user(rng.below(USERS));
        let p = Permission::ALL[rng.below(Permission::ALL.len() as u64) as usize];
        let ws = Some(workspace(rng.below(WORKSPACES)).to_string());
        if !index.check(&u, p, ws.as_deref()) {
            denied.push((u, p, ws));
        }
    }

    let mut group = c.benchmark_group("authz");
    let mut i = 0;
    group.bench_function("check_allowed", |b| {
        b.iter(|| {
            let (u, p, ws) = &allowed[i % allowed.len()];
            i += 1;
            assert!(black_box(index.check(black_box(u), *p, ws.as_deref())));
        })
    });
    // The same kind of questions about a few hundred users, as a service
    // asking about its active callers would: the data stays in cache.
    let hot_allowed: Vec<_> = allowed.iter().take(256).cloned().collect();
    let mut i = 0;
    group.bench_function("check_allowed_hot", |b| {
        b.iter(|| {
            let (u, p, ws) = &hot_allowed[i % hot_allowed.len()];
            i += 1;
            assert!(black_box(index.check(black_box(u), *p, ws.as_deref())));
        })
    });
    let hot_denied: Vec<_> = denied.iter().take(256).cloned().collect();
    let mut i = 0;
    group.bench_function("check_denied_hot", |b| {
        b.iter(|| {
            let (u, p, ws) = &hot_denied[i % hot_denied.len()];
            i += 1;
            assert!(!black_box(index.check(black_box(u), *p, ws.as_deref())));
        })
    });
    let mut i = 0;
    group.bench_function("check_denied", |b| {
        b.iter(|| {
            let (u, p, ws) = &denied[i % denied.len()];
            i += 1;
            assert!(!black_box(index.check(black_box(u), *p, ws.as_deref())));
        })
    });
    let mut next_id = POLICIES as i64 + 1;
    let developer = RoleKey::parse("developer").unwrap();
    group.bench_function("apply_policy_added_then_removed", |b| {
        b.iter(|| {
            let policy = PolicyFact {
                id: PolicyId(next_id),
                subject: Subject::User(user(next_id as u64 % USERS)),
                role: developer.clone(),
                scope: Scope::Workspace(workspace(next_id as u64 % WORKSPACES)),
            };
            next_id += 1;
            index.apply(Change::PolicyAdded(policy.clone()));
            index.apply(Change::PolicyRemoved(policy));
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(50).measurement_time(std::time::Duration::from_secs(3));
    targets = engine
}
criterion_main!(benches);
