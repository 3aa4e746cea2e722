//! Guests made and deleted at the site on its own, within their projects' offline budgets: the
//! request is checked as the platform checks it (image, sizes, name), the budget the centre last
//! granted must be valid and have room for it after what the site made since, and the guest is
//! cloned, configured and started on the cluster at once. Governance policies hold there as at the
//! centre ([`super::govern`]). Each is written to the site's audit
//! chain with what it made, in one transaction with the site's ledger, so the centre takes the
//! guest in on reconnect. A guest the platform made is deleted through the platform.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use scmp_api::{GuestCreate, GuestView, NetworkSpec};
use scmp_common::time::from_ms;
use scmp_common::{GuestId, GuestState, OperationKind, Resources};

use scmp_authz::Action;

use super::auth::{allow, authenticate, refused, Caller};
use super::problem::{problem, Refusal};
use super::record::{outcome, record, Done};
use super::view::{find, live_guests, local_guests, state_or_missing};
use super::SiteApi;
use crate::actions::{CloneOutcome, GuestSpec};
use crate::command::{AgentError, Command, Power};
use crate::link::{LocalChange, LocalGuest, SiteImage, SiteProject, SiteState};

type Api = State<Arc<SiteApi>>;

fn bad(field: &str, detail: &str) -> Refusal {
    problem(
        StatusCode::BAD_REQUEST,
        "invalid-request",
        "Invalid request",
        &format!("{field}: {detail}"),
    )
}

/// The sizes a request asks for: an instance type's, or the three given.
fn sizes(st: &SiteState, body: &GuestCreate) -> Result<Resources, Refusal> {
    let (vcpus, memory_mib, disk_gib) = match &body.instance_type {
        Some(t) => {
            if body.vcpus.is_some() || body.memory_mib.is_some() || body.disk_gib.is_some() {
                return Err(bad(
                    "instance_type",
                    "give an instance type or the three sizes, not both",
                ));
            }
            let t = st
                .instance_types
                .iter()
                .find(|i| i.name.as_str() == t)
                .ok_or_else(|| bad("instance_type", &format!("no instance type '{t}'")))?;
            (t.vcpus, t.memory_mib, t.disk_gib)
        }
        None => (
            body.vcpus
                .ok_or_else(|| bad("vcpus", "required without an instance type"))?,
            body.memory_mib
                .ok_or_else(|| bad("memory_mib", "required without an instance type"))?,
            body.disk_gib
                .ok_or_else(|| bad("disk_gib", "required without an instance type"))?,
        ),
    };
    if !(1..=128).contains(&vcpus) {
        return Err(bad("vcpus", "must be 1..128"));
    }
    if !(64..=4 * 1024 * 1024).contains(&memory_mib) {
        return Err(bad("memory_mib", "must be 64 MiB .. 4 TiB"));
    }
    if !(1..=65_536).contains(&disk_gib) {
        return Err(bad("disk_gib", "must be 1 .. 65536 GiB"));
    }
    Ok(Resources {
        public_addresses: 0,
        networks: 0,
        vcpus,
        memory_mib,
        disk_gib,
        guests: 1,
    })
}

/// What the project may still make at the site: its budget as the centre last granted it, less
/// what the centre took of it and what the site made since that the centre has not taken in.
fn room(api: &SiteApi, st: &SiteState, project: &SiteProject) -> Result<Resources, Refusal> {
    let forbidden = |detail: String| {
        problem(
            StatusCode::FORBIDDEN,
            "forbidden",
            "No offline budget",
            &detail,
        )
    };
    let Some(grant) = st.budgets.iter().find(|b| b.project == project.project.id) else {
        return Err(forbidden(format!(
            "project '{}' has no offline budget at this site",
            project.project.name
        )));
    };
    if grant.valid_until_ms <= api.clock.now_ms() {
        return Err(forbidden(format!(
            "project '{}''s offline budget at this site ran out at {}",
            project.project.name,
            from_ms(grant.valid_until_ms)
        )));
    }
    let mut left = [
        grant.granted.vcpus,
        grant.granted.memory_mib,
        grant.granted.disk_gib,
        grant.granted.guests,
    ];
    let used = [
        grant.used.vcpus,
        grant.used.memory_mib,
        grant.used.disk_gib,
        grant.used.guests,
    ];
    for (l, u) in left.iter_mut().zip(used) {
        *l = l.saturating_sub(u);
    }
    for (view, made) in local_guests(api)? {
        if made.project != project.project.id || st.guests.iter().any(|g| g.id == view.id) {
            continue;
        }
        let spent = [made.vcpus, made.memory_mib, made.disk_gib, 1];
        for (l, s) in left.iter_mut().zip(spent) {
            *l = l.saturating_sub(s);
        }
    }
    Ok(Resources {
        public_addresses: 0,
        networks: 0,
        vcpus: left[0],
        memory_mib: left[1],
        disk_gib: left[2],
        guests: left[3],
    })
}

