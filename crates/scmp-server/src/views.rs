//! The API's views of what the store holds: one function per view, from store records to the
//! types of `scmp-api` (the only place that knows both shapes).

use scmp_api::*;
use scmp_common::time::{from_ms, from_ms_opt};
use scmp_store::{
    BindingSubject, Cluster, Group, Guest, Image, InstanceType, Operation, Site, StoredBinding,
    User,
};

/// A free text as the API shows it: absent when empty.
pub fn text(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

/// The API's view of a tenant, with its quota.
pub fn tenant(t: scmp_store::Tenant, quota: scmp_store::QuotaView) -> TenantView {
    TenantView {
        id: t.id,
        name: t.name,
        description: text(t.description),
        quota: self::quota(quota),
        countries: t.countries,
        require_mfa: t.require_mfa,
        labels: t.labels,
        created_at: from_ms(t.created_at),
    }
}

/// The API's view of a token (its secret only when it was just made).
pub fn token(c: scmp_store::Credential, secret: Option<String>) -> TokenView {
    TokenView {
        id: c.id,
        name: c.name,
        expires_at: c.expires_at.map(from_ms),
        created_at: from_ms(c.created_at),
        secret,
    }
}

/// The API's view of Site.
pub fn site(s: Site) -> SiteView {
    SiteView {
        id: s.id,
        name: s.name,
        country: s.country,
        region: text(s.region),
        description: text(s.description),
        created_at: from_ms(s.created_at),
        offline_groups: s.offline_groups,
        link: None,
    }
}

/// The API's view of ObservedTask (none when what the cluster reported is not a UPID).
pub fn task(t: scmp_agent::protocol::ObservedTask) -> Option<TaskView> {
    Some(TaskView {
        upid: t.upid.parse().ok()?,
        node: t.node,
        kind: t.kind,
        id: text(t.id),
        user: t.user,
        started_at: scmp_common::time::from_secs(t.starttime),
        status: t.status,
    })
}

/// The API's view of Cluster.
pub fn cluster(c: Cluster) -> ClusterView {
    ClusterView {
        id: c.id,
        site_id: c.site_id,
        name: c.name,
        endpoint: c.endpoint,
        token_id: c.token_id,
        tls_fingerprint: c.tls_fingerprint,
        agent: c.agent_id,
        cpu_overcommit: c.cpu_overcommit,
        memory_overcommit: c.memory_overcommit,
        drift_action: c.health.drift_action,
        health: ClusterHealthView {
            state: c.health.state,
            since: from_ms_opt(c.health.since),
            last_seen_at: from_ms_opt(c.health.last_seen_at),
            last_error: text(c.health.last_error),
            pve_version: text(c.health.pve_version),
            unmanaged_guests: c.health.unmanaged_guests,
        },
        storage: serde_json::from_value(c.inventory.storage).unwrap_or_default(),
        bridges: serde_json::from_value(c.inventory.bridges).unwrap_or_default(),
        recent_tasks: serde_json::from_value::<Vec<scmp_agent::protocol::ObservedTask>>(
            c.inventory.tasks,
        )
        .unwrap_or_default()
        .into_iter()
        .filter_map(task)
        .collect(),
        ha: serde_json::from_value::<scmp_agent::protocol::ObservedHa>(c.inventory.ha)
            .ok()
            .map(|h| scmp_api::HaManagerView {
                quorate: h.quorate,
                master: h.master,
                nodes: h
                    .nodes
                    .into_iter()
                    .map(|(node, status)| scmp_api::HaNodeView { node, status })
                    .collect(),
                services: h.services,
            }),
        created_at: from_ms(c.created_at),
    }
}

/// The API's view of Host.
pub fn host(h: scmp_store::Host) -> HostView {
    let o = h.observed;
    HostView {
        name: o.name,
        cluster_id: h.cluster_id,
        online: o.online,
        maintenance: h.maintenance,
        cores: o.cores,
        memory_mib: o.memory_mib,
        cpu_usage: o.cpu_usage,
        memory_used_mib: o.memory_used_mib,
        unmanaged_vcpus: o.unmanaged_vcpus,
        updated_at: from_ms(h.updated_at),
    }
}

/// The API's view of Operation.
pub fn operation(o: Operation) -> OperationView {
    let warnings = o
        .params
        .get(crate::policy_cache::WARNINGS)
        .and_then(|w| serde_json::from_value(w.clone()).ok())
        .unwrap_or_default();
    let (guest_id, network_id) = (o.guest_id(), o.network_id());
    OperationView {
        warnings,
        id: o.id,
        kind: o.kind,
        target: o.target,
        guest_id,
        network_id,
        state: o.state,
        progress: o.progress,
        error: (!o.error.is_empty()).then_some(o.error),
        tasks: o.upids,
        request_id: o.request_id,
        created_at: from_ms(o.created_at),
        updated_at: from_ms(o.updated_at),
    }
}

/// The API's view of User.
pub fn user(u: User) -> UserView {
    UserView {
        realm: u.realm().to_string(),
        id: u.id,
        name: u.name,
        email: text(u.email),
        tenant_id: u.tenant_id,
        tenant: u.tenant_name.map(|t| t.to_string()),
    }
}

/// The API's view of StoredBinding.
pub fn role_binding(b: StoredBinding) -> RoleBindingView {
    let scope = match (b.tenant_id, b.project_id) {
        (_, Some(p)) => format!("project/{p}"),
        (Some(t), None) => format!("tenant/{t}"),
        (None, None) => "platform".into(),
    };
    let (user_id, group_id) = match b.subject {
        BindingSubject::User(u) => (Some(u), None),
        BindingSubject::Group(g) => (None, Some(g)),
    };
    RoleBindingView {
        id: b.id,
        user_id,
        group_id,
        role: b.role,
        scope,
        created_at: scmp_common::time::from_ms(b.created_at),
    }
}

/// The API's view of an image, with the clusters that carry it.
pub fn image(i: Image, clusters: Vec<scmp_common::Name>) -> ImageView {
    ImageView {
        id: i.id,
        name: i.name,
        kind: i.kind,
        os: i.os,
        version: i.version,
        template: i.template,
        description: text(i.description),
        clusters,
        created_at: scmp_common::time::from_ms(i.created_at),
    }
}

/// The API's view of InstanceType.
pub fn instance_type(t: InstanceType) -> InstanceTypeView {
    InstanceTypeView {
        id: t.id,
        name: t.name,
        vcpus: t.vcpus,
        memory_mib: t.memory_mib,
        disk_gib: t.disk_gib,
        created_at: scmp_common::time::from_ms(t.created_at),
    }
}

/// The API's view of QuotaView.
pub fn quota(q: scmp_store::QuotaView) -> QuotaBody {
    QuotaBody {
        limits: q.limits.into(),
        allocated: q.allocated.into(),
        used: q.used.into(),
    }
}

/// The API's view of Project.
pub fn project(p: scmp_store::Project) -> ProjectView {
    ProjectView {
        quota: quota(p.quota()),
        id: p.id,
        tenant_id: p.tenant_id,
        name: p.name,
        description: text(p.description),
        labels: p.labels,
        created_at: from_ms(p.created_at),
    }
}

/// The API's view of AuditEntry.
pub fn audit_entry(e: scmp_store::AuditEntry) -> AuditEntryView {
    let r = e.record;
    AuditEntryView {
        seq: e.seq,
        time: from_ms(e.time_ms),
        request_id: r.request_id,
        phase: r.phase,
        actor: AuditActorView {
            id: r.actor,
            name: text(r.identity.name),
            realm: text(r.identity.realm),
            tenant: text(r.identity.tenant),
        },
        credential: AuditCredentialView {
            kind: r.auth_method,
            id: text(r.credential),
            name: text(r.credential_name),
        },
        source: text(r.source),
        operation: r.operation,
        target: r.target,
        tenant_id: r.tenant_id,
        result: r.result,
        error: text(r.error),
        hash: e.hash,
    }
}

/// The API's view of Group.
pub fn group(g: Group) -> GroupView {
    GroupView {
        id: g.id,
        name: g.name,
        tenant_id: g.tenant_id,
        description: text(g.description),
        members: g.members,
        realm_id: g.realm_id,
        created_at: scmp_common::time::from_ms(g.created_at),
    }
}

/// Where a guest was placed and why, once it was.
fn placement(g: &Guest) -> Option<PlacementView> {
    Some(PlacementView {
        site_id: g.site_id?,
        site: g.site_name.clone()?,
        country: g.site_country?,
        cluster_id: g.cluster_id?,
        cluster: g.cluster_name.clone()?,
        host: g.node.clone()?,
        reason: g.placement.clone(),
        policy_warnings: Vec::new(),
        policy_approvals: Vec::new(),
    })
}

/// The API's view of Guest.
pub fn guest(g: Guest) -> GuestView {
    GuestView {
        security_groups: Vec::new(),
        nics: Vec::new(),
        public_addresses: Vec::new(),
        id: g.id,
        name: g.name.clone(),
        project_id: g.project_id,
        tenant_id: g.tenant_id,
        kind: g.kind,
        image_id: g.image_id,
        vcpus: g.vcpus,
        memory_mib: g.memory_mib,
        disk_gib: g.disk_gib,
        state: g.state,
        placement: placement(&g),
        site: g.site_name,
        cluster_id: g.cluster_id,
        cluster: g.cluster_name,
        host: g.node,
        vmid: g.vmid,
        ha: g.ha,
        ha_state: text(g.ha_state),
        tags: g.tags,
        anti_affinity_group: (!g.anti_affinity.is_empty()).then_some(g.anti_affinity),
        ip_config: g
            .cloud_init
            .ip_config
            .clone()
            .unwrap_or_else(|| "ip=dhcp".into()),
        ci_user: g.cloud_init.user.clone(),
        network: NetworkSpec {
            bridge: Some(g.network.bridge.clone().unwrap_or_else(|| "vmbr0".into())),
            vlan: g.network.vlan,
        },
        addresses: Vec::new(),
        drift: text(g.drift),
        error: text(g.error),
        events: Vec::new(),
        lease: None,
        created_at: from_ms(g.created_at),
        updated_at: from_ms(g.updated_at),
    }
}

/// A public address as the API shows it.
pub fn public_address(a: scmp_store::PublicAddress) -> scmp_api::PublicAddressView {
    scmp_api::PublicAddressView {
        id: a.id,
        address: a.address.to_string(),
        family: a.pool.family.as_str().into(),
        mode: a.pool.mode.as_str().into(),
        pool: a.pool.name,
        site: a.pool.site_id,
        project: a.project_id,
        description: a.description,
        state: a.state.as_str().into(),
        nic: a.guest_id.map(|_| a.nic),
        guest: a.guest_name,
        created_at: scmp_common::time::from_ms(a.created_at),
    }
}
