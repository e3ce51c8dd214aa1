-- An invitation names its role as text, as the audit log does: a revoked,
-- expired or accepted invitation must not keep its role from being deleted
-- (issue 14, item 5). A pending one still does, by a check in the service
-- that answers 409 naming it.
alter table invitations drop constraint invitations_role_key_fkey;
