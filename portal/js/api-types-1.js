// The API's types, for the portal's type check: generated from openapi/scmp.json by
// tests/portal/gen-types.mjs (do not edit; run `node tests/portal/gen-types.mjs` after the
// document changes). Type definitions only: nothing here runs.

/** `agent_enroll`: an agent's first contact.
 * @typedef {Object} AgentEnroll
 * @property {string} csr A PKCS#10 certificate request (PEM) for the key the agent made.
 * @property {string} join_token The join token's text.
 */
/** What an agent gets when it enrolls.
 * @typedef {Object} AgentEnrolled
 * @property {import('./api-types.js').AgentView} agent The agent.
 * @property {string} ca_certificate The platform's agent CA (PEM).
 * @property {string} certificate Its client certificate (PEM), short-lived.
 */
/** AgentId
 * @typedef {string} AgentId */
/** An agent's link, as the replica it is linked to sees it.
 * @typedef {Object} AgentLinkView
 * @property {number} [journaled_waiting] Messages the agent's journal holds for the platform (what the site did and answered while cut off), as the agent last said; they come when the link is back.
 * @property {(number|null)} [lag_ms] How long ago it was last heard, in milliseconds (the link's lag).
 * @property {(string|null)} [last_error] Why the link last broke.
 * @property {(null|import('./api-types.js').Time)} [last_heard_at] When the agent was last heard (absent: not by this replica).
 * @property {(null|import('./api-types.js').Time)} [since] Since when the link is up, or down (absent: not since this replica started).
 * @property {import('./api-types.js').Connectivity} state Connected, degraded or disconnected.
 * @property {number} waiting_commands Commands for the site waiting for the agent's answer (or for it to come back).
 */
/** `agent_renew`: a new certificate for an enrolled agent, asked with a certificate request for the key it enrolled with (the request's signature proves the agent holds that key, so an agent whose certificate ran out while it was offline renews the same way).
 * @typedef {Object} AgentRenew
 * @property {import('./api-types.js').AgentId} agent The agent.
 * @property {string} csr A PKCS#10 certificate request (PEM) for the agent's enrolled key.
 */
/** An enrolled agent.
 * @typedef {Object} AgentView
 * @property {import('./api-types.js').Time} certificate_expires_at When its certificate ends.
 * @property {import('./api-types.js').Time} enrolled_at Enrolled.
 * @property {import('./api-types.js').AgentId} id Id.
 * @property {import('./api-types.js').AgentLinkView} link Its link to the platform.
 * @property {import('./api-types.js').Time} renewed_at Last given a certificate.
 * @property {(null|import('./api-types.js').Time)} [revoked_at] Revoked: it may not connect or renew again (absent while not).
 * @property {import('./api-types.js').SiteId} site Its site: the only one it may speak for.
 */
/** `approval_approve` and `approval_reject`.
 * @typedef {Object} ApprovalComment
 * @property {(string|null)} [comment] Why (required to reject).
 */
/** What an approver decided.
 * @typedef {"approve"|"reject"} ApprovalDecision */
/** A decision on an approval.
 * @typedef {Object} ApprovalDecisionView
 * @property {import('./api-types.js').Time} at When.
 * @property {string} by Who (a user's name, or `itsm:<policy>` for a ticketing system).
 * @property {string} comment Why.
 * @property {import('./api-types.js').ApprovalDecision} decision What.
 * @property {(string|null)} [ticket] The ticket it came with.
 */
/** What one policy that holds an operation asks, and how far it got.
 * @typedef {Object} ApprovalRequirementView
 * @property {number} approvals How many it has.
 * @property {Array<import('./api-types.js').Approver>} approvers Who may approve.
 * @property {string} message What it says.
 * @property {string} policy The policy.
 * @property {number} required How many approvals it needs.
 * @property {boolean} satisfied Whether it is met.
 */
