-- A replay (POST /dueslag/replay, ADR 16) is a job of its own: the request records it and answers at
-- once, and whichever node steps it next reads where it stands from this row, in the transaction of
-- the step, which also writes where the step ended. So a replay goes on after its node stops, and
-- a replay of a whole busy retention outlasts no HTTP request.
CREATE TABLE replay (
    id             uuid PRIMARY KEY,
    receiver       uuid NOT NULL,
    municipality   text NOT NULL,
    -- rows created from from_at and before until_at (the request's time) come again
    from_at        timestamptz NOT NULL,
    until_at       timestamptz NOT NULL,
    -- the rows it holds are due of themselves at held_until, should no node go on with it
    held_until     timestamptz NOT NULL,
    phase          text NOT NULL CHECK (phase IN ('HOLDING', 'RELEASING', 'DONE')),
    -- where the last step of the phase ended: (created_at, seq) while holding, seq while releasing
    last_at        timestamptz,
    last_seq       bigint NOT NULL DEFAULT 0,
    replayed       bigint NOT NULL DEFAULT 0,
    released       bigint NOT NULL DEFAULT 0,
    -- the next step goes to the replay that waited longest for one
    stepped_at     timestamptz,
    finished_at    timestamptz,
    CHECK (from_at <= until_at AND until_at < held_until),
    CHECK ((phase = 'DONE') = (finished_at IS NOT NULL))
);

-- one replay at a time per dueslag; a second waits for no one and is refused
CREATE UNIQUE INDEX replay_running ON replay (receiver, municipality) WHERE phase <> 'DONE';
-- the dueslag's replays, newest first
CREATE INDEX replay_of_dueslag ON replay (receiver, municipality, until_at DESC, id DESC);
