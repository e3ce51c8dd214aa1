//! Keeps this process's index in step with the database. At start it loads
//! the index (retrying until the database answers). Over Postgres, where
//! other processes write too, it then LISTENs for new revisions and catches
//! up from the access log on every notification, after every (re)connection,
//! whenever a check waits for a revision it lacks, and on a heartbeat that
//! also proves the index fresh (and so bounds how long a lost notification
//! could go unnoticed).

use std::time::Duration;
use tokio::sync::mpsc;

use crate::server::{
    index::Revision,
    now_ms,
    store::{access_log::CHANNEL, Backend},
    AppState,
};

/// What the listening task heard.
#[derive(Debug)]
enum Heard {
    /// Read the log: subscribed (again), so anything committed while away
    /// must be read; or an announcement whose revision was unreadable.
    CatchUp,
    /// A new revision was committed.
    Revision(Revision),
}

/// Runs until the process ends.
pub async fn run(state: AppState) {
    tokio::spawn(watch_catalog(state.clone()));
    load(&state).await;
    if state.db.backend() != Backend::Postgres {
        // One process owns an SQLite file: every change is made here.
        return;
    }
    let (heard, mut hearing) = mpsc::channel(256);
    let listening = tokio::spawn(listen(state.clone(), heard));
    let mut heartbeat = tokio::time::interval(state.config.cluster.heartbeat);
    heartbeat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut failing = false;
    loop {
        tokio::select! {
            message = hearing.recv() => match message {
                Some(Heard::Revision(revision)) if revision <= state.access.revision() => continue,
                Some(Heard::Revision(revision)) => state.access.heard_of(revision),
                Some(Heard::CatchUp) => {}
                None => break,
            },
            _ = heartbeat.tick() => {}
            () = state.access.wanted() => {}
        }
        failing = catch_up(&state, failing).await;
    }
    listening.abort();
}

/// Compares this process's catalog with the database's record on every
/// heartbeat: `catalog migrate` or a newer process may have changed it.
async fn watch_catalog(state: AppState) {
    let mut heartbeat = tokio::time::interval(state.config.cluster.heartbeat);
    heartbeat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut was: Option<String> = None;
    loop {
        heartbeat.tick().await;
        let Ok(now) = crate::server::services::catalog::mismatch(&state).await else { continue };
        if now.is_none() && state.access.catalog_mismatched() {
            // `catalog migrate` adopted this process's catalog: what it
            // rewrote (roles, tokens) is read afresh before answering.
            if let Err(error) = state.access.load(&state.db).await {
                tracing::warn!(%error, "cannot reload the index under the adopted catalog yet");
                continue;
            }
        }
        state.access.set_catalog_mismatch(now.is_some());
        if now != was {
            match &now {
                Some(why) => tracing::error!(reason = %why, "not ready: catalog_mismatch"),
                None if was.is_some() => tracing::info!("the database records this process's catalog: ready"),
                None => {}
            }
            was = now;
        }
    }
}

/// Loads the index, retrying until the database answers.
async fn load(state: &AppState) {
    let mut wait = Backoff::default();
    while !state.access.is_loaded() {
        let started = std::time::Instant::now();
        match state.access.load(&state.db).await {
            Ok(()) => tracing::info!(
                revision = state.access.revision(),
                millis = started.elapsed().as_millis() as u64,
                "authorization index loaded"
            ),
            Err(error) => {
                state.metrics.sync_failed();
                tracing::warn!(%error, "cannot load the authorization index yet; retrying");
                tokio::time::sleep(wait.next()).await;
            }
        }
    }
}

/// One catch-up, bounded in time. Returns whether it failed; failures are
/// logged when they start and when they end, not on every heartbeat.
async fn catch_up(state: &AppState, was_failing: bool) -> bool {
    let bound = state.config.cluster.heartbeat.max(Duration::from_secs(2));
    let outcome = tokio::time::timeout(bound, state.access.catch_up(&state.db)).await;
    match outcome {
        Ok(Ok(found)) => {
            state.metrics.applied(&found.applied, now_ms());
            if found.reloaded {
                state.metrics.reloaded();
            }
            if was_failing {
                tracing::info!(revision = state.access.revision(), "in step with the database again");
            }
            false
        }
        Ok(Err(error)) => {
            state.metrics.sync_failed();
            if !was_failing {
                tracing::warn!(%error, "cannot read the access log; checks are answered from the index until it is too stale");
            }
            true
        }
        Err(_) => {
            state.metrics.sync_failed();
            if !was_failing {
                tracing::warn!(
                    "the database did not answer in time; checks are answered from the index until it is too stale"
                );
            }
            true
        }
    }
}

/// Holds a LISTEN connection, reconnecting whenever it is lost.
async fn listen(state: AppState, heard: mpsc::Sender<Heard>) {
    let mut wait = Backoff::default();
    loop {
        let mut listener = match sqlx::postgres::PgListener::connect(&state.config.database_url).await {
            Ok(listener) => listener,
            Err(error) => {
                state.metrics.sync_failed();
                tracing::debug!(%error, "cannot open the notification connection");
                tokio::time::sleep(wait.next()).await;
                continue;
            }
        };
        if let Err(error) = listener.listen(CHANNEL).await {
            state.metrics.sync_failed();
            tracing::debug!(%error, "cannot LISTEN");
            tokio::time::sleep(wait.next()).await;
            continue;
        }
        wait = Backoff::default();
        if heard.send(Heard::CatchUp).await.is_err() {
            return;
        }
        loop {
            match listener.try_recv().await {
                Ok(Some(notification)) => {
                    // A payload we cannot read still means "something changed".
                    let Ok(revision) = notification.payload().parse() else {
                        if heard.send(Heard::CatchUp).await.is_err() {
                            return;
                        }
                        continue;
                    };
                    if heard.send(Heard::Revision(revision)).await.is_err() {
                        return;
                    }
                }
                Ok(None) | Err(_) => {
                    state.metrics.sync_failed();
                    tracing::warn!("lost the notification connection to the database; reconnecting");
                    break;
                }
            }
        }
    }
}

/// 100 ms, doubling, at most 5 s.
#[derive(Debug, Default)]
struct Backoff {
    attempts: u32,
}

impl Backoff {
    fn next(&mut self) -> Duration {
        let wait = Duration::from_millis(100u64 << self.attempts.min(6)).min(Duration::from_secs(5));
        self.attempts += 1;
        wait
    }
}
