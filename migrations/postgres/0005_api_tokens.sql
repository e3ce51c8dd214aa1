-- Personal API tokens. The secret is shown once; only its SHA-256 is kept,
-- with a short prefix to recognise the token in lists.
create table api_tokens (
    id text primary key,
    user_id text not null constraint api_tokens_user_id_fkey references users (id) on delete cascade,
    name text not null,
    prefix text not null,
    secret_hash text not null constraint api_tokens_secret_hash_key unique,
    scope text not null constraint api_tokens_scope_check check (scope in ('developer', 'endpoint', 'custom')),
    -- For the custom scope: space-separated permission keys.
    permissions text not null default '',
    workspace_key text constraint api_tokens_workspace_key_fkey references workspaces (key) on delete cascade,
    created_at bigint not null,
    expires_at bigint not null,
    last_used_at bigint,
    last_used_address text,
    revoked_at bigint
);

create index api_tokens_user_id_idx on api_tokens (user_id);
