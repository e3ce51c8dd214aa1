-- The permission catalog is chosen at start-up (issue 17): token scopes are
-- the catalog's, so their list is no longer fixed here, and the database
-- records the catalog it runs, which every process compares with its own.
--
-- SQLite cannot drop a check constraint: api_tokens is rebuilt (nothing
-- references it).
create table api_tokens_rebuilt (
    id text primary key,
    user_id text not null constraint api_tokens_user_id_fkey references users (id) on delete cascade,
    name text not null,
    prefix text not null,
    secret_hash text not null constraint api_tokens_secret_hash_key unique,
    -- `custom` or a token scope of the catalog.
    scope text not null,
    -- For the custom scope: space-separated permission keys.
    permissions text not null default '',
    workspace_key text constraint api_tokens_workspace_key_fkey references workspaces (key) on delete cascade,
    created_at bigint not null,
    expires_at bigint not null,
    last_used_at bigint,
    last_used_address text,
    revoked_at bigint
);
insert into api_tokens_rebuilt (id, user_id, name, prefix, secret_hash, scope, permissions, workspace_key,
    created_at, expires_at, last_used_at, last_used_address, revoked_at)
select id, user_id, name, prefix, secret_hash, scope, permissions, workspace_key,
    created_at, expires_at, last_used_at, last_used_address, revoked_at from api_tokens;
drop table api_tokens;
alter table api_tokens_rebuilt rename to api_tokens;
create index api_tokens_user_id_idx on api_tokens (user_id);

-- One row: the catalog this installation runs (its JSON, and a hash of it).
create table installed_catalog (
    id bigint primary key constraint installed_catalog_one_row check (id = 1),
    name text not null,
    fingerprint text not null,
    catalog text not null,
    installed_at bigint not null
);