/** Who approves what a `require_approval` policy holds, how many of them, and by when.
 * @typedef {Object} ApprovalRule
 * @property {Array<import('./api-types.js').Approver>} approvers Anyone these name may approve (one to eight).
 * @property {(number|null)} [deadline_hours] Hours to decide before the request is rejected (1 to 720, default 72).
 * @property {(null|import('./api-types.js').ItsmHook)} [itsm] A change request opened in a ticketing system for each approval; its answer through the signed callback decides for this policy.
 * @property {(number|null)} [required] How many distinct approvals are needed (1 to 10, default 1).
 */
/** Where an approval of a held operation is.
 * @typedef {"pending"|"approved"|"rejected"|"expired"|"cancelled"} ApprovalState */
/** An operation held for approval.
 * @typedef {Object} ApprovalView
 * @property {import('./api-types.js').Time} created_at Asked.
 * @property {import('./api-types.js').Time} deadline When it is rejected if not approved.
 * @property {(null|import('./api-types.js').Time)} [decided_at] Decided.
 * @property {Array<import('./api-types.js').ApprovalDecisionView>} decisions The decisions so far.
 * @property {Array<import('./api-types.js').ItsmDeliveryView>} deliveries The ITSM webhooks and their logs.
 * @property {boolean} may_decide Whether the caller may decide on it now.
 * @property {import('./api-types.js').OperationKind} operation What the operation does.
 * @property {import('./api-types.js').OperationId} operation_id The operation it holds (the approval's id).
 * @property {import('./api-types.js').ProjectId} project_id The project.
 * @property {string} requested_by Who asked.
 * @property {Array<import('./api-types.js').ApprovalRequirementView>} requirements What each policy that holds it asks.
 * @property {import('./api-types.js').ApprovalState} state Where it is.
 * @property {string} target What it acts on.
 * @property {import('./api-types.js').TenantId} tenant_id The tenant.
 * @property {(string|null)} [ticket] The ITSM ticket that answered it.
 */
/** Who may approve what a policy holds.
 * @typedef {(Object|Object)} Approver */
/** Where an approver's role is held.
 * @typedef {"project"|"tenant"|"platform"} ApproverScope */
/** Who acted, as they were when the entry was written.
 * @typedef {Object} AuditActorView
 * @property {string} id The user's id (`anonymous` before a login is checked).
 * @property {(string|null)} [name] The user's name then.
 * @property {(string|null)} [realm] Where the user was defined (`local`).
 * @property {(string|null)} [tenant] The user's tenant then (absent for platform staff).
 */
/** The credential an entry's request was made with (never its secret).
 * @typedef {Object} AuditCredentialView
 * @property {(string|null)} [id] The credential's (or operation's) id.
 * @property {import('./api-types.js').AuthMethod} kind How they authenticated; `workflow` is what the platform did for the request (`id` is then the operation).
 * @property {(string|null)} [name] Its name: a token's name, `login` for a session, the operation's kind.
 */
/** An audit entry.
 * @typedef {Object} AuditEntryView
 * @property {import('./api-types.js').AuditActorView} actor The real end user.
 * @property {import('./api-types.js').AuditCredentialView} credential How they authenticated.
 * @property {(string|null)} [error] The error, if any.
 * @property {string} hash This entry's hash.
 * @property {string} operation Operation id.
 * @property {import('./api-types.js').AuditPhase} phase `begin` (before acting) or `end` (after).
 * @property {string} request_id Request id.
 * @property {import('./api-types.js').AuditResult} result How it ended.
 * @property {number} seq Position in the hash chain.
 * @property {(string|null)} [source] Source address.
 * @property {import('./api-types.js').AuditTarget} target What it acted on.
 * @property {(null|import('./api-types.js').TenantId)} [tenant_id] The tenant concerned.
 * @property {import('./api-types.js').Time} time When it was written.
 */
/** Which of a request's two audit entries this is.
 * @typedef {"begin"|"end"} AuditPhase */
/** How a request recorded in the audit log ended.
 * @typedef {"pending"|"ok"|"error"} AuditResult */
