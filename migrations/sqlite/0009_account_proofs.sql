-- Who set an account's password, and whether its email was proven
-- (issue 13: accounts created under someone else's email).
-- password_set_by: 'self' (the user chose it), 'operator' (first admin or
-- the CLI) or 'admin' (another user created the account with it). A
-- password an administrator chose is discarded when the real owner of the
-- mailbox signs in with a provider that vouches for the email.
alter table users add column password_set_by text
    constraint users_password_set_by_check check (password_set_by in ('self', 'operator', 'admin'));
-- Its origin is unknown for passwords set before this migration: treated
-- as chosen by an administrator, the safe assumption.
update users set password_set_by = 'admin' where password_hash is not null;

-- When the mailbox was proven: an invitation link opened, or a sign-in
-- whose provider vouched for the email. Accepting an invitation without
-- its link needs it.
alter table users add column email_verified_at bigint;
update users set email_verified_at = created_at
    where exists (select 1 from identities i where i.user_id = users.id and i.email = users.email);
