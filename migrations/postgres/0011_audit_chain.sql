-- The audit log is a hash chain (issue 13, item 9a): each entry stores the
-- hash of the one before it and its own hash over its fields and that one,
-- as Certificate Transparency's logs do, so an edited, deleted or inserted
-- row breaks the chain from there on (`portcullis audit verify`). Entries
-- written before this migration are not chained.
alter table audit_log add column prev_hash text;
alter table audit_log add column entry_hash text;
