-- Users and their browser sessions. Ids are UUID text, times are milliseconds
-- since the Unix epoch (the types SQLite and Postgres share through sqlx::Any).
create table users (
    id text primary key,
    email text not null constraint users_email_key unique,
    name text not null,
    status text not null default 'active'
        constraint users_status_check check (status in ('active', 'disabled')),
    password_hash text,
    created_at bigint not null,
    last_seen_at bigint
);

create table sessions (
    id text primary key,
    user_id text constraint sessions_user_id_fkey references users (id) on delete cascade,
    data text not null,
    expires_at bigint not null
);

create index sessions_user_id_idx on sessions (user_id);
create index sessions_expires_at_idx on sessions (expires_at);
