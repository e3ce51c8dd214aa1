-- An invitation names its role as text, as the audit log does: a revoked,
-- expired or accepted invitation must not keep its role from being deleted
-- (issue 14, item 5). A pending one still does, by a check in the service
-- that answers 409 naming it.
--
-- SQLite cannot drop a constraint, so the table is rebuilt. Migrations run
-- in a transaction with foreign keys on, where dropping `invitations` would
-- cascade to the outbox: the outbox is set aside first and put back after.
create table outbox_kept as select * from outbox;
drop table outbox;

create table invitations_rebuilt (
    id text primary key,
    email text not null,
    role_key text not null,
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
insert into invitations_rebuilt (id, email, role_key, workspace_key, team_key, token_hash, status, invited_by,
    invited_by_email, created_at, expires_at, accepted_by, finished_at)
select id, email, role_key, workspace_key, team_key, token_hash, status, invited_by,
    invited_by_email, created_at, expires_at, accepted_by, finished_at from invitations;
drop table invitations;
alter table invitations_rebuilt rename to invitations;
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
insert into outbox (id, to_address, subject, body, invitation_id, status, attempts, last_error, created_at,
    next_attempt_at, sent_at)
select id, to_address, subject, body, invitation_id, status, attempts, last_error, created_at,
    next_attempt_at, sent_at from outbox_kept;
drop table outbox_kept;
create index outbox_due_idx on outbox (status, next_attempt_at);
create index outbox_invitation_id_idx on outbox (invitation_id);
