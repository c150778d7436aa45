-- The predictive policy's arrival history, so a restart or a new leader keeps what it learnt. Per pool: one row per
-- second with arrivals within the last hour of its arrivals (width 1), compacted into one row per hour (width 3600,
-- with the distinct seconds as instants) once older, and pruned past the history's weeks. arrival_pools keeps each
-- pool's first arrival, which the hourly rows alone lose once pruned.
CREATE TABLE arrival_buckets (
    pool     TEXT    NOT NULL,
    start    INTEGER NOT NULL,
    width    INTEGER NOT NULL,
    jobs     INTEGER NOT NULL,
    instants INTEGER NOT NULL,
    PRIMARY KEY (pool, start, width)
) STRICT;

CREATE TABLE arrival_pools (
    pool          TEXT    NOT NULL PRIMARY KEY,
    first_arrival INTEGER NOT NULL
) STRICT;
