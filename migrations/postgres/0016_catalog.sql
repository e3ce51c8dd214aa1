-- The permission catalog is chosen at start-up (issue 17): token scopes are
-- the catalog's, so their list is no longer fixed here, and the database
-- records the catalog it runs, which every process compares with its own.
alter table api_tokens drop constraint api_tokens_scope_check;

-- One row: the catalog this installation runs (its JSON, and a hash of it).
create table installed_catalog (
    id bigint primary key constraint installed_catalog_one_row check (id = 1),
    name text not null,
    fingerprint text not null,
    catalog text not null,
    installed_at bigint not null
);