/** What the request acted on: kind/key steps from the outermost scope in (`tenant/<id>`, `project/<id>/guest/web`); `/` and `%` in a key are written `%2F` and `%25`
 * @typedef {string} AuditTarget */
/** Whether the audit chain holds, checked now.
 * @typedef {Object} AuditVerifyView
 * @property {(number|null)} [broken_at] The first bad entry (when broken).
 * @property {number} checkpoints Signed checkpoints checked (when intact).
 * @property {number} entries Entries checked (when intact).
 * @property {(string|null)} [reason] Why it is broken.
 * @property {number} [site_entries] Entries of the sites' own audit chains checked, each signed by its site's agent (when intact).
 * @property {import('./api-types.js').ChainState} state Whether it holds.
 */
/** A Proxmox VE authentication id: USER@REALM, or an API token USER@REALM!TOKENID
 * @typedef {string} Authid */
/** How the actor of an audit entry authenticated.
 * @typedef {"token"|"session"|"password"|"directory"|"openid"|"workflow"|"join_token"|"agent_key"|"break_glass"|"signature"} AuthMethod */
/** Back a guest up now.
 * @typedef {Object} BackupCreate
 * @property {(boolean|null)} [protected] Protect the backup from pruning and deletion (default false).
 */
/** A backup of a guest.
 * @typedef {Object} BackupView
 * @property {string} format `vma.zst`, `tar.zst`, `pbs-vm`, `pbs-ct`.
 * @property {string} id Its id (opaque; the Proxmox volume in URL-safe base64).
 * @property {(string|null)} [notes] Its notes (absent when it has none).
 * @property {boolean} protected Kept by pruning, and not deleted until the protection is lifted.
 * @property {number} size_bytes Bytes.
 * @property {string} storage The storage it is on.
 * @property {import('./api-types.js').Time} taken_at When it was taken.
 * @property {string} volume The Proxmox volume (`storage:backup/...`).
 */
/** A network bridge.
 * @typedef {Object} BridgeView
 * @property {string} name Interface name (`vmbr0`).
 * @property {Array<string>} nodes Nodes that have it.
 * @property {boolean} vlan_aware VLAN aware on every node that has it.
 */
/** A built-in policy with its parameters.
 * @typedef {(Object|Object|Object|Object|Object|Object|Object|Object|Object)} Builtin */
/** Whether the audit hash chain holds.
 * @typedef {"intact"|"broken"} ChainState */
/** A signed checkpoint of the audit chain.
 * @typedef {Object} CheckpointView
 * @property {string} head_hash Hash of the last covered entry.
 * @property {string} public_key Ed25519 public key (hex).
 * @property {number} seq Entries covered.
 * @property {string} signature Signature (hex) over `scmp audit checkpoint\nseq N\nhead H\ntime T\n`.
 * @property {import('./api-types.js').Time} time When it was signed.
 */
/** Cloud-init settings.
 * @typedef {Object} CloudInitSpec
 * @property {(string|null)} [ip_config] `ip=dhcp` (default) or `ip=10.0.0.5/24,gw=10.0.0.1`.
 * @property {Array<string>} [ssh_keys] SSH public keys for that user.
 * @property {(string|null)} [user] The default user (`debian`).
 */
/** `cluster_create`.
 * @typedef {Object} ClusterCreate
 * @property {(number|null)} [cpu_overcommit] vCPUs allowed per physical core (default 4).
 * @property {string} endpoint `https://host:8006`.
 * @property {(number|null)} [memory_overcommit] Memory overcommit (default 1).
 * @property {import('./api-types.js').Name} name Name.
 * @property {(null|import('./api-types.js').Fingerprint)} [tls_fingerprint] The SHA-256 fingerprint of the cluster's certificate, as PVE shows it (`AB:CD:...`).
 * @property {import('./api-types.js').Authid} token_id The API token id, `USER@REALM!TOKENID`.
 * @property {string} token_secret The API token secret (stored encrypted, never returned).
 */
