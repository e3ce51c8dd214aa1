-- Every committed change to access data (users' status, roles, team
-- memberships, policies, revoked API tokens), numbered. A change and its row
-- are written in one transaction; each server process applies the rows in
-- revision order to its in-memory index, so several processes over one
-- database agree, and a revision is a consistency token for checks.
create table access_log (
    revision bigint primary key,
    changes text not null,
    committed_at bigint not null
);