fn fits(need: &Resources, room: &Resources) -> bool {
    need.vcpus <= room.vcpus
        && need.memory_mib <= room.memory_mib
        && need.disk_gib <= room.disk_gib
        && need.guests <= room.guests
}

/// `POST /projects/{project}/guests` at the site.
pub async fn create(
    State(api): Api,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(project): Path<String>,
    bytes: Bytes,
) -> Response {
    let Some(caller) = authenticate(&api, &headers) else {
        return refused().into_response();
    };
    match create_guest(&api, &caller, peer, &project, &bytes).await {
        Ok(r) | Err(r) => r,
    }
}

async fn create_guest(
    api: &SiteApi,
    caller: &Caller,
    peer: SocketAddr,
    project: &str,
    bytes: &[u8],
) -> Result<Response, Response> {
    let refuse = |r: Refusal| r.into_response();
    let body: GuestCreate =
        serde_json::from_slice(bytes).map_err(|e| refuse(bad("body", &e.to_string())))?;
    let st = state_or_missing(api).map_err(refuse)?;
    let Some(sp) = st
        .projects
        .iter()
        .find(|p| p.project.id.to_string() == project)
        .cloned()
    else {
        return Err(refuse(problem(
            StatusCode::NOT_FOUND,
            "not-found",
            "No such project",
            &format!("no project '{project}' with guests or a budget at this site"),
        )));
    };
    allow(
        &api.authz,
        caller,
        Action::GuestCreate,
        sp.project.tenant_id,
        sp.project.id,
    )
    .map_err(refuse)?;
    let image = st
        .images
        .iter()
        .find(|i| i.id.to_string() == body.image || i.name.as_str() == body.image)
        .cloned()
        .ok_or_else(|| refuse(bad("image", &format!("no image '{}'", body.image))))?;
    if image.kind != body.kind {
        return Err(refuse(bad(
            "kind",
            &format!("image '{}' is for a {}", image.name, image.kind),
        )));
    }
    let need = sizes(&st, &body).map_err(refuse)?;
    if body.ha == Some(true) {
        return Err(refuse(bad(
            "ha",
            "HA is set up by the platform: make the guest without it at the site",
        )));
    }
    if body.anti_affinity_group.is_some() {
        return Err(refuse(bad(
            "anti_affinity_group",
            "placement groups are the platform's: not served at the site",
        )));
    }
    let warnings = super::govern::check_create(
        &st,
        &sp,
        caller,
        &body,
        image.name.as_str(),
        &need,
        api.clock.now_ms(),
    )
    .map_err(refuse)?;
    for w in &warnings {
        tracing::warn!(guest = %body.name, warning = %w, "a governance policy warns");
    }
    // One spending at a time: the room seen is the room taken.
    let _spending = api.spending.lock().await;
    let taken = live_guests(api)
        .await
        .map_err(refuse)?
        .iter()
        .any(|g| g.project_id == sp.project.id && g.name == body.name);
    if taken {
        return Err(refuse(problem(
            StatusCode::CONFLICT,
            "already-exists",
            "Already exists",
            &format!("a guest '{}' exists in the project", body.name),
        )));
    }
    let room = room(api, &st, &sp).map_err(refuse)?;
    if !fits(&need, &room) {
        return Err(refuse(problem(
            StatusCode::CONFLICT,
            "quota-exceeded",
            "Offline budget exceeded",
            &format!(
                "the guest needs {} vCPUs, {} MiB, {} GiB; the project's budget at this site has {} vCPUs, {} MiB, {} GiB and {} guests left",
                need.vcpus, need.memory_mib, need.disk_gib, room.vcpus, room.memory_mib, room.disk_gib, room.guests
            ),
        )));
    }
    let started = api.clock.now_ms();
    let id = GuestId::new();
    let spec = GuestSpec {
        nics: Vec::new(),
        guest: id,
        tenant: sp.project.tenant_id,
        tenant_name: sp.tenant.to_string(),
        project: sp.project.id,
        kind: body.kind,
        name: body.name.to_string(),
        vcpus: need.vcpus,
        memory_mib: need.memory_mib,
        disk_gib: need.disk_gib,
        tags: body.tags.clone().unwrap_or_default(),
        ci_user: body.cloud_init.as_ref().and_then(|c| c.user.clone()),
        ssh_keys: body
            .cloud_init
            .as_ref()
            .map(|c| c.ssh_keys.clone())
            .unwrap_or_default(),
        ip_config: body.cloud_init.as_ref().and_then(|c| c.ip_config.clone()),
        bridge: body.network.as_ref().and_then(|n| n.bridge.clone()),
        vlan: body.network.as_ref().and_then(|n| n.vlan),
    };
    tracing::warn!(guest = %id, name = %body.name, source = %peer,
        "break-glass: a guest is made at the site through its own API");
    let (built, upids) = match build(api, &spec, &image).await {
        Ok((node, vmid, upids)) => (Ok((node, vmid)), upids),
        Err(e) => (Err(e.message.clone()), e.upids.clone()),
    };
    let view = match &built {
        Ok((node, vmid)) => Some(GuestView {
            security_groups: Vec::new(),
            public_addresses: Vec::new(),
            nics: Vec::new(),
            id,
            name: body.name.clone(),
            project_id: sp.project.id,
            tenant_id: sp.project.tenant_id,
            kind: body.kind,
            image_id: image.id,
            vcpus: need.vcpus,
            memory_mib: need.memory_mib,
            disk_gib: need.disk_gib,
            state: GuestState::Running,
            site: None,
            cluster_id: None,
            cluster: None,
            host: Some(node.clone()),
            vmid: Some(*vmid),
            ha: false,
            ha_state: None,
            tags: spec.tags.clone(),
            anti_affinity_group: None,
            ip_config: spec.ip_config.clone().unwrap_or_default(),
            network: NetworkSpec {
                bridge: spec.bridge.clone(),
                vlan: spec.vlan,
            },
            addresses: vec![],
            ci_user: spec.ci_user.clone(),
            placement: None,
            drift: None,
            error: None,
            events: vec![],
            lease: None,
            created_at: from_ms(started),
            updated_at: from_ms(api.clock.now_ms()),
        }),
        Err(_) => None,
    };
    let made = built.as_ref().ok().map(|(node, vmid)| LocalGuest {
        project: sp.project.id,
        tenant: sp.project.tenant_id,
        name: body.name.clone(),
        kind: body.kind,
        image: image.id,
        vcpus: need.vcpus,
        memory_mib: need.memory_mib,
        disk_gib: need.disk_gib,
        node: node.clone(),
        vmid: *vmid,
        running: true,
        tags: spec.tags.clone(),
    });
    let change = match (view, made.clone()) {
        (Some(v), Some(m)) => Some(LocalChange::Made(Box::new(v), Box::new(m))),
        _ => None,
    };
    let done = Done {
        kind: OperationKind::GuestCreate,
        guest: id,
        target: format!("guest/{}", body.name),
        started,
        error: built.err(),
        upids,
        made,
        change,
    };
    let op = record(api, caller, peer, done).map_err(refuse)?;
    Ok(Json(op).into_response())
}

