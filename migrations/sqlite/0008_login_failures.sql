-- Failed sign-ins, so the lockout holds across server processes and
-- restarts. Rows older than the lockout window are deleted as new ones come.
create table login_failures (
    key text not null,
    failed_at bigint not null
);
create index login_failures_key on login_failures (key, failed_at);
create index login_failures_age on login_failures (failed_at);
