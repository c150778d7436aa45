-- Jobs lost to the infrastructure (a runner's instance taken away under its job) and the re-run Drover asked for:
-- written with the runner's failure, so a restart or a new leader neither forgets nor repeats it.
CREATE TABLE job_reruns (
    forge         TEXT    NOT NULL,
    job_id        TEXT    NOT NULL,
    origin_job_id TEXT    NOT NULL,
    attempt       INTEGER NOT NULL,
    state         TEXT    NOT NULL,
    pool          TEXT    NOT NULL,
    runner_id     TEXT    NOT NULL,
    provider      TEXT    NOT NULL,
    instance_id   TEXT,
    reason        TEXT    NOT NULL,
    scope         TEXT,
    run_id        INTEGER,
    lost_at       INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    calls         INTEGER NOT NULL,
    new_job_id    TEXT,
    message       TEXT,
    PRIMARY KEY (forge, job_id)
) STRICT;
