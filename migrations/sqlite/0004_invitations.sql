-- Invitations, the mail outbox, and sign-in identities (Google, GitHub).
-- An invitation keeps only a hash of its token; its link lives in the
-- outbox until the mail is sent (so an administrator without SMTP can copy it).
create table invitations (
    id text primary key,
    email text not null,
    role_key text not null constraint invitations_role_key_fkey references roles (key),
    workspace_key text constraint invitations_workspace_key_fkey references workspaces (key) on delete cascade,
    team_key text constraint invitations_team_key_fkey references teams (key) on delete cascade,
    token_hash text not null constraint invitations_token_hash_key unique,
    -- 'expired' is not stored: a pending invitation past expires_at is expired.
    status text not null
        constraint invitations_status_check check (status in ('pending', 'accepted', 'revoked')),
    invited_by text constraint invitations_invited_by_fkey references users (id) on delete set null,
    invited_by_email text not null,
    created_at bigint not null,
    expires_at bigint not null,
    accepted_by text constraint invitations_accepted_by_fkey references users (id) on delete set null,
    finished_at bigint
);

-- At most one pending invitation per email: inviting again resends it.
create unique index invitations_pending_email_key on invitations (email) where status = 'pending';
create index invitations_created_at_idx on invitations (created_at, id);

create table outbox (
    id integer primary key autoincrement,
    to_address text not null,
    subject text not null,
    body text not null,
    invitation_id text constraint outbox_invitation_id_fkey references invitations (id) on delete cascade,
    status text not null constraint outbox_status_check check (status in ('pending', 'sent', 'failed')),
    attempts bigint not null default 0,
    last_error text,
    created_at bigint not null,
    next_attempt_at bigint not null,
    sent_at bigint
);

create index outbox_due_idx on outbox (status, next_attempt_at);
create index outbox_invitation_id_idx on outbox (invitation_id);

create table identities (
    provider text not null,
    subject text not null,
    user_id text not null constraint identities_user_id_fkey references users (id) on delete cascade,
    email text not null,
    created_at bigint not null,
    constraint identities_pkey primary key (provider, subject)
);

create index identities_user_id_idx on identities (user_id);
