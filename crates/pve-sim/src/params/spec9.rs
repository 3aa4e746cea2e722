//! What PVE 9.1 serves beyond PVE 8.4 or declares differently: HA rules, the HA resource
//! parameters that came with them (`failback`, `purge`), and a container's migration preconditions. Same notation as [`super::spec`]; the test
//! `tests/schema_fidelity.rs` checks every token against the official 9.1 API schema.

/// `(METHOD /path, parameters)` for every endpoint that is new or changed in PVE 9.1.
pub const PVE9_ENDPOINT_PARAMS: &[(&str, &str)] = &[
    ("GET /cluster/ha/rules", "resource:str? type:enum(node-affinity|resource-affinity)?"),
    ("POST /cluster/ha/rules", "affinity:enum(positive|negative)? comment:str(4096)? disable:bool? nodes:str? resources:str rule:cfgid strict:bool? type:enum(node-affinity|resource-affinity)"),
    ("GET /cluster/ha/rules/{rule}", "rule:cfgid"),
    ("PUT /cluster/ha/rules/{rule}", "affinity:enum(positive|negative)? comment:str(4096)? delete:str(4096)? digest:str(64)? disable:bool? nodes:str? resources:str? rule:cfgid strict:bool? type:enum(node-affinity|resource-affinity)"),
    ("DELETE /cluster/ha/rules/{rule}", "rule:cfgid"),
    ("POST /cluster/ha/resources", "comment:str(4096)? failback:bool? group:cfgid? max_relocate:int(0..)? max_restart:int(0..)? sid:str state:enum(started|stopped|enabled|disabled|ignored)? type:enum(ct|vm)?"),
    ("PUT /cluster/ha/resources/{sid}", "comment:str(4096)? delete:str(4096)? digest:str(64)? failback:bool? group:cfgid? max_relocate:int(0..)? max_restart:int(0..)? sid:str state:enum(started|stopped|enabled|disabled|ignored)?"),
    ("DELETE /cluster/ha/resources/{sid}", "purge:bool? sid:str"),
    ("GET /nodes/{node}/lxc/{vmid}/migrate", "node:node target:node? vmid:vmid"),
];
