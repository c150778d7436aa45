-- Operator requests (pool drains, runner deletions) kept until the leader acts on them.
CREATE TABLE admin_requests (
    kind         TEXT    NOT NULL,
    target       TEXT    NOT NULL,
    actor        TEXT    NOT NULL,
    requested_at INTEGER NOT NULL,
    reason       TEXT    NOT NULL,
    PRIMARY KEY (kind, target)
) STRICT;
