//! Syncing a directory realm: its groups become scmp groups (so roles can be bound to them before
//! anyone logs in), its users scmp users with their memberships as the directory has them now;
//! optionally new users are made and vanished users and groups removed. A dry run answers the
//! same difference and changes nothing. Every change is audited.

use std::collections::{BTreeMap, BTreeSet};

use scmp_api::{MembershipView, RealmSyncReport, RealmSyncRequest, SyncScope};
use scmp_common::{AuditTarget, AuthMethod, Error, ResourceKind};
use scmp_store::{CredentialKind, Realm, RealmKind};

use super::realm_login::RealmActor;
use crate::context::{AppState, OpContext, RequestMeta};
use crate::directory::{scmp_name, Directory, DirectoryUser};

impl AppState {
    /// Syncs a realm's users and groups from its directory (or, dry run, answers what would
    /// change).
    pub async fn realm_sync(
        &self,
        ctx: &OpContext,
        key: &str,
        req: RealmSyncRequest,
    ) -> Result<RealmSyncReport, Error> {
        let r = self.lookup_realm(ctx, key).await?;
        if !self.may_manage_users(ctx, r.tenant_id) {
            return Err(Error::Forbidden {
                action: "sync this realm".into(),
            });
        }
        if r.kind == RealmKind::OpenId {
            return Err(Error::Refused(
                "an openid realm's users and groups come with their logins; there is no directory to sync".into(),
            ));
        }
        let directory = self.directory_of(&r)?;
        let meta = RequestMeta {
            request_id: ctx.request_id.clone(),
            source: ctx.source,
        };
        let who = RealmActor {
            meta: &meta,
            actor: ctx.actor.user.id.to_string(),
            identity: ctx.actor.user.identity(),
            method: match ctx.actor.credential.kind {
                CredentialKind::Token => AuthMethod::Token,
                CredentialKind::Session => AuthMethod::Session,
            },
            credential: ctx.actor.credential.id.to_string(),
        };
        let run = self.realm_sync_run(&who, &r, &directory, &req);
        if req.dry_run {
            return run.await;
        }
        self.audited(
            ctx,
            "realm_sync",
            AuditTarget::new(ResourceKind::Realm, r.id),
            r.tenant_id,
            run,
        )
        .await
    }

    /// The sync itself, for a caller or the schedule.
    pub(crate) async fn realm_sync_run(
        &self,
        who: &RealmActor<'_>,
        realm: &Realm,
        directory: &Directory,
        req: &RealmSyncRequest,
    ) -> Result<RealmSyncReport, Error> {
        let dry = req.dry_run;
        let with_users = matches!(req.scope, SyncScope::Users | SyncScope::Both);
        let with_groups = matches!(req.scope, SyncScope::Groups | SyncScope::Both);
        let mut report = RealmSyncReport {
            dry_run: dry,
            ..Default::default()
        };
        let groups = directory.groups().await?;
        let users: Vec<DirectoryUser> = if with_users {
            directory.users().await?
        } else {
            Vec::new()
        };
        let realm_name = realm.name.as_str();

        // Groups: scmp's group of each directory group, by its name in the directory.
        let existing = self.store.realm_groups(realm.id).await?;
        let known: BTreeSet<&str> = existing.iter().map(|(e, _)| e.as_str()).collect();
        let wanted: BTreeSet<&str> = groups.iter().map(|g| g.name.as_str()).collect();
        for g in &wanted {
            if known.contains(g) {
                continue;
            }
            let Some(name) = scmp_name(g, realm_name) else {
                continue;
            };
            if !dry && self.realm_group_bring(who, realm, g).await?.is_none() {
                continue;
            }
            report.groups_added.push(name.to_string());
        }
        if with_groups && req.remove_vanished {
            for (external, g) in &existing {
                if wanted.contains(external.as_str()) {
                    continue;
                }
                if !dry {
                    self.store.group_delete(g.id).await?;
                    let target = AuditTarget::new(ResourceKind::Group, g.id);
                    self.realm_audit(who, "group_delete", target, realm).await?;
                }
                report.groups_removed.push(g.name.to_string());
            }
        }
        if !with_users {
            return Ok(report);
        }

        // Users: memberships as the directory has them, by scmp names.
        let names: BTreeMap<&str, String> = existing
            .iter()
            .map(|(e, g)| (e.as_str(), g.name.to_string()))
            .collect();
        let group_name = |external: &str| {
            names
                .get(external)
                .cloned()
                .or_else(|| scmp_name(external, realm_name).map(|n| n.to_string()))
        };
        let present: BTreeMap<String, scmp_store::User> = self
            .store
            .realm_users(realm.id)
            .await?
            .into_iter()
            .collect();
        let mut seen = BTreeSet::new();
        for du in &users {
            seen.insert(du.login.clone());
            let user = match present.get(&du.login) {
                Some(u) => Some(u.clone()),
                None if req.enable_new => {
                    let Some(name) = scmp_name(&du.login, realm_name) else {
                        continue;
                    };
                    report.users_added.push(name.to_string());
                    if dry {
                        None
                    } else {
                        Some(
                            self.realm_user_bring(who.meta, realm, du, AuthMethod::Directory)
                                .await?,
                        )
                    }
                }
                None => continue,
            };
            let user_name = match &user {
                Some(u) => u.name.to_string(),
                None => report.users_added.last().cloned().unwrap_or_default(),
            };
            let held: BTreeSet<String> = match &user {
                Some(u) => existing
                    .iter()
                    .filter(|(_, g)| g.members.contains(&u.id))
                    .map(|(_, g)| g.name.to_string())
                    .collect(),
                None => BTreeSet::new(),
            };
            let want: BTreeSet<String> = du.groups.iter().filter_map(|g| group_name(g)).collect();
            for g in want.difference(&held) {
                report.memberships_added.push(MembershipView {
                    user: user_name.clone(),
                    group: g.clone(),
                });
            }
            for g in held.difference(&want) {
                report.memberships_removed.push(MembershipView {
                    user: user_name.clone(),
                    group: g.clone(),
                });
            }
            if let (false, Some(u)) = (dry, &user) {
                self.realm_memberships_bring(who, realm, u, &du.groups)
                    .await?;
            }
        }
        if req.remove_vanished {
            for (login, u) in &present {
                if seen.contains(login) {
                    continue;
                }
                if !dry {
                    self.store.user_delete(u.id).await?;
                    let target = AuditTarget::new(ResourceKind::User, u.id);
                    self.realm_audit(who, "user_delete", target, realm).await?;
                }
                report.users_removed.push(u.name.to_string());
            }
        }
        Ok(report)
    }
}