/** A cluster's health.
 * @typedef {Object} ClusterHealthView
 * @property {(string|null)} [last_error] Why the last sync failed, or what it could not read (absent when all went well).
 * @property {(null|import('./api-types.js').Time)} [last_seen_at] Last successful sync (absent until there was one).
 * @property {(string|null)} [pve_version] Proxmox VE version (absent until known).
 * @property {(null|import('./api-types.js').Time)} [since] Since when (absent until the first sync).
 * @property {import('./api-types.js').ClusterState} state How inventory sync last found it.
 * @property {number} unmanaged_guests Guests on the cluster that are not scmp's (never touched).
 */
/** ClusterId
 * @typedef {string} ClusterId */
/** A cluster's health as inventory sync last saw it.
 * @typedef {"unknown"|"online"|"degraded"|"unreachable"} ClusterState */
/** `cluster_update`.
 * @typedef {Object} ClusterUpdate
 * @property {(number|null)} [cpu_overcommit] vCPUs allowed per physical core.
 * @property {(null|import('./api-types.js').DriftAction)} [drift_action] `report` drift only, or `repair` it (start/stop and re-size guests back to scmp's record).
 * @property {(number|null)} [memory_overcommit] Memory overcommit.
 */
/** A registered cluster (without its secret).
 * @typedef {Object} ClusterView
 * @property {(null|import('./api-types.js').AgentId)} [agent] The site agent the cluster is reached through (absent: the platform reaches it directly).
 * @property {Array<import('./api-types.js').BridgeView>} bridges Network bridges guests can attach to.
 * @property {number} cpu_overcommit CPU overcommit.
 * @property {import('./api-types.js').Time} created_at Created.
 * @property {import('./api-types.js').DriftAction} drift_action What inventory sync does about drift.
 * @property {string} endpoint API endpoint.
 * @property {(null|import('./api-types.js').HaManagerView)} [ha] The Proxmox HA manager's status (absent until it was read).
 * @property {import('./api-types.js').ClusterHealthView} health Health as inventory sync last saw it.
 * @property {import('./api-types.js').ClusterId} id Id.
 * @property {number} memory_overcommit Memory overcommit.
 * @property {import('./api-types.js').Name} name Name.
 * @property {Array<import('./api-types.js').TaskView>} recent_tasks The cluster's most recent Proxmox tasks, newest first.
 * @property {import('./api-types.js').SiteId} site_id Its site.
 * @property {Array<import('./api-types.js').StorageView>} storage Storage on each node.
 * @property {(null|import('./api-types.js').Fingerprint)} [tls_fingerprint] Pinned certificate fingerprint.
 * @property {import('./api-types.js').Authid} token_id API token id.
 */
/** A tenant's compliance: its last scan and what it found (of the projects the caller sees).
 * @typedef {Object} ComplianceReport
 * @property {number} guests How many guests that scan evaluated.
 * @property {(null|import('./api-types.js').Time)} [scanned_at] When it was last scanned (never: absent).
 * @property {import('./api-types.js').Name} tenant Its name.
 * @property {import('./api-types.js').TenantId} tenant_id The tenant.
 * @property {Array<import('./api-types.js').ViolationView>} violations What they violate, by guest, then policy.
 */
/** Whether a site's agent is reachable.
 * @typedef {"connected"|"degraded"|"disconnected"} Connectivity */
/** Where a guest's console is: Proxmox VE's own console for it (noVNC for a VM, xterm.js for a container), opened with the user's Proxmox VE login.
 * @typedef {Object} ConsoleView
 * @property {import('./api-types.js').GuestId} guest_id The guest.
 * @property {string} node Its host.
 * @property {string} protocol `novnc` or `xtermjs`.
 * @property {string} url The console in Proxmox VE's web interface.
 * @property {number} vmid Its VMID.
 */
