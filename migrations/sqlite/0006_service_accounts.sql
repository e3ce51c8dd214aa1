-- Service accounts: non-human principals (platform services). They hold
-- policies and API tokens like anyone, and never sign in.
alter table users add column kind text not null default 'human';

-- A member's picture, shown in the console (an https URL, or none).
alter table users add column avatar_url text;
