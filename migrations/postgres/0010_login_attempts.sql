-- A sign-in attempt is counted (reserved) before its password is verified,
-- so a parallel burst cannot get more verdicts than the limit allows
-- (issue 13, item 4). The attempt id lets a success take its row back.
alter table login_failures add column attempt text;
create index login_failures_attempt on login_failures (attempt);