/// Clones, configures and starts the guest on the host with the most free memory; answers its
/// host, VMID and the Proxmox tasks waited for. A clone that fails later is destroyed again.
async fn build(
    api: &SiteApi,
    spec: &GuestSpec,
    image: &SiteImage,
) -> Result<(String, u32, Vec<String>), AgentError> {
    let fail = |m: String| AgentError::new(crate::command::AgentErrorKind::Parameter, m);
    let obs = api
        .agent
        .ask(Command::Observe {
            with_bridges: false,
        })
        .await?
        .observation()?;
    let kind = crate::actions::pve_kind(spec.kind).as_str();
    let template = obs
        .templates
        .iter()
        .find(|t| t.name == image.template && t.kind == kind)
        .ok_or_else(|| {
            fail(format!(
                "image '{}' has no template on this cluster",
                image.name
            ))
        })?;
    let host = obs
        .hosts
        .iter()
        .filter(|h| h.online)
        .max_by_key(|h| h.memory_mib.saturating_sub(h.memory_used_mib))
        .ok_or_else(|| fail("no host of the cluster is online".into()))?;
    let mut upids = Vec::new();
    api.agent
        .ask(Command::EnsurePool {
            tenant_name: spec.tenant_name.clone(),
        })
        .await?;
    let mut placed = None;
    for _ in 0..5 {
        let vmid = api.agent.ask(Command::NextVmid).await?.vmid()?;
        let reply = api
            .agent
            .ask(Command::EnsureClone {
                spec: spec.clone(),
                template_vmid: template.vmid,
                template_node: template.node.clone(),
                target: host.name.clone(),
                vmid,
            })
            .await?;
        upids.extend(reply.upids.clone());
        if reply.clone_outcome()? == CloneOutcome::Done {
            placed = Some(vmid);
            break;
        }
    }
    let vmid = placed.ok_or_else(|| fail("no free VMID after five tries".into()))?;
    let rest = async {
        let mut upids = Vec::new();
        let configure = Command::Configure {
            spec: spec.clone(),
            node: host.name.clone(),
            vmid,
            clone_disk_gib: Some(template.disk_gib).filter(|d| *d > 0),
        };
        upids.extend(api.agent.ask(configure).await?.upids);
        let start = Command::Power {
            kind: spec.kind,
            node: host.name.clone(),
            vmid,
            action: Power::Start,
        };
        upids.extend(api.agent.ask(start).await?.upids);
        Ok::<_, AgentError>(upids)
    };
    match rest.await {
        Ok(more) => {
            upids.extend(more);
            Ok((host.name.clone(), vmid, upids))
        }
        Err(mut e) => {
            let undo = Command::Destroy {
                guest: spec.guest,
                kind: spec.kind,
                vmid,
            };
            if let Err(u) = api.agent.ask(undo).await {
                tracing::error!(vmid, error = %u.message, "a guest half made at the site could not be removed");
            }
            upids.append(&mut e.upids);
            e.upids = upids;
            Err(e)
        }
    }
}

