//! Session lifetimes (issue 14, item 7): the idle timeout restarts on use,
//! written at most once a minute, and an absolute maximum ends a session
//! however busy it is. Hours pass on the server's clock, not the test's.

use reqwest::StatusCode;
use std::time::Duration;

use crate::backend_tests;
use crate::helpers::{Backend, TestApp};

backend_tests!(sessions_end_when_idle_or_too_old_and_their_use_is_written_once_a_minute);

const MINUTE: Duration = Duration::from_secs(60);

async fn sessions_end_when_idle_or_too_old_and_their_use_is_written_once_a_minute(backend: Backend) {
    let app = TestApp::spawn_with(
        backend,
        &[("PORTCULLIS_SESSION_LIFETIME", "1h"), ("PORTCULLIS_SESSION_MAX_LIFETIME", "3h")],
    )
    .await;
    app.login_admin().await;
    let me = || async { app.client.get(app.url("/api/v1/me")).send().await.unwrap().status() };
    let stored = || async {
        sqlx::query_scalar::<_, i64>("select max(expires_at) from sessions where user_id is not null")
            .fetch_one(app.state.db.pool())
            .await
            .unwrap()
    };
    assert_eq!(me().await, StatusCode::OK);
    let first = stored().await;

    // Used again within the minute: nothing is written.
    app.state.clock.advance(MINUTE / 2);
    assert_eq!(me().await, StatusCode::OK);
    assert_eq!(stored().await, first, "not rewritten within a minute");

    // Used every 40 minutes: 80 minutes after signing in with a one-hour
    // idle timeout, still signed in, and the stored expiry moved.
    app.state.clock.advance(40 * MINUTE);
    assert_eq!(me().await, StatusCode::OK);
    assert!(stored().await > first, "the expiry moves with use");
    for _ in 0..3 {
        app.state.clock.advance(40 * MINUTE);
        assert_eq!(me().await, StatusCode::OK);
    }
    // 160 minutes in; past three hours the session ends, however busy.
    app.state.clock.advance(25 * MINUTE);
    assert_eq!(me().await, StatusCode::UNAUTHORIZED, "the absolute maximum");
    assert_eq!(
        sqlx::query_scalar::<_, i64>("select count(*) from sessions where user_id is not null")
            .fetch_one(app.state.db.pool())
            .await
            .unwrap(),
        0,
        "the ended session is deleted"
    );

    // A new sign-in, then an hour and a minute without use.
    app.login_admin().await;
    assert_eq!(me().await, StatusCode::OK);
    app.state.clock.advance(61 * MINUTE);
    assert_eq!(me().await, StatusCode::UNAUTHORIZED, "the idle timeout");
}