/** An ISO 3166-1 alpha-2 country code (DE)
 * @typedef {string} Country */
/** A token or session id: 32 hex digits
 * @typedef {string} CredentialId */
/** One attempt of an ITSM delivery.
 * @typedef {Object} DeliveryAttemptView
 * @property {import('./api-types.js').Time} at When.
 * @property {(string|null)} [error] What went wrong, if anything.
 * @property {number} status The HTTP status (0: no answer).
 */
/** Resources of one kind that stand in the way of a delete.
 * @typedef {Object} DependentsView
 * @property {number} count How many there are.
 * @property {string} kind Their kind (`project`, `user`, `guest`, ...).
 * @property {Array<string>} names The names of the first few.
 */
/** `tenant_update` and `project_update`.
 * @typedef {Object} DescriptionUpdate
 * @property {string} description The new description.
 */
/** Which traffic a security group rule lets through.
 * @typedef {"in"|"out"} Direction */
/** A directory's settings (realms of type `ldap` and `ad`).
 * @typedef {Object} DirectorySettings
 * @property {string} base_dn Where users are searched (`ou=people,dc=example,dc=org`).
 * @property {(string|null)} [bind_dn] The service account searches bind as (anonymous when left out).
 * @property {(string|null)} [ca_pem] The CA (PEM) the server's certificate must chain to; the system's roots when left out. Certificates are always verified: a self-signed one is trusted by its fingerprint.
 * @property {(string|null)} [email_attr] The attribute holding a user's e-mail address (default `mail`).
 * @property {(string|null)} [filter] A further LDAP filter users must match (`(memberOf=cn=scmp,...)`).
 * @property {(string|null)} [fingerprint] The server certificate's SHA-256 fingerprint (`AA:BB:...`): when set, exactly that certificate is accepted.
 * @property {(Array<string>|null)} [group_classes] Object classes of groups (default `groupOfNames`, `group`, `groupOfUniqueNames`, `univentionGroup`, `ipausergroup`).
 * @property {(string|null)} [group_dn] Where groups are searched (the base DN when left out).
 * @property {(string|null)} [group_filter] A further LDAP filter groups must match.
 * @property {(string|null)} [group_name_attr] The attribute holding a group's name (default `cn`).
 * @property {import('./api-types.js').LdapMode} [mode] `ldap`, `ldaps` (the default) or `ldap+starttls`.
 * @property {(number|null)} [port] The port (the mode's usual one when left out).
 * @property {string} server1 The server (host name or address).
 * @property {(string|null)} [server2] A fallback server, tried when the first cannot be reached.
 * @property {(string|null)} [user_attr] The attribute holding the login name (`uid`; for `ad`, `sAMAccountName`).
 * @property {(Array<string>|null)} [user_classes] Object classes of users (default `inetorgperson`, `posixaccount`, `person`, `user`).
 */
/** What inventory sync does about drift on a cluster.
 * @typedef {"report"|"repair"} DriftAction */
/** What happens when a policy's rule holds for a request.
 * @typedef {"deny"|"warn"|"require_approval"|"lease"} Enforcement */
/** A field that was not acceptable.
 * @typedef {Object} FieldError
 * @property {string} field JSON path of the field (`quota.vcpus`).
 * @property {string} message What is wrong with it.
 */
/** A certificate's SHA-256 fingerprint as Proxmox VE shows it (AB:CD:...)
 * @typedef {string} Fingerprint */
/** `group_create`.
 * @typedef {Object} GroupCreate
 * @property {(string|null)} [description] Description.
 * @property {Array<string>} [members] Members (user ids or names).
 * @property {import('./api-types.js').Name} name Name, unique on the platform.
 * @property {(string|null)} [tenant] Its tenant (id or name); a platform group when left out.
 */
/** GroupId
 * @typedef {string} GroupId */
/** `group_update`.
 * @typedef {Object} GroupUpdate
 * @property {(string|null)} [description] The new description.
 * @property {(Array<string>|null)} [members] The new member list (user ids or names), replacing the old one.
 */
