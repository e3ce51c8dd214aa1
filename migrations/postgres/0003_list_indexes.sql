-- The audit log is filtered by actor email in the console; without an index
-- a rare actor means reading the whole log.
create index audit_log_actor_email_idx on audit_log (actor_email);

-- The Users page sorts by name or by creation, paging by key: these let a
-- page read 25 rows instead of sorting every user.
create index users_name_email_idx on users (name, email);
create index users_created_at_email_idx on users (created_at, email);
