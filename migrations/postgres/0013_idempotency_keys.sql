-- Answers to creates sent with an `Idempotency-Key` header (issue 14, item
-- 4), kept 24 hours so a retry gets the first answer instead of a second
-- resource. `caller` is a hash of the credential the request came with;
-- `status` is null while the first request is still running.
create table idempotency_keys (
    caller text not null,
    key text not null,
    fingerprint text not null,
    status bigint,
    content_type text,
    body text,
    created_at bigint not null,
    constraint idempotency_keys_pkey primary key (caller, key)
);
create index idempotency_keys_created_at_idx on idempotency_keys (created_at);
