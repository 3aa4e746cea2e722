-- Leases for background work (inventory sync, audit checkpoints): one replica at a time does it;
-- when its lease runs out, another takes over.

CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    until BIGINT NOT NULL
)
