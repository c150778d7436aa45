-- Jobs lost to the infrastructure (a runner's instance taken away under its job) and the re-run Drover asked for:
-- written with the runner's failure, so a restart or a new leader neither forgets nor repeats it.
CREATE TABLE job_reruns (
    forge         TEXT COLLATE "C" NOT NULL,
    job_id        TEXT COLLATE "C" NOT NULL,
    origin_job_id TEXT COLLATE "C" NOT NULL,
    attempt       BIGINT NOT NULL,
    state         TEXT COLLATE "C" NOT NULL,
    pool          TEXT COLLATE "C" NOT NULL,
    runner_id     TEXT COLLATE "C" NOT NULL,
    provider      TEXT COLLATE "C" NOT NULL,
    instance_id   TEXT COLLATE "C",
    reason        TEXT COLLATE "C" NOT NULL,
    scope         TEXT COLLATE "C",
    run_id        BIGINT,
    lost_at       BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    calls         BIGINT NOT NULL,
    new_job_id    TEXT COLLATE "C",
    message       TEXT COLLATE "C",
    PRIMARY KEY (forge, job_id)
);