/** A group.
 * @typedef {Object} GroupView
 * @property {import('./api-types.js').Time} created_at Created.
 * @property {(string|null)} [description] Description (absent when none was given).
 * @property {import('./api-types.js').GroupId} id Id.
 * @property {Array<import('./api-types.js').UserId>} members Members (user ids).
 * @property {import('./api-types.js').Name} name Name.
 * @property {(null|import('./api-types.js').RealmId)} [realm_id] The realm whose directory decides the members (absent for scmp's own groups).
 * @property {(null|import('./api-types.js').TenantId)} [tenant_id] Its tenant; absent for a platform group.
 */
/** `guest_create`.
 * @typedef {Object} GuestCreate
 * @property {(string|null)} [anti_affinity_group] Anti-affinity group (a name of your choice): no two guests of the project's group share a host.
 * @property {(null|import('./api-types.js').CloudInitSpec)} [cloud_init] Cloud-init.
 * @property {(number|null)} [disk_gib] Root disk (1 .. 65536 GiB).
 * @property {(boolean|null)} [ha] Managed by Proxmox HA (restarted elsewhere when its host fails).
 * @property {string} image Catalog image (id or name); its kind must match.
 * @property {(string|null)} [instance_type] Instance type (id or name), or the three sizes below.
 * @property {import('./api-types.js').GuestKind} kind `vm` or `ct`.
 * @property {(number|null)} [memory_mib] Memory (64 MiB .. 4 TiB).
 * @property {import('./api-types.js').Name} name Name (DNS label), unique in the project; also the hostname.
 * @property {(null|import('./api-types.js').NetworkSpec)} [network] The network it joins (the bridge `vmbr0`, untagged, when left out).
 * @property {(Array<import('./api-types.js').NicSpec>|null)} [nics] NICs on the project's tenant networks (1 to 8, in order `net0`, `net1`, ...), each with an address of its network; the guest lands at their site. Not with `network`.
 * @property {(Array<string>|null)} [security_groups] Security groups of the project at the guest's site, by name (needs `nics`): the guest's firewall lets in only what they allow.
 * @property {(string|null)} [site] A site the guest must run at (name or id); otherwise placement chooses.
 * @property {(Array<string>|null)} [tags] Tags (lower case letters, digits, `_ - + .`).
 * @property {(number|null)} [vcpus] vCPUs (1..128).
 */
/** What happened to a guest outside its own operations.
 * @typedef {"drift"|"in_sync"|"repaired"|"adopted"|"moved"|"seen_at_site"|"policy_violation"|"policy_resolved"|"lease_warning"|"lease_extended"|"lease_ended"|"down"|"ha_state"|"recovered"|"backed_up"|"backup_failed"|"restored"} GuestEventKind */
/** An event on a guest.
 * @typedef {Object} GuestEventView
 * @property {import('./api-types.js').Time} at When.
 * @property {string} detail What happened.
 * @property {import('./api-types.js').GuestEventKind} kind What kind of event.
 */
/** GuestId
 * @typedef {string} GuestId */
/** A virtual machine or a container.
 * @typedef {"vm"|"ct"} GuestKind */
/** `guest_migrate`.
 * @typedef {Object} GuestMigrate
 * @property {(string|null)} [host] The host to move to (in the guest's cluster); placement chooses when left out.
 */
/** Restore a guest in place from one of its backups.
 * @typedef {Object} GuestRestore
 * @property {string} backup The backup's id.
 * @property {boolean} [confirm] Must be true: the guest's disks are replaced by the backup's (a backup of the guest as it is now is taken first, and restored again when the restore fails).
 */
/** `guest_security_groups_set`: the groups a guest is in (all of them; empty: none).
 * @typedef {Object} GuestSecurityGroups
 * @property {Array<string>} security_groups The groups, by name, at the guest's site.
 */
