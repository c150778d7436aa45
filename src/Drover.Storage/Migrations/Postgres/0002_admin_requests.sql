-- Operator requests (pool drains, runner deletions) kept until the leader acts on them.
CREATE TABLE admin_requests (
    kind         TEXT COLLATE "C" NOT NULL,
    target       TEXT COLLATE "C" NOT NULL,
    actor        TEXT COLLATE "C" NOT NULL,
    requested_at BIGINT NOT NULL,
    reason       TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (kind, target)
);
