-- Where a forge adapter's own demand stream has got to, so a new leader resumes it: e.g. per GitHub runner scale set
-- the id of the last message stored and acknowledged (name 'scaleset:<id>'). value only ever grows.
CREATE TABLE forge_cursors (
    forge      TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    value      INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (forge, name)
) STRICT;
