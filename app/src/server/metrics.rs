//! `/metrics`: what an operator watches, in Prometheus's text format.

use prometheus_client::{
    encoding::text::encode,
    metrics::{
        counter::Counter,
        family::Family,
        gauge::Gauge,
        histogram::{exponential_buckets, Histogram},
    },
    registry::Registry,
};
use std::sync::atomic::AtomicU64;

use crate::server::access::Access;

type Label = [(&'static str, &'static str); 1];
type HistogramFamily = Family<Label, Histogram, fn() -> Histogram>;

/// The process's counters and histograms; gauges are read at scrape time.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    /// Answers given, by `decision` (allowed, denied).
    checks: Family<Label, Counter>,
    /// Checks refused without an answer, by `reason`.
    refused: Family<Label, Counter>,
    /// Time to answer a check request, by `endpoint` (check, check_batch).
    check_seconds: HistogramFamily,
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

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("portcullis");
        let metrics = Self {
            checks: Family::default(),
            refused: Family::default(),
            check_seconds: Family::new_with_constructor(latency_histogram),
            // 100 µs … ~100 s.
            propagation_seconds: Histogram::new(exponential_buckets(0.000_1, 2.0, 20)),
            applied: Counter::default(),
            reloads: Counter::default(),
            sync_errors: Counter::default(),
            stalled_pages: Counter::default(),
            index_revision: Gauge::default(),
            database_revision: Gauge::default(),
            lag_revisions: Gauge::default(),
            staleness_seconds: Gauge::default(),
            usable: Gauge::default(),
            registry: Registry::default(),
        };
        registry.register("authz_checks", "Authorization answers given, by decision", metrics.checks.clone());
        registry.register(
            "authz_checks_refused",
            "Check requests refused without an answer (index loading or stale, revision not reached), by reason",
            metrics.refused.clone(),
        );
        registry.register(
            "authz_check_duration_seconds",
            "Time to answer a check request, by endpoint",
            metrics.check_seconds.clone(),
        );
        registry.register(
            "index_propagation_seconds",
            "Time from a change's commit (on any process) to this process's index",
            metrics.propagation_seconds.clone(),
        );
        registry.register("index_revisions_applied", "Revisions applied from the access log", metrics.applied.clone());
        registry.register("index_reloads", "Full reloads of the index after start", metrics.reloads.clone());
        registry.register(
            "sync_errors",
            "Failed attempts to read the access log or to listen",
            metrics.sync_errors.clone(),
        );
        registry.register(
            "page_renders_stalled",
            "Console page renders that did not finish in time and were done again",
            metrics.stalled_pages.clone(),
        );
        registry.register("index_revision", "The revision the index reflects", metrics.index_revision.clone());
        registry.register(
            "database_revision",
            "The newest revision seen in the database",
            metrics.database_revision.clone(),
        );
        registry.register(
            "index_lag_revisions",
            "Revisions the index is behind the database",
            metrics.lag_revisions.clone(),
        );
        registry.register(
            "index_staleness_seconds",
            "Time since the index was last confirmed in step with the database",
            metrics.staleness_seconds.clone(),
        );
        registry.register(
            "index_usable",
            "1 when checks are answered, 0 when they fail closed",
            metrics.usable.clone(),
        );
        Self { registry, ..metrics }
    }
}

impl Metrics {
    /// Counts answers.
    pub fn answered(&self, allowed: u64, denied: u64) {
        if allowed > 0 {
            self.checks.get_or_create(&[("decision", "allowed")]).inc_by(allowed);
        }
        if denied > 0 {
            self.checks.get_or_create(&[("decision", "denied")]).inc_by(denied);
        }
    }

    /// Counts a request refused for `reason` (an error code).
    pub fn refused(&self, reason: &'static str) {
        self.refused.get_or_create(&[("reason", reason)]).inc();
    }

    /// Records how long a check request took.
    pub fn check_took(&self, endpoint: &'static str, seconds: f64) {
        self.check_seconds.get_or_create(&[("endpoint", endpoint)]).observe(seconds);
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
