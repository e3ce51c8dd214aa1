-- An administrator may give a user a one-time password (issue 16: an
-- account made without one had no way in). Signing in with it needs a new
-- password of the user's own before the session starts.
alter table users add column password_must_change bigint not null default 0;
