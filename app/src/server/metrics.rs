//! `/metrics`: what an operator watches, in Prometheus's text format.

use prometheus_client::{
    encoding::text::encode,
    metrics::{
        counter::Counter,
        family::Family,
        gauge::Gauge,
        histogram::{exponential_buckets, Histogram},
    },
    registry::{Metric, Registry},
};
use std::sync::atomic::AtomicU64;

use crate::server::index::Access;

type Label = [(&'static str, &'static str); 1];
type HistogramFamily = Family<Label, Histogram, fn() -> Histogram>;

/// Which check endpoint answered.
#[derive(Clone, Copy, Debug)]
pub enum CheckEndpoint {
    Check,
    Batch,
    /// `/authz/forward`, a gateway's subrequest.
    Forward,
}

/// The process's counters and histograms; gauges are read at scrape time.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    /// Answers given, allowed and denied (the `decision` label), resolved
    /// once: the check path only bumps them.
    allowed: Counter,
    denied: Counter,
    /// Checks refused without an answer, by `reason`.
    refused: Family<Label, Counter>,
    /// Time to answer `/authz/check`, `/authz/check-batch` and `/authz/forward` (the
    /// `endpoint` label), resolved once too.
    check_seconds: Histogram,
    batch_seconds: Histogram,
    forward_seconds: Histogram,
    /// From another process's commit to this process's index.
    propagation_seconds: Histogram,
    /// Revisions applied from the log (other processes' changes).
    applied: Counter,
    /// Full reloads of the index after start.
    reloads: Counter,
    /// Failed attempts to reach the database from the sync task.
    sync_errors: Counter,
    /// Page renders that stalled and were done again.
    stalled_pages: Counter,
    index_revision: Gauge,
    database_revision: Gauge,
    lag_revisions: Gauge,
    staleness_seconds: Gauge<f64, AtomicU64>,
    usable: Gauge,
}

fn latency_histogram() -> Histogram {
    // 10 µs … ~5 s.
    Histogram::new(exponential_buckets(0.000_01, 2.0, 20))
}

/// Registers `metric` under `name` and hands it back, to be kept.
fn registered<M: Metric + Clone>(registry: &mut Registry, name: &str, help: &str, metric: M) -> M {
    registry.register(name, help, metric.clone());
    metric
}

impl Default for Metrics {
    fn default() -> Self {
        let mut r = Registry::with_prefix("portcullis");
        let decisions: Family<Label, Counter> =
            registered(&mut r, "authz_checks", "Authorization answers given, by decision", Family::default());
        let endpoints: HistogramFamily = registered(
            &mut r,
            "authz_check_duration_seconds",
            "Time to answer a check request, by endpoint",
            Family::new_with_constructor(latency_histogram),
        );
        let allowed = decisions.get_or_create(&[("decision", "allowed")]).clone();
        let denied = decisions.get_or_create(&[("decision", "denied")]).clone();
        let check_seconds = endpoints.get_or_create(&[("endpoint", "check")]).clone();
        let batch_seconds = endpoints.get_or_create(&[("endpoint", "check_batch")]).clone();
        let forward_seconds = endpoints.get_or_create(&[("endpoint", "forward")]).clone();
        Self {
            allowed,
            denied,
            check_seconds,
            batch_seconds,
            forward_seconds,
            refused: registered(
                &mut r,
                "authz_checks_refused",
                "Check requests refused without an answer (index loading or stale, revision not reached), by reason",
                Family::default(),
            ),
            propagation_seconds: registered(
                &mut r,
                "index_propagation_seconds",
                "Time from a change's commit (on any process) to this process's index",
                // 100 µs … ~100 s.
                Histogram::new(exponential_buckets(0.000_1, 2.0, 20)),
            ),
            applied: registered(
                &mut r,
                "index_revisions_applied",
                "Revisions applied from the access log",
                Counter::default(),
            ),
            reloads: registered(&mut r, "index_reloads", "Full reloads of the index after start", Counter::default()),
            sync_errors: registered(
                &mut r,
                "sync_errors",
                "Failed attempts to read the access log or to listen",
                Counter::default(),
            ),
            stalled_pages: registered(
                &mut r,
                "page_renders_stalled",
                "Console page renders that did not finish in time and were done again",
                Counter::default(),
            ),
            index_revision: registered(&mut r, "index_revision", "The revision the index reflects", Gauge::default()),
            database_revision: registered(
                &mut r,
                "database_revision",
                "The newest revision seen in the database",
                Gauge::default(),
            ),
            lag_revisions: registered(
                &mut r,
                "index_lag_revisions",
                "Revisions the index is behind the database",
                Gauge::default(),
            ),
            staleness_seconds: registered(
                &mut r,
                "index_staleness_seconds",
                "Time since the index was last confirmed in step with the database",
                Gauge::default(),
            ),
            usable: registered(
                &mut r,
                "index_usable",
                "1 when checks are answered, 0 when they fail closed",
                Gauge::default(),
            ),
            registry: r,
        }
    }
}

impl Metrics {
    /// Counts answers.
    pub fn answered(&self, allowed: u64, denied: u64) {
        self.allowed.inc_by(allowed);
        self.denied.inc_by(denied);
    }

    /// Counts a request refused for `reason` (an error code).
    pub fn refused(&self, reason: &'static str) {
        self.refused.get_or_create(&[("reason", reason)]).inc();
    }

    /// Records how long a check request took.
    pub fn check_took(&self, endpoint: CheckEndpoint, seconds: f64) {
        match endpoint {
            CheckEndpoint::Check => self.check_seconds.observe(seconds),
            CheckEndpoint::Forward => self.forward_seconds.observe(seconds),
            CheckEndpoint::Batch => self.batch_seconds.observe(seconds),
        }
    }

    /// Records revisions applied from the log, with their commit times (ms).
    pub fn applied(&self, revisions: &[(i64, i64)], now_ms: i64) {
        for (_, committed_at) in revisions {
            self.propagation_seconds.observe((now_ms - committed_at).max(0) as f64 / 1000.0);
        }
        self.applied.inc_by(revisions.len() as u64);
    }

    pub fn reloaded(&self) {
        self.reloads.inc();
    }

    pub fn sync_failed(&self) {
        self.sync_errors.inc();
    }

    pub fn page_stalled(&self) {
        self.stalled_pages.inc();
    }

    /// The text a Prometheus scrape receives.
    pub fn render(&self, access: &Access) -> String {
        let revision = access.revision();
        let database = access.database_revision();
        self.index_revision.set(revision);
        self.database_revision.set(database);
        self.lag_revisions.set((database - revision).max(0));
        self.staleness_seconds.set(access.staleness().as_secs_f64());
        self.usable.set(i64::from(access.usable().is_ok()));
        let mut text = String::new();
        if let Err(error) = encode(&mut text, &self.registry) {
            tracing::error!(%error, "cannot encode the metrics");
        }
        text
    }
}
