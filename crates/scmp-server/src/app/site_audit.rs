//! A site's audit chain arriving at the centre: each entry checked against the key its agent
//! enrolled with, kept as the site wrote it (once per agent and number), its effect on the
//! platform's records applied once (a guest made at the site taken in out of its project's
//! offline budget, one deleted there given back to it, a power change expected from then on),
//! and joined to the central audit log with the site as its origin.

use scmp_agent::link::chain::verify_entry;
use scmp_agent::link::{LocalEvent, LocalGuest, SiteAuditEntry};
use scmp_api::AgentView;
use scmp_common::{
    AuditPhase, AuditResult, AuditTarget, AuthMethod, Error, GuestState, ResourceKind,
};
use scmp_store::{ActorIdentity, Adoption, AuditRecord, NewGuest, SiteAuditRow, SiteGuest};

use crate::context::AppState;

impl AppState {
    /// The next entry of a site's audit chain: checked (its hash, the agent's signature), kept
    /// as the site wrote it (once per agent and number, however often it comes), and joined to
    /// the audit log once, its origin the site and its credential the site's break-glass one; a
    /// power change it made becomes what the platform expects of the guest, so the next look at
    /// the cluster finds no drift. An entry that does not hold is refused loudly (an audit entry
    /// of its own) and not kept, so `scmp audit verify` reports the gap it leaves.
    pub(super) async fn agent_site_audit(
        &self,
        agent: &AgentView,
        entry: SiteAuditEntry,
    ) -> Result<(), Error> {
        let request_id = format!("site-{}-{}", agent.id, entry.seq);
        let public = hex::decode(self.store.agent_get(agent.id).await?.public_key)
            .map_err(Error::internal)?;
        let event = match verify_entry(&public, &entry) {
            Ok(e) => e,
            Err(why) => {
                tracing::error!(agent = %agent.id, site = %agent.site, seq = entry.seq, error = %why,
                    "a site's audit entry does not hold: refused");
                let rec = site_record(
                    agent,
                    &request_id,
                    "site_audit_entry",
                    AuditTarget::new(ResourceKind::Site, agent.site),
                    None,
                    Some(format!(
                        "the site's audit entry {} does not hold: {why}",
                        entry.seq
                    )),
                );
                self.store.audit_append(&rec).await?;
                return Ok(());
            }
        };
        let seq = i64::try_from(entry.seq).map_err(Error::internal)?;
        let kept = self
            .store
            .site_audit_keep(&SiteAuditRow {
                agent_id: agent.id,
                seq,
                prev_hash: entry.prev_hash.clone(),
                body: entry.body.clone(),
                hash: entry.hash.clone(),
                signature: entry.signature.clone(),
                central_seq: None,
            })
            .await?;
        if kept.hash != entry.hash {
            tracing::error!(agent = %agent.id, seq = entry.seq,
                "a site sent another entry under a number it used already: the first one stands");
            return Ok(());
        }
        if kept.central_seq.is_some() {
            return Ok(());
        }
        let guest = self.store.guest_get(event.guest).await.ok();
        // What the entry did to the platform's records first (each change taken once under the
        // request id), then the audit entry: a restart in between does the rest on the replay.
        let outcome = self
            .site_effect(agent, &request_id, &event, guest.as_ref())
            .await?;
        // Joined perhaps before a restart that came between the two writes.
        if let Some(central) = self.store.audit_seq_of_request(&request_id).await? {
            return self.store.site_audit_joined(agent.id, seq, central).await;
        }
        let tenant = guest
            .as_ref()
            .map(|g| g.tenant_id)
            .or(event.made.as_ref().map(|m| m.tenant));
        let error = event.error.clone().or(outcome);
        let rec = site_record(
            agent,
            &request_id,
            &event.operation,
            AuditTarget::new(ResourceKind::Guest, event.guest),
            tenant,
            error,
        );
        let mut rec = AuditRecord {
            auth_method: event.method,
            source: event.source.clone(),
            ..rec
        };
        if let Some(a) = &event.actor {
            // A user of the site's identity cache: the entry names the user, as the centre's
            // own entries do, with the site as where it happened (the request id).
            let tenant = match a.tenant {
                Some(t) => self
                    .store
                    .tenant_get(t)
                    .await
                    .map(|t| t.name.to_string())
                    .unwrap_or_default(),
                None => String::new(),
            };
            rec.actor = a.user.to_string();
            rec.identity = ActorIdentity {
                name: a.name.to_string(),
                realm: format!("site:{}", agent.site),
                tenant,
            };
            rec.credential = a.credential.to_string();
            rec.credential_name = a.credential_name.clone();
        }
        let central = self.store.audit_append(&rec).await?;
        self.store.site_audit_joined(agent.id, seq, central).await?;
        if event.actor.is_none() {
            tracing::warn!(agent = %agent.id, site = %agent.site, operation = %event.operation,
                guest = %event.guest, "the site acted through its break-glass credential");
        }
        Ok(())
    }

