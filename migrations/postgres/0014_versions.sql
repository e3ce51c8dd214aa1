-- A version per editable row (issue 14, item 3): every change adds one, GET
-- answers it as the ETag, and a write sent with `If-Match` applies only to
-- the version it names, so two edits made from the same version cannot
-- silently overwrite each other. A team's version also covers its members.
alter table roles add column version bigint not null default 1;
alter table teams add column version bigint not null default 1;
alter table workspaces add column version bigint not null default 1;
alter table users add column version bigint not null default 1;
