-- Drover state store, schema version 1 (SQLite). Times are UTC microseconds since the Unix epoch.
CREATE TABLE pools (
    name         TEXT    NOT NULL PRIMARY KEY,
    config_json  TEXT    NOT NULL,
    applied_at   INTEGER NOT NULL
) STRICT;

CREATE TABLE jobs (
    forge         TEXT    NOT NULL,
    id            TEXT    NOT NULL,
    state         TEXT    NOT NULL,
    labels_json   TEXT    NOT NULL,
    scope         TEXT,
    queued_at     INTEGER,
    started_at    INTEGER,
    finished_at   INTEGER,
    runner_name   TEXT,
    run_id        INTEGER,
    last_event_at INTEGER NOT NULL,
    PRIMARY KEY (forge, id)
) STRICT;
CREATE INDEX jobs_state ON jobs (state);

CREATE TABLE runners (
    id              TEXT    NOT NULL PRIMARY KEY,
    pool            TEXT    NOT NULL,
    provider        TEXT    NOT NULL,
    idempotency_key TEXT    NOT NULL UNIQUE,
    ordinal         INTEGER NOT NULL,
    state           TEXT    NOT NULL,
    state_since     INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    instance_id     TEXT,
    forge_runner_id TEXT,
    job_forge       TEXT,
    job_id          TEXT,
    attempt         INTEGER NOT NULL,
    failure_reason  TEXT
) STRICT;
CREATE INDEX runners_pool_state ON runners (pool, state);
CREATE INDEX runners_state ON runners (state);

CREATE TABLE runner_history (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    runner_id  TEXT    NOT NULL REFERENCES runners (id) ON DELETE CASCADE,
    at         INTEGER NOT NULL,
    from_state TEXT,
    to_state   TEXT    NOT NULL,
    reason     TEXT    NOT NULL
) STRICT;
CREATE INDEX runner_history_runner ON runner_history (runner_id, id);

CREATE TABLE events (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    at        INTEGER NOT NULL,
    actor     TEXT    NOT NULL,
    kind      TEXT    NOT NULL,
    subject   TEXT    NOT NULL,
    message   TEXT    NOT NULL,
    data_json TEXT
) STRICT;
CREATE INDEX events_at ON events (at);

CREATE TABLE cost_ledger (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    pool           TEXT    NOT NULL,
    team           TEXT,
    provider       TEXT    NOT NULL,
    from_at        INTEGER NOT NULL,
    to_at          INTEGER NOT NULL,
    runner_seconds REAL    NOT NULL,
    amount         TEXT    NOT NULL,
    currency       TEXT    NOT NULL
) STRICT;
CREATE INDEX cost_ledger_from ON cost_ledger (from_at, pool);

CREATE TABLE pool_ordinals (
    pool         TEXT    NOT NULL PRIMARY KEY,
    next_ordinal INTEGER NOT NULL
) STRICT;

CREATE TABLE breakers (
    provider             TEXT    NOT NULL PRIMARY KEY,
    status               TEXT    NOT NULL,
    consecutive_failures INTEGER NOT NULL,
    opened_at            INTEGER,
    half_open_successes  INTEGER NOT NULL
) STRICT;

CREATE TABLE webhook_deliveries (
    forge        TEXT    NOT NULL,
    delivery_id  TEXT    NOT NULL,
    received_at  INTEGER NOT NULL,
    headers_json TEXT    NOT NULL,
    body         BLOB    NOT NULL,
    processed_at INTEGER,
    PRIMARY KEY (forge, delivery_id)
) STRICT;
CREATE INDEX webhook_deliveries_unprocessed ON webhook_deliveries (processed_at, received_at);

CREATE TABLE leases (
    name        TEXT    NOT NULL PRIMARY KEY,
    holder      TEXT    NOT NULL,
    acquired_at INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
) STRICT;
