-- The network a guest's interface is on: a bridge (empty: the default, vmbr0) and a VLAN (0: none).

ALTER TABLE guests ADD COLUMN bridge TEXT NOT NULL DEFAULT '';
ALTER TABLE guests ADD COLUMN vlan BIGINT NOT NULL DEFAULT 0