/** Where a guest is in its life.
 * @typedef {"creating"|"running"|"stopped"|"updating"|"deleting"|"failed"|"missing"|"down"} GuestState */
/** `guest_update`: new sizes (the disk only grows).
 * @typedef {Object} GuestUpdate
 * @property {(number|null)} [disk_gib] Root disk (grow only).
 * @property {(number|null)} [memory_mib] Memory.
 * @property {(number|null)} [vcpus] vCPUs.
 */
/** A guest.
 * @typedef {Object} GuestView
 * @property {Array<string>} [addresses] The addresses it has now, as the guest reports them (a VM through its QEMU guest agent); only in `guest_view`, only while it runs, empty when the site or the agent does not answer.
 * @property {(string|null)} [anti_affinity_group] Anti-affinity group.
 * @property {(string|null)} [ci_user] The cloud-init user.
 * @property {(null|import('./api-types.js').Name)} [cluster] That cluster's name.
 * @property {(null|import('./api-types.js').ClusterId)} [cluster_id] The cluster it runs on (absent until placed).
 * @property {import('./api-types.js').Time} created_at Created.
 * @property {number} disk_gib Root disk.
 * @property {(string|null)} [drift] What differs on Proxmox from scmp's record (absent when in sync).
 * @property {(string|null)} [error] The last failure (absent when there was none).
 * @property {Array<import('./api-types.js').GuestEventView>} [events] Recent events (drift, repairs, adoption), newest first; only in `guest_view`.
 * @property {boolean} ha Managed by Proxmox HA.
 * @property {(string|null)} [ha_state] Its HA service state as Proxmox reports it (`started`, `stopped`, `fence`, `recovery`, `migrate`, `freeze`, `error`, ...); absent without HA or before it was seen.
 * @property {(string|null)} [host] Its host (absent until placed).
 * @property {import('./api-types.js').GuestId} id Id.
 * @property {import('./api-types.js').ImageId} image_id Catalog image id.
 * @property {string} [ip_config] Its network configuration as asked (`ip=dhcp`, or a static address and gateway).
 * @property {import('./api-types.js').GuestKind} kind `vm` or `ct`.
 * @property {(null|import('./api-types.js').LeaseView)} [lease] Its lease, when a policy gave it one; only in `guest_view`.
 * @property {number} memory_mib Memory.
 * @property {import('./api-types.js').Name} name Name.
 * @property {import('./api-types.js').NetworkSpec} [network] The network it is on.
 * @property {Array<import('./api-types.js').NicView>} [nics] Its NICs on tenant networks.
 * @property {(null|import('./api-types.js').PlacementView)} [placement] Where placement put it and why (absent until placed).
 * @property {import('./api-types.js').ProjectId} project_id Its project.
 * @property {Array<import('./api-types.js').PublicAddressView>} [public_addresses] Its public addresses (only in `guest_view`).
 * @property {Array<string>} [security_groups] The security groups it is in, by name (only in `guest_view`).
 * @property {(null|import('./api-types.js').Name)} [site] The site it runs at (absent until placed).
 * @property {import('./api-types.js').GuestState} state Lifecycle state.
 * @property {Array<string>} tags Tags.
 * @property {import('./api-types.js').TenantId} tenant_id Its tenant.
 * @property {import('./api-types.js').Time} updated_at Last changed.
 * @property {number} vcpus vCPUs.
 * @property {(number|null)} [vmid] Its VMID (absent until it has one).
 */
/** The Proxmox HA manager of a cluster.
 * @typedef {Object} HaManagerView
 * @property {(string|null)} [master] The master's status (`pve1 (active, ...)`); absent when there is none.
 * @property {Array<import('./api-types.js').HaNodeView>} nodes Each node's local resource manager.
 * @property {boolean} quorate Whether the HA stack has quorum.
 * @property {number} services How many HA resources the cluster has.
 */
/** A node's local HA resource manager.
 * @typedef {Object} HaNodeView
 * @property {string} node The node.
 * @property {string} status Its status (`active`, `idle`, `old timestamp - dead?`, `maintenance mode`, ...).
 */
