//! The authorization engine at the target size: 100,000 users, 1,000
//! workspaces, 2,000 teams and 1,000,000 policies. Prints build time, memory
//! per policy and the time to apply one change, then measures checks.
//!
//! `cargo bench -p app --bench authz`; figures go into BENCHMARKS.md.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};
use std::{alloc::System, time::Instant};

mod common;

use app::authz::{AccessIndex, Change, PolicyFact};
use app::domain::{PolicyId, RoleKey, Scope, Subject};
use common::{generate, questions, user, workspace, POLICIES, USERS, WORKSPACES};

#[global_allocator]
static ALLOCATOR: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

fn engine(c: &mut Criterion) {
    let facts = generate();

    let region = Region::new(ALLOCATOR);
    let started = Instant::now();
    let mut index = AccessIndex::build(&facts);
    let build = started.elapsed();
    let stats = region.change();
    // Reallocations already count in allocated/deallocated (by their growth).
    let bytes = stats.bytes_allocated as i64 - stats.bytes_deallocated as i64;
    println!("index build: {:.0} ms for {:?}", build.as_secs_f64() * 1000.0, index.stats());
    println!(
        "index memory: {:.1} MiB in all, {:.1} bytes per policy",
        bytes as f64 / 1048576.0,
        bytes as f64 / POLICIES as f64
    );

    let (allowed, denied) = questions(&facts, &index, 10_000);

    let mut group = c.benchmark_group("authz");
    // The same kind of questions about a few hundred users, as a service
    // asking about its active callers would: the data stays in cache.
    let hot_allowed: Vec<_> = allowed.iter().take(256).cloned().collect();
    let hot_denied: Vec<_> = denied.iter().take(256).cloned().collect();
    for (name, questions, expected) in [
        ("check_allowed", &allowed, true),
        ("check_allowed_hot", &hot_allowed, true),
        ("check_denied_hot", &hot_denied, false),
        ("check_denied", &denied, false),
    ] {
        let mut i = 0;
        group.bench_function(name, |b| {
            b.iter(|| {
                let (u, p, ws) = &questions[i % questions.len()];
                i += 1;
                assert_eq!(black_box(index.check(black_box(u), *p, ws.as_deref())), expected);
            })
        });
    }
    // The same random questions, asked 1,000 at a time (as check-batch does).
    for (name, questions, expected) in [("check_many_allowed", &allowed, true), ("check_many_denied", &denied, false)] {
        let batch: Vec<_> = questions.iter().take(1_000).map(|(u, p, ws)| (*u, *p, ws.as_deref())).collect();
        group.throughput(criterion::Throughput::Elements(batch.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| {
                let answers = index.check_many(black_box(&batch));
                assert!(answers.iter().all(|a| *a == expected));
            })
        });
    }
    group.throughput(criterion::Throughput::Elements(1));
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
