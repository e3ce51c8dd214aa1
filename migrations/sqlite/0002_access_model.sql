-- The access model: roles, teams, workspaces, policies, and the audit log.
-- Built-in roles are seeded here; their permissions come from the code, so a
-- permission added later reaches `admin` without a migration.
create table roles (
    key text primary key,
    name text not null,
    description text not null default '',
    -- Space-separated permission keys (custom roles only).
    permissions text not null default '',
    builtin bigint not null default 0,
    created_at bigint not null
);

insert into roles (key, name, description, builtin, created_at) values
    ('admin', 'Administrator', 'Every permission, including ones added in later versions', 1, 0),
    ('developer', 'Developer', 'Everything inside workspaces except deleting them and managing their policies', 1, 0),
    ('auditor', 'Auditor', 'Read everything, including the audit log; change nothing', 1, 0),
    ('endpoint-user', 'Endpoint user', 'See and call inference endpoints and see models', 1, 0),
    ('viewer', 'Viewer', 'Read everything inside workspaces', 1, 0);

create table teams (
    key text primary key,
    name text not null,
    description text not null default '',
    created_at bigint not null
);

create table team_members (
    team_key text not null constraint team_members_team_key_fkey references teams (key) on delete cascade,
    user_id text not null constraint team_members_user_id_fkey references users (id) on delete cascade,
    team_role text not null constraint team_members_team_role_check check (team_role in ('member', 'maintainer')),
    added_at bigint not null,
    constraint team_members_pkey primary key (team_key, user_id)
);

create index team_members_user_id_idx on team_members (user_id);

create table workspaces (
    key text primary key,
    name text not null,
    description text not null default '',
    created_at bigint not null
);

create table policies (
    id integer primary key autoincrement,
    subject_user_id text constraint policies_subject_user_id_fkey references users (id) on delete cascade,
    subject_team_key text constraint policies_subject_team_key_fkey references teams (key) on delete cascade,
    role_key text not null constraint policies_role_key_fkey references roles (key),
    workspace_key text constraint policies_workspace_key_fkey references workspaces (key) on delete cascade,
    -- One row per subject + role + scope: NULLs would defeat a plain unique
    -- constraint, so the binding is spelled out.
    binding text not null constraint policies_binding_key unique,
    created_at bigint not null,
    constraint policies_subject_check check ((subject_user_id is null) <> (subject_team_key is null))
);

create index policies_subject_user_id_idx on policies (subject_user_id);
create index policies_subject_team_key_idx on policies (subject_team_key);
create index policies_workspace_key_idx on policies (workspace_key);
create index policies_role_key_idx on policies (role_key);

-- Never updated or deleted by the product.
create table audit_log (
    id integer primary key autoincrement,
    at bigint not null,
    actor_id text,
    actor_email text,
    action text not null,
    outcome text not null constraint audit_log_outcome_check check (outcome in ('success', 'denied')),
    target_type text,
    target_id text,
    workspace_key text,
    before_json text,
    after_json text,
    reason text
);

create index audit_log_at_idx on audit_log (at, id);
create index audit_log_actor_id_idx on audit_log (actor_id);
create index audit_log_action_idx on audit_log (action);
create index audit_log_workspace_key_idx on audit_log (workspace_key);