/** A host of a cluster.
 * @typedef {Object} HostView
 * @property {import('./api-types.js').ClusterId} cluster_id Its cluster.
 * @property {number} cores CPU threads.
 * @property {number} cpu_usage CPU load (0..1).
 * @property {boolean} maintenance In maintenance: no new guests are placed on it.
 * @property {number} memory_mib Memory.
 * @property {number} memory_used_mib Memory in use.
 * @property {string} name Node name.
 * @property {boolean} online Up.
 * @property {number} unmanaged_vcpus vCPUs of guests that are not scmp's.
 * @property {import('./api-types.js').Time} updated_at Last observed.
 */
/** `image_create`.
 * @typedef {Object} ImageCreate
 * @property {(string|null)} [description] Description.
 * @property {import('./api-types.js').GuestKind} kind `vm` or `ct`.
 * @property {import('./api-types.js').Name} name Name.
 * @property {string} os Operating system (`debian`).
 * @property {string} template The name of the template on the clusters (a VM or container template).
 * @property {string} version Version (`12`).
 */
/** ImageId
 * @typedef {string} ImageId */
/** An image.
 * @typedef {Object} ImageView
 * @property {Array<import('./api-types.js').Name>} clusters Clusters that carry the template (names).
 * @property {import('./api-types.js').Time} created_at Created.
 * @property {(string|null)} [description] Description (absent when none was given).
 * @property {import('./api-types.js').ImageId} id Id.
 * @property {import('./api-types.js').GuestKind} kind `vm` or `ct`.
 * @property {import('./api-types.js').Name} name Name.
 * @property {string} os Operating system.
 * @property {string} template The template's name on Proxmox VE.
 * @property {string} version Its version.
 */
/** `instance_type_create`.
 * @typedef {Object} InstanceTypeCreate
 * @property {number} disk_gib Root disk (1 .. 65536 GiB).
 * @property {number} memory_mib Memory (64 MiB .. 4 TiB).
 * @property {import('./api-types.js').Name} name Name.
 * @property {number} vcpus vCPUs (1..128).
 */
/** InstanceTypeId
 * @typedef {string} InstanceTypeId */
/** An instance type.
 * @typedef {Object} InstanceTypeView
 * @property {import('./api-types.js').Time} created_at Created.
 * @property {number} disk_gib Root disk.
 * @property {import('./api-types.js').InstanceTypeId} id Id.
 * @property {number} memory_mib Memory.
 * @property {import('./api-types.js').Name} name Name.
 * @property {number} vcpus vCPUs.
 */
/** A ticketing system's answer through the signed callback URL of an approval.
 * @typedef {Object} ItsmCallback
 * @property {(string|null)} [comment] Why.
 * @property {import('./api-types.js').ApprovalDecision} decision Approve or reject.
 * @property {string} ticket The change request's id in the ticketing system.
 */
/** An ITSM webhook's delivery and its log.
 * @typedef {Object} ItsmDeliveryView
 * @property {number} attempts Attempts so far.
 * @property {Array<import('./api-types.js').DeliveryAttemptView>} log Every attempt.
 * @property {string} policy The policy whose webhook it is.
 * @property {string} state `pending`, `delivered` or `failed` (given up).
 * @property {string} url Where to.
 */
/** The ticketing system a policy's approvals open change requests in.
 * @typedef {Object} ItsmHook
 * @property {(string|null)} [secret] The shared secret that signs requests and callbacks (HMAC-SHA256); write only: required when the hook is first given, kept when left out later, never shown.
 * @property {string} url Where the JSON request is posted (HTTPS, or HTTP to a loopback address).
 */
/** `join_token_create`.
 * @typedef {Object} JoinTokenCreate
 * @property {(number|null)} [expires_in_s] Seconds until it expires (60 to 604800; 3600 when absent).
 */
export {};