    /// What a site's entry changes in the platform's records: a guest made there gets a record
    /// of its own out of its project's budget, a guest deleted there gives its share back to
    /// it, and a power change becomes what the platform expects of the guest (so the next look
    /// at the cluster finds no drift). Answers why a made guest could not be taken in.
    async fn site_effect(
        &self,
        agent: &AgentView,
        key: &str,
        event: &LocalEvent,
        guest: Option<&scmp_store::Guest>,
    ) -> Result<Option<String>, Error> {
        if event.error.is_some() {
            return Ok(None);
        }
        match (event.operation.as_str(), &event.made, guest) {
            ("guest_create", Some(made), _) => self.site_adopt(agent, key, event.guest, made).await,
            ("guest_delete", _, Some(_)) => {
                self.store
                    .site_guest_release(agent.site, event.guest, key)
                    .await?;
                Ok(None)
            }
            (op, _, Some(g)) if matches!(g.state, GuestState::Running | GuestState::Stopped) => {
                let expected = match op {
                    "guest_stop" | "guest_shutdown" => GuestState::Stopped,
                    "guest_start" | "guest_reboot" => GuestState::Running,
                    _ => return Ok(None),
                };
                if g.state != expected {
                    self.store.guest_set_state(g.id, expected, "").await?;
                }
                Ok(None)
            }
            _ => Ok(None),
        }
    }

    async fn site_adopt(
        &self,
        agent: &AgentView,
        key: &str,
        id: scmp_common::GuestId,
        made: &LocalGuest,
    ) -> Result<Option<String>, Error> {
        let Some(cluster) = self.store.cluster_of_agent(agent.id).await? else {
            return Ok(Some("the site's agent fronts no cluster".into()));
        };
        let g = SiteGuest {
            id,
            new: NewGuest {
                nics: Vec::new(),
                security_groups: Vec::new(),
                project_id: made.project,
                tenant_id: made.tenant,
                name: made.name.clone(),
                kind: made.kind,
                image_id: made.image,
                vcpus: made.vcpus,
                memory_mib: made.memory_mib,
                disk_gib: made.disk_gib,
                site: None,
                ha: false,
                tags: made.tags.clone(),
                cloud_init: Default::default(),
                network: Default::default(),
                anti_affinity: String::new(),
                lease: None,
            },
            cluster_id: cluster.id,
            node: made.node.clone(),
            vmid: made.vmid,
            running: made.running,
        };
        let why = match self.store.site_guest_adopt(agent.site, &g, key).await? {
            Adoption::Adopted => {
                self.placer.invalidate().await;
                return Ok(None);
            }
            Adoption::Already => return Ok(None),
            Adoption::NoBudget => "the project's offline budget at the site has no room for it",
            Adoption::Clash => "its name or VMID is another guest's",
        };
        tracing::error!(agent = %agent.id, guest = %id, name = %made.name, reason = why,
            "a guest made at the site was not taken in");
        Ok(Some(format!(
            "guest '{}' (VMID {}) was made at the site but not taken in: {why}; settle it by hand",
            made.name, made.vmid
        )))
    }
}

/// An audit record of something a site did (or sent) on its own.
fn site_record(
    agent: &AgentView,
    request_id: &str,
    operation: &str,
    target: AuditTarget,
    tenant_id: Option<scmp_common::TenantId>,
    error: Option<String>,
) -> AuditRecord {
    AuditRecord {
        request_id: request_id.to_string(),
        phase: AuditPhase::End,
        actor: format!("break-glass@site:{}", agent.site),
        identity: ActorIdentity::default(),
        auth_method: AuthMethod::BreakGlass,
        credential: agent.id.to_string(),
        credential_name: "the site's break-glass credential".into(),
        source: String::new(),
        operation: operation.to_string(),
        target,
        tenant_id,
        result: if error.is_none() {
            AuditResult::Ok
        } else {
            AuditResult::Error
        },
        error: error.unwrap_or_default(),
    }
}