/// `DELETE /guests/{guest}` at the site: only a guest the site made itself.
pub async fn delete(
    State(api): Api,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(key): Path<String>,
) -> Response {
    let Some(caller) = authenticate(&api, &headers) else {
        return refused().into_response();
    };
    let _spending = api.spending.lock().await;
    let g = match find(&api, &caller, &key, Action::GuestOperate).await {
        Ok(g) => g,
        Err(r) => return r.into_response(),
    };
    let mine = match local_guests(&api) {
        Ok(l) => l.iter().any(|(v, _)| v.id == g.id),
        Err(r) => return r.into_response(),
    };
    let Some(vmid) = g.vmid.filter(|_| mine) else {
        return problem(
            StatusCode::CONFLICT,
            "conflict",
            "Made by the platform",
            &format!(
                "guest '{}' was made by the platform: delete it there once the site is linked",
                g.name
            ),
        )
        .into_response();
    };
    tracing::warn!(guest = %g.id, name = %g.name, source = %peer,
        "break-glass: a guest made at the site is deleted through its own API");
    let started = api.clock.now_ms();
    let answer = api
        .agent
        .ask(Command::Destroy {
            guest: g.id,
            kind: g.kind,
            vmid,
        })
        .await;
    let (error, upids) = outcome(&answer);
    let done = Done {
        kind: OperationKind::GuestDelete,
        guest: g.id,
        target: format!("guest/{}", g.name),
        started,
        change: error
            .is_none()
            .then(|| LocalChange::Gone(g.id, api.clock.now_ms())),
        error,
        upids,
        made: None,
    };
    match record(&api, &caller, peer, done) {
        Ok(op) => Json(op).into_response(),
        Err(r) => r.into_response(),
    }
}
