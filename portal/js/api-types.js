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
 * @property {AgentView} agent The agent.
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
 * @property {(null|Time)} [last_heard_at] When the agent was last heard (absent: not by this replica).
 * @property {(null|Time)} [since] Since when the link is up, or down (absent: not since this replica started).
 * @property {Connectivity} state Connected, degraded or disconnected.
 * @property {number} waiting_commands Commands for the site waiting for the agent's answer (or for it to come back).
 */
/** `agent_renew`: a new certificate for an enrolled agent, asked with a certificate request for the key it enrolled with (the request's signature proves the agent holds that key, so an agent whose certificate ran out while it was offline renews the same way).
 * @typedef {Object} AgentRenew
 * @property {AgentId} agent The agent.
 * @property {string} csr A PKCS#10 certificate request (PEM) for the agent's enrolled key.
 */
/** An enrolled agent.
 * @typedef {Object} AgentView
 * @property {Time} certificate_expires_at When its certificate ends.
 * @property {Time} enrolled_at Enrolled.
 * @property {AgentId} id Id.
 * @property {AgentLinkView} link Its link to the platform.
 * @property {Time} renewed_at Last given a certificate.
 * @property {(null|Time)} [revoked_at] Revoked: it may not connect or renew again (absent while not).
 * @property {SiteId} site Its site: the only one it may speak for.
 */
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
 * @property {AuthMethod} kind How they authenticated; `workflow` is what the platform did for the request (`id` is then the operation).
 * @property {(string|null)} [name] Its name: a token's name, `login` for a session, the operation's kind.
 */
/** An audit entry.
 * @typedef {Object} AuditEntryView
 * @property {AuditActorView} actor The real end user.
 * @property {AuditCredentialView} credential How they authenticated.
 * @property {(string|null)} [error] The error, if any.
 * @property {string} hash This entry's hash.
 * @property {string} operation Operation id.
 * @property {AuditPhase} phase `begin` (before acting) or `end` (after).
 * @property {string} request_id Request id.
 * @property {AuditResult} result How it ended.
 * @property {number} seq Position in the hash chain.
 * @property {(string|null)} [source] Source address.
 * @property {AuditTarget} target What it acted on.
 * @property {(null|TenantId)} [tenant_id] The tenant concerned.
 * @property {Time} time When it was written.
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
 * @property {ChainState} state Whether it holds.
 */
/** A Proxmox VE authentication id: USER@REALM, or an API token USER@REALM!TOKENID
 * @typedef {string} Authid */
/** How the actor of an audit entry authenticated.
 * @typedef {"token"|"session"|"password"|"directory"|"openid"|"workflow"|"join_token"|"agent_key"|"break_glass"} AuthMethod */
/** A network bridge.
 * @typedef {Object} BridgeView
 * @property {string} name Interface name (`vmbr0`).
 * @property {Array<string>} nodes Nodes that have it.
 * @property {boolean} vlan_aware VLAN aware on every node that has it.
 */
/** Whether the audit hash chain holds.
 * @typedef {"intact"|"broken"} ChainState */
/** A signed checkpoint of the audit chain.
 * @typedef {Object} CheckpointView
 * @property {string} head_hash Hash of the last covered entry.
 * @property {string} public_key Ed25519 public key (hex).
 * @property {number} seq Entries covered.
 * @property {string} signature Signature (hex) over `scmp audit checkpoint\nseq N\nhead H\ntime T\n`.
 * @property {Time} time When it was signed.
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
 * @property {Name} name Name.
 * @property {(null|Fingerprint)} [tls_fingerprint] The SHA-256 fingerprint of the cluster's certificate, as PVE shows it (`AB:CD:...`).
 * @property {Authid} token_id The API token id, `USER@REALM!TOKENID`.
 * @property {string} token_secret The API token secret (stored encrypted, never returned).
 */
/** A cluster's health.
 * @typedef {Object} ClusterHealthView
 * @property {(string|null)} [last_error] Why the last sync failed, or what it could not read (absent when all went well).
 * @property {(null|Time)} [last_seen_at] Last successful sync (absent until there was one).
 * @property {(string|null)} [pve_version] Proxmox VE version (absent until known).
 * @property {(null|Time)} [since] Since when (absent until the first sync).
 * @property {ClusterState} state How inventory sync last found it.
 * @property {number} unmanaged_guests Guests on the cluster that are not scmp's (never touched).
 */
/** ClusterId
 * @typedef {string} ClusterId */
/** A cluster's health as inventory sync last saw it.
 * @typedef {"unknown"|"online"|"degraded"|"unreachable"} ClusterState */
/** `cluster_update`.
 * @typedef {Object} ClusterUpdate
 * @property {(number|null)} [cpu_overcommit] vCPUs allowed per physical core.
 * @property {(null|DriftAction)} [drift_action] `report` drift only, or `repair` it (start/stop and re-size guests back to scmp's record).
 * @property {(number|null)} [memory_overcommit] Memory overcommit.
 */
/** A registered cluster (without its secret).
 * @typedef {Object} ClusterView
 * @property {(null|AgentId)} [agent] The site agent the cluster is reached through (absent: the platform reaches it directly).
 * @property {Array<BridgeView>} bridges Network bridges guests can attach to.
 * @property {number} cpu_overcommit CPU overcommit.
 * @property {Time} created_at Created.
 * @property {DriftAction} drift_action What inventory sync does about drift.
 * @property {string} endpoint API endpoint.
 * @property {ClusterHealthView} health Health as inventory sync last saw it.
 * @property {ClusterId} id Id.
 * @property {number} memory_overcommit Memory overcommit.
 * @property {Name} name Name.
 * @property {Array<TaskView>} recent_tasks The cluster's most recent Proxmox tasks, newest first.
 * @property {SiteId} site_id Its site.
 * @property {Array<StorageView>} storage Storage on each node.
 * @property {(null|Fingerprint)} [tls_fingerprint] Pinned certificate fingerprint.
 * @property {Authid} token_id API token id.
 */
/** Whether a site's agent is reachable.
 * @typedef {"connected"|"degraded"|"disconnected"} Connectivity */
/** Where a guest's console is: Proxmox VE's own console for it (noVNC for a VM, xterm.js for a container), opened with the user's Proxmox VE login.
 * @typedef {Object} ConsoleView
 * @property {GuestId} guest_id The guest.
 * @property {string} node Its host.
 * @property {string} protocol `novnc` or `xtermjs`.
 * @property {string} url The console in Proxmox VE's web interface.
 * @property {number} vmid Its VMID.
 */
/** An ISO 3166-1 alpha-2 country code (DE)
 * @typedef {string} Country */
/** A token or session id: 32 hex digits
 * @typedef {string} CredentialId */
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
 * @property {LdapMode} [mode] `ldap`, `ldaps` (the default) or `ldap+starttls`.
 * @property {(number|null)} [port] The port (the mode's usual one when left out).
 * @property {string} server1 The server (host name or address).
 * @property {(string|null)} [server2] A fallback server, tried when the first cannot be reached.
 * @property {(string|null)} [user_attr] The attribute holding the login name (`uid`; for `ad`, `sAMAccountName`).
 * @property {(Array<string>|null)} [user_classes] Object classes of users (default `inetorgperson`, `posixaccount`, `person`, `user`).
 */
/** What inventory sync does about drift on a cluster.
 * @typedef {"report"|"repair"} DriftAction */
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
 * @property {Name} name Name, unique on the platform.
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
 * @property {Time} created_at Created.
 * @property {(string|null)} [description] Description (absent when none was given).
 * @property {GroupId} id Id.
 * @property {Array<UserId>} members Members (user ids).
 * @property {Name} name Name.
 * @property {(null|RealmId)} [realm_id] The realm whose directory decides the members (absent for scmp's own groups).
 * @property {(null|TenantId)} [tenant_id] Its tenant; absent for a platform group.
 */
/** `guest_create`.
 * @typedef {Object} GuestCreate
 * @property {(string|null)} [anti_affinity_group] Anti-affinity group (a name of your choice): no two guests of the project's group share a host.
 * @property {(null|CloudInitSpec)} [cloud_init] Cloud-init.
 * @property {(number|null)} [disk_gib] Root disk (1 .. 65536 GiB).
 * @property {(boolean|null)} [ha] Managed by Proxmox HA (restarted elsewhere when its host fails).
 * @property {string} image Catalog image (id or name); its kind must match.
 * @property {(string|null)} [instance_type] Instance type (id or name), or the three sizes below.
 * @property {GuestKind} kind `vm` or `ct`.
 * @property {(number|null)} [memory_mib] Memory (64 MiB .. 4 TiB).
 * @property {Name} name Name (DNS label), unique in the project; also the hostname.
 * @property {(null|NetworkSpec)} [network] The network it joins (the bridge `vmbr0`, untagged, when left out).
 * @property {(string|null)} [site] A site the guest must run at (name or id); otherwise placement chooses.
 * @property {(Array<string>|null)} [tags] Tags (lower case letters, digits, `_ - + .`).
 * @property {(number|null)} [vcpus] vCPUs (1..128).
 */
/** What happened to a guest outside its own operations.
 * @typedef {"drift"|"in_sync"|"repaired"|"adopted"|"moved"|"seen_at_site"} GuestEventKind */
/** An event on a guest.
 * @typedef {Object} GuestEventView
 * @property {Time} at When.
 * @property {string} detail What happened.
 * @property {GuestEventKind} kind What kind of event.
 */
/** GuestId
 * @typedef {string} GuestId */
/** A virtual machine or a container.
 * @typedef {"vm"|"ct"} GuestKind */
/** `guest_migrate`.
 * @typedef {Object} GuestMigrate
 * @property {(string|null)} [host] The host to move to (in the guest's cluster); placement chooses when left out.
 */
/** Where a guest is in its life.
 * @typedef {"creating"|"running"|"stopped"|"updating"|"deleting"|"failed"|"missing"} GuestState */
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
 * @property {(null|Name)} [cluster] That cluster's name.
 * @property {(null|ClusterId)} [cluster_id] The cluster it runs on (absent until placed).
 * @property {Time} created_at Created.
 * @property {number} disk_gib Root disk.
 * @property {(string|null)} [drift] What differs on Proxmox from scmp's record (absent when in sync).
 * @property {(string|null)} [error] The last failure (absent when there was none).
 * @property {Array<GuestEventView>} [events] Recent events (drift, repairs, adoption), newest first; only in `guest_view`.
 * @property {boolean} ha Managed by Proxmox HA.
 * @property {(string|null)} [host] Its host (absent until placed).
 * @property {GuestId} id Id.
 * @property {ImageId} image_id Catalog image id.
 * @property {string} [ip_config] Its network configuration as asked (`ip=dhcp`, or a static address and gateway).
 * @property {GuestKind} kind `vm` or `ct`.
 * @property {number} memory_mib Memory.
 * @property {Name} name Name.
 * @property {NetworkSpec} [network] The network it is on.
 * @property {(null|PlacementView)} [placement] Where placement put it and why (absent until placed).
 * @property {ProjectId} project_id Its project.
 * @property {(null|Name)} [site] The site it runs at (absent until placed).
 * @property {GuestState} state Lifecycle state.
 * @property {Array<string>} tags Tags.
 * @property {TenantId} tenant_id Its tenant.
 * @property {Time} updated_at Last changed.
 * @property {number} vcpus vCPUs.
 * @property {(number|null)} [vmid] Its VMID (absent until it has one).
 */
/** A host of a cluster.
 * @typedef {Object} HostView
 * @property {ClusterId} cluster_id Its cluster.
 * @property {number} cores CPU threads.
 * @property {number} cpu_usage CPU load (0..1).
 * @property {boolean} maintenance In maintenance: no new guests are placed on it.
 * @property {number} memory_mib Memory.
 * @property {number} memory_used_mib Memory in use.
 * @property {string} name Node name.
 * @property {boolean} online Up.
 * @property {number} unmanaged_vcpus vCPUs of guests that are not scmp's.
 * @property {Time} updated_at Last observed.
 */
/** `image_create`.
 * @typedef {Object} ImageCreate
 * @property {(string|null)} [description] Description.
 * @property {GuestKind} kind `vm` or `ct`.
 * @property {Name} name Name.
 * @property {string} os Operating system (`debian`).
 * @property {string} template The name of the template on the clusters (a VM or container template).
 * @property {string} version Version (`12`).
 */
/** ImageId
 * @typedef {string} ImageId */
/** An image.
 * @typedef {Object} ImageView
 * @property {Array<Name>} clusters Clusters that carry the template (names).
 * @property {Time} created_at Created.
 * @property {(string|null)} [description] Description (absent when none was given).
 * @property {ImageId} id Id.
 * @property {GuestKind} kind `vm` or `ct`.
 * @property {Name} name Name.
 * @property {string} os Operating system.
 * @property {string} template The template's name on Proxmox VE.
 * @property {string} version Its version.
 */
/** `instance_type_create`.
 * @typedef {Object} InstanceTypeCreate
 * @property {number} disk_gib Root disk (1 .. 65536 GiB).
 * @property {number} memory_mib Memory (64 MiB .. 4 TiB).
 * @property {Name} name Name.
 * @property {number} vcpus vCPUs (1..128).
 */
/** InstanceTypeId
 * @typedef {string} InstanceTypeId */
/** An instance type.
 * @typedef {Object} InstanceTypeView
 * @property {Time} created_at Created.
 * @property {number} disk_gib Root disk.
 * @property {InstanceTypeId} id Id.
 * @property {number} memory_mib Memory.
 * @property {Name} name Name.
 * @property {number} vcpus vCPUs.
 */
/** `join_token_create`.
 * @typedef {Object} JoinTokenCreate
 * @property {(number|null)} [expires_in_s] Seconds until it expires (60 to 604800; 3600 when absent).
 */
/** A new join token: shown once, give it to the site's `scmp agent`.
 * @typedef {Object} JoinTokenCreated
 * @property {JoinTokenView} join_token The token.
 * @property {string} token The token's text (`scmpjoin.<id>.<secret>.<ca-sha256>`).
 */
/** JoinTokenId
 * @typedef {string} JoinTokenId */
/** A join token (never its secret).
 * @typedef {Object} JoinTokenView
 * @property {(null|AgentId)} [agent] The agent it enrolled (absent while unused).
 * @property {Time} created_at Made.
 * @property {string} created_by Who made it.
 * @property {Time} expires_at Good until.
 * @property {JoinTokenId} id Id.
 * @property {SiteId} site The site whose agent it enrolls.
 * @property {(null|Time)} [used_at] When an agent enrolled with it (absent while unused).
 */
/** How a directory is spoken to.
 * @typedef {"ldap"|"ldaps"|"ldap+starttls"} LdapMode */
/** A user joining or leaving a group.
 * @typedef {Object} MembershipView
 * @property {string} group The group's scmp name.
 * @property {string} user The user's scmp name.
 */
/** Who am I.
 * @typedef {Object} MeView
 * @property {CredentialId} credential The credential in use.
 * @property {UserId} id User id.
 * @property {Name} name User name.
 * @property {Array<RoleView>} roles Roles and their scopes (`platform`, `tenant/<id>`, `project/<id>`).
 * @property {(null|TenantId)} [tenant_id] The user's tenant (absent for platform staff).
 */
/** The caller's second factor.
 * @typedef {Object} MfaView
 * @property {boolean} enrolling An enrolment waits for its first code.
 * @property {number} recovery_codes_left Recovery codes not used yet.
 * @property {boolean} totp An authenticator (TOTP) is confirmed: logins ask for its code.
 */
/** A name: lower-case letters, digits and hyphens, starting with a letter
 * @typedef {string} Name */
/** The network a guest joins: a bridge of its cluster, and optionally a VLAN on it.
 * @typedef {Object} NetworkSpec
 * @property {(string|null)} [bridge] The bridge (`vmbr0` when left out); placement picks a host that has it.
 * @property {(number|null)} [vlan] A VLAN (1..4094) on that bridge, which must then be VLAN aware.
 */
/** An OpenID provider's settings (realms of type `openid`).
 * @typedef {Object} OpenIdSettings
 * @property {(string|null)} [acr_values] `acr_values` asked for at login (space-separated); when set, the ID token's `acr` must be one of them.
 * @property {string} client_id The client id scmp is registered with.
 * @property {(string|null)} [groups_claim] The claim listing the user's groups (none: groups do not come from the provider).
 * @property {string} issuer_url The issuer (`https://login.example.org/realms/corp`); its discovery document is read from `/.well-known/openid-configuration` below it.
 * @property {(Array<string>|null)} [scopes] Scopes asked for (default `openid email profile`).
 * @property {boolean} [trust_amr] Whether the provider's `amr` claim saying it checked a second factor (`mfa`, `otp`, `hwk`, ...) counts as one where the platform or the tenant requires it.
 * @property {(string|null)} [username_claim] The claim naming the user (default `sub`).
 */
/** OperationId
 * @typedef {string} OperationId */
/** What an operation does.
 * @typedef {"guest_create"|"guest_delete"|"guest_start"|"guest_stop"|"guest_shutdown"|"guest_reboot"|"guest_resize"|"guest_migrate"|"snapshot_create"|"snapshot_rollback"|"snapshot_delete"} OperationKind */
/** Where an operation is.
 * @typedef {"pending"|"running"|"succeeded"|"failed"|"cancelled"} OperationState */
/** An operation.
 * @typedef {Object} OperationView
 * @property {Time} created_at Created.
 * @property {(string|null)} [error] Why it failed.
 * @property {GuestId} guest_id The guest.
 * @property {OperationId} id Id.
 * @property {OperationKind} kind What it does.
 * @property {number} progress 0 to 100.
 * @property {string} request_id The request that started it (its audit entries carry the same id).
 * @property {OperationState} state Where it is.
 * @property {string} target What it acts on.
 * @property {Array<string>} tasks Proxmox task UPIDs it ran.
 * @property {Time} updated_at Last changed.
 */
/** A page of a list.
 * @typedef {Object} Page_AgentView
 * @property {Array<AgentView>} items The items.
 * @property {(string|null)} [next_page_token] Pass as `page_token` for the next page; absent on the last.
 */
/** A page of a list.
 * @typedef {Object} Page_AuditEntryView
 * @property {Array<AuditEntryView>} items The items.
 * @property {(string|null)} [next_page_token] Pass as `page_token` for the next page; absent on the last.
 */
/** A page of a list.
 * @typedef {Object} Page_CheckpointView
 * @property {Array<CheckpointView>} items The items.
 * @property {(string|null)} [next_page_token] Pass as `page_token` for the next page; absent on the last.
 */
/** A page of a list.
 * @typedef {Object} Page_ClusterView
 * @property {Array<ClusterView>} items The items.
 * @property {(string|null)} [next_page_token] Pass as `page_token` for the next page; absent on the last.
 */
/** A page of a list.
 * @typedef {Object} Page_GroupView
 * @property {Array<GroupView>} items The items.
 * @property {(string|null)} [next_page_token] Pass as `page_token` for the next page; absent on the last.
 */
/** A page of a list.
 * @typedef {Object} Page_GuestView
 * @property {Array<GuestView>} items The items.
 * @property {(string|null)} [next_page_token] Pass as `page_token` for the next page; absent on the last.
 */
/** A page of a list.
 * @typedef {Object} Page_HostView
 * @property {Array<HostView>} items The items.
 * @property {(string|null)} [next_page_token] Pass as `page_token` for the next page; absent on the last.
 */
/** A page of a list.
 * @typedef {Object} Page_ImageView
 * @property {Array<ImageView>} items The items.
 * @property {(string|null)} [next_page_token] Pass as `page_token` for the next page; absent on the last.
 */
/** A page of a list.
 * @typedef {Object} Page_InstanceTypeView
 * @property {Array<InstanceTypeView>} items The items.
 * @property {(string|null)} [next_page_token] Pass as `page_token` for the next page; absent on the last.
 */
/** A page of a list.
 * @typedef {Object} Page_JoinTokenView
 * @property {Array<JoinTokenView>} items The items.
 * @property {(string|null)} [next_page_token] Pass as `page_token` for the next page; absent on the last.
 */
/** A page of a list.
 * @typedef {Object} Page_OperationView
 * @property {Array<OperationView>} items The items.
 * @property {(string|null)} [next_page_token] Pass as `page_token` for the next page; absent on the last.
 */
/** A page of a list.
 * @typedef {Object} Page_ProjectView
 * @property {Array<ProjectView>} items The items.
 * @property {(string|null)} [next_page_token] Pass as `page_token` for the next page; absent on the last.
 */
/** A page of a list.
 * @typedef {Object} Page_RealmView
 * @property {Array<RealmView>} items The items.
 * @property {(string|null)} [next_page_token] Pass as `page_token` for the next page; absent on the last.
 */
/** A page of a list.
 * @typedef {Object} Page_RoleBindingView
 * @property {Array<RoleBindingView>} items The items.
 * @property {(string|null)} [next_page_token] Pass as `page_token` for the next page; absent on the last.
 */
/** A page of a list.
 * @typedef {Object} Page_SiteBudgetView
 * @property {Array<SiteBudgetView>} items The items.
 * @property {(string|null)} [next_page_token] Pass as `page_token` for the next page; absent on the last.
 */
/** A page of a list.
 * @typedef {Object} Page_SiteView
 * @property {Array<SiteView>} items The items.
 * @property {(string|null)} [next_page_token] Pass as `page_token` for the next page; absent on the last.
 */
/** A page of a list.
 * @typedef {Object} Page_SnapshotView
 * @property {Array<SnapshotView>} items The items.
 * @property {(string|null)} [next_page_token] Pass as `page_token` for the next page; absent on the last.
 */
/** A page of a list.
 * @typedef {Object} Page_TenantView
 * @property {Array<TenantView>} items The items.
 * @property {(string|null)} [next_page_token] Pass as `page_token` for the next page; absent on the last.
 */
/** A page of a list.
 * @typedef {Object} Page_TokenView
 * @property {Array<TokenView>} items The items.
 * @property {(string|null)} [next_page_token] Pass as `page_token` for the next page; absent on the last.
 */
/** A page of a list.
 * @typedef {Object} Page_UserView
 * @property {Array<UserView>} items The items.
 * @property {(string|null)} [next_page_token] Pass as `page_token` for the next page; absent on the last.
 */
/** Where placement put a guest, or would put it now (`guest_create?dry_run=true`), and why.
 * @typedef {Object} PlacementView
 * @property {Name} cluster The cluster's name.
 * @property {ClusterId} cluster_id The cluster.
 * @property {Country} country The site's country.
 * @property {string} host The host.
 * @property {string} reason Why this host: how many hosts passed every filter, and why this one won.
 * @property {Name} site The site's name.
 * @property {SiteId} site_id The site.
 */
/** `platform_settings_update`: what is given changes.
 * @typedef {Object} PlatformSettingsUpdate
 * @property {(boolean|null)} [require_mfa] Require a second factor of platform staff.
 */
/** The platform's settings.
 * @typedef {Object} PlatformSettingsView
 * @property {boolean} require_mfa Platform staff (users of no tenant) must have a second factor: a password login of one who has none gets a session that may only set one up.
 * @property {(null|Time)} [updated_at] Last changed (absent when never).
 */
/** RFC 9457 problem details.
 * @typedef {Object} Problem
 * @property {Array<DependentsView>} [dependents] What still depends on a resource that could not be deleted (409 `in-use`).
 * @property {string} detail What went wrong, for this request.
 * @property {Array<FieldError>} [errors] The fields at fault, for invalid input.
 * @property {string} instance The request id (also in `X-Request-Id`): what the server's log lines of the request carry.
 * @property {number} status The HTTP status.
 * @property {string} title A short summary of the problem type.
 * @property {string} type A URI naming the problem type (`https://scmp.dev/problems/in-use`).
 */
/** `project_create`.
 * @typedef {Object} ProjectCreate
 * @property {(string|null)} [description] Description.
 * @property {Name} name Name, unique in the tenant.
 * @property {(null|ResourcesBody)} [quota] Quota, taken from the tenant's.
 */
/** ProjectId
 * @typedef {string} ProjectId */
/** A project.
 * @typedef {Object} ProjectView
 * @property {Time} created_at Created.
 * @property {(string|null)} [description] Description (absent when none was given).
 * @property {ProjectId} id Id.
 * @property {Name} name Name.
 * @property {QuotaBody} quota Quota.
 * @property {TenantId} tenant_id Its tenant.
 */
/** A quota: the limits, what is allocated (handed to projects, or reserved by guests) and what is used.
 * @typedef {Object} QuotaBody
 * @property {ResourcesBody} allocated Allocated from it.
 * @property {ResourcesBody} limits The quota.
 * @property {ResourcesBody} used Used.
 */
/** `realm_create`.
 * @typedef {Object} RealmCreate
 * @property {(string|null)} [comment] A note for operators.
 * @property {(null|DirectorySettings)} [directory] The directory's settings (`ldap`, `ad`).
 * @property {Name} name Name: users log in as `user@name`.
 * @property {(null|OpenIdSettings)} [openid] The provider's settings (`openid`).
 * @property {(string|null)} [secret] The bind password (`ldap`, `ad`) or the client secret (`openid`); sealed at rest and never shown.
 * @property {(null|ScheduledSync)} [sync] A scheduled sync (`ldap`, `ad`).
 * @property {(string|null)} [tenant] The tenant whose users log in through it (id or name); a platform realm when left out.
 * @property {RealmType} type `ldap`, `ad` or `openid`.
 */
/** RealmId
 * @typedef {string} RealmId */
/** What a sync changed, or (dry run) would change.
 * @typedef {Object} RealmSyncReport
 * @property {boolean} dry_run Nothing was changed: this is what would be.
 * @property {Array<string>} groups_added Groups made.
 * @property {Array<string>} groups_removed Groups deleted.
 * @property {Array<MembershipView>} memberships_added Memberships added.
 * @property {Array<MembershipView>} memberships_removed Memberships removed.
 * @property {Array<string>} users_added Users made (scmp names).
 * @property {Array<string>} users_removed Users deleted.
 */
/** `realm_sync`.
 * @typedef {Object} RealmSyncRequest
 * @property {boolean} [dry_run] Only answer what would change.
 * @property {boolean} [enable_new] Make scmp users for directory users it has not seen yet (default true).
 * @property {boolean} [remove_vanished] Delete scmp's users and groups of the realm the directory no longer has (default false).
 * @property {SyncScope} [scope] What to bring over (default `both`).
 */
/** One step of `realm_test`.
 * @typedef {Object} RealmTestStep
 * @property {string} detail What was tried and what came back.
 * @property {boolean} ok Whether it worked.
 * @property {string} step `dns`, `tcp`, `tls`, `bind`, `search` (directories) or `discovery`, `jwks` (OpenID providers).
 */
/** `realm_test`: each step until the first that failed.
 * @typedef {Object} RealmTestView
 * @property {boolean} ok Every step worked.
 * @property {Array<RealmTestStep>} steps The steps, in order.
 */
/** What a realm is.
 * @typedef {"ldap"|"ad"|"openid"} RealmType */
/** `realm_update`: what is given replaces what was there.
 * @typedef {Object} RealmUpdate
 * @property {(string|null)} [comment] A new note.
 * @property {(null|DirectorySettings)} [directory] New directory settings (all of them).
 * @property {(null|OpenIdSettings)} [openid] New provider settings (all of them).
 * @property {(string|null)} [secret] A new secret; an empty one removes it.
 * @property {(null|ScheduledSync)} [sync] A new scheduled sync; `every_minutes: 0` turns it off.
 */
/** A realm.
 * @typedef {Object} RealmView
 * @property {(string|null)} [comment] The note.
 * @property {Time} created_at Created.
 * @property {(null|DirectorySettings)} [directory] The directory's settings.
 * @property {RealmId} id Id.
 * @property {Name} name Name.
 * @property {(null|OpenIdSettings)} [openid] The provider's settings.
 * @property {boolean} secret_set Whether a secret is set (it is never shown).
 * @property {(null|ScheduledSync)} [sync] The scheduled sync, if any.
 * @property {(null|TenantId)} [tenant_id] Its tenant; absent for a platform realm.
 * @property {RealmType} type The type.
 * @property {Time} updated_at Last changed.
 */
/** Single-use recovery codes, shown this once.
 * @typedef {Object} RecoveryCodes
 * @property {Array<string>} codes The codes.
 */
/** Amounts of each counted resource.
 * @typedef {Object} ResourcesBody
 * @property {number} disk_gib Disk in GiB.
 * @property {number} guests Guests.
 * @property {number} memory_mib Memory in MiB.
 * @property {number} vcpus Virtual CPUs.
 */
/** `role_binding_create`.
 * @typedef {Object} RoleBindingCreate
 * @property {string} role The role (`tenant-admin`, `viewer`, ...).
 * @property {ScopeBody} scope Where.
 * @property {Subject} subject Who.
 */
/** RoleBindingId
 * @typedef {string} RoleBindingId */
/** A role binding.
 * @typedef {Object} RoleBindingView
 * @property {Time} created_at Created.
 * @property {(null|GroupId)} [group_id] The group, for a binding to a group.
 * @property {RoleBindingId} id Id.
 * @property {string} role The role.
 * @property {string} scope `platform`, `tenant/<id>` or `project/<id>`.
 * @property {(null|UserId)} [user_id] The user, for a binding to a user.
 */
/** A role on a scope.
 * @typedef {Object} RoleView
 * @property {string} role Role name.
 * @property {string} scope Scope.
 */
/** A realm's scheduled sync.
 * @typedef {Object} ScheduledSync
 * @property {boolean} [enable_new] Make scmp users for directory users it has not seen yet (default true).
 * @property {number} every_minutes Every so many minutes (1 to 10080, a week; 0 in an update turns it off).
 * @property {boolean} [remove_vanished] Delete the realm's users and groups the directory no longer has (default false).
 * @property {SyncScope} [scope] What to bring over (default `both`).
 */
/** Where a role applies: `"platform"`, `{"tenant": T}` or `{"project": P}`.
 * @typedef {(string|Object|Object)} ScopeBody */
/** `session_create`.
 * @typedef {Object} SessionCreate
 * @property {string} password Password.
 * @property {(string|null)} [realm] The realm to log in through (id or name), when the user name does not say it.
 * @property {(string|null)} [recovery_code] Or one of their recovery codes (each works once).
 * @property {(string|null)} [totp] The current code of the user's authenticator, when they have one.
 * @property {string} username Login name: scmp's own, or `user@realm` for a directory's user.
 */
/** A session: a short-lived bearer token.
 * @typedef {Object} SessionView
 * @property {Time} expires_at When it expires.
 * @property {boolean} [mfa_setup] The session may only set up the second factor the user's tenant requires (15 minutes; confirming it ends the session, and the next login has the user's rights).
 * @property {string} token The bearer token.
 */
/** A cut to an offline budget, waiting for its site.
 * @typedef {Object} SiteBudgetCut
 * @property {ResourcesBody} granted The grant after the cut.
 * @property {Time} valid_until Its validity.
 */
/** `site_budget_set`: a project's offline budget at a site, escrowed out of its quota.
 * @typedef {Object} SiteBudgetSet
 * @property {ResourcesBody} budget What the site may create for the project while cut off from the platform.
 * @property {(number|null)} [valid_for_s] Seconds it stays valid (3600 to 7776000; 2592000, 30 days, when absent); the platform renews it by setting it again while the site is connected.
 */
/** A project's offline budget at a site.
 * @typedef {Object} SiteBudgetView
 * @property {ResourcesBody} granted What is granted, and reserved in the project's usage.
 * @property {(null|SiteBudgetCut)} [pending] A cut (a smaller grant, a shorter validity, a withdrawal) the site has not confirmed yet: the site is told it, while `granted` stays reserved until the site holds it or `valid_until` passes.
 * @property {SiteId} site The site.
 * @property {Time} updated_at Last changed.
 * @property {ResourcesBody} used What the site reported it took of it (guests made there while cut off, not yet reconciled).
 * @property {Time} valid_until Valid until; then what the site did not use goes back to the project.
 */
/** `site_create`.
 * @typedef {Object} SiteCreate
 * @property {Country} country ISO 3166-1 alpha-2 country code (`DE`), for residency.
 * @property {(string|null)} [description] Description.
 * @property {Name} name Name.
 * @property {(string|null)} [region] Region within the country.
 */
/** SiteId
 * @typedef {string} SiteId */
/** A site's link: its agents' links taken together, the worst first.
 * @typedef {Object} SiteLinkView
 * @property {number} agents Agents fronting the site's clusters.
 * @property {number} connected How many of them are connected.
 * @property {number} [journaled_waiting] Messages its agents' journals hold for the platform, as they last said.
 * @property {(number|null)} [lag_ms] How long ago the least recently heard agent was heard, in milliseconds.
 * @property {(null|Time)} [since] Since when the worst agent is in that state (absent: not since this replica started).
 * @property {Connectivity} state The worst of its agents' states.
 * @property {number} waiting_commands Commands for the site waiting for an answer (or for its agents to come back).
 */
/** `site_update`.
 * @typedef {Object} SiteUpdate
 * @property {(string|null)} [description] Description.
 * @property {(Array<string>|null)} [offline_groups] The groups (names or ids) whose members the site's identity cache holds, so they can work at the site while it is cut off (empty: nobody but the site's break-glass credential).
 * @property {(string|null)} [region] Region within the country.
 */
/** A site.
 * @typedef {Object} SiteView
 * @property {Country} country Country code.
 * @property {Time} created_at Created.
 * @property {(string|null)} [description] Description (absent when none was given).
 * @property {SiteId} id Id.
 * @property {(null|SiteLinkView)} [link] The site's link to the platform, when its clusters are reached through agents (absent for a site reached directly).
 * @property {Name} name Name.
 * @property {Array<GroupId>} [offline_groups] The groups whose members the site's identity cache holds (ids).
 * @property {(string|null)} [region] Region within the country (absent when none was given).
 */
/** `snapshot_create`.
 * @typedef {Object} SnapshotCreate
 * @property {string} name Name: a letter, then letters, digits, `_` or `-` (up to 40).
 */
/** A snapshot.
 * @typedef {Object} SnapshotView
 * @property {(string|null)} [description] Description (absent when it has none).
 * @property {string} name Name.
 * @property {(null|Time)} [taken_at] When it was taken, when Proxmox says.
 */
/** `sso_begin`: where the provider sends the browser back.
 * @typedef {Object} SsoBegin
 * @property {string} redirect_uri The redirect URI registered with the provider: an https URL (the portal's `/portal/sso-callback`), or http to a loopback address (the CLI's own listener).
 */
/** A sign-on begun.
 * @typedef {Object} SsoBegun
 * @property {string} authorization_url Send the browser here.
 * @property {string} binding Keep this and send it with `sso_complete`: the sign-on completes only with it (it binds the state to whoever began it).
 * @property {string} state The `state` the provider sends back.
 */
/** `sso_complete`: what the provider sent back, and the binding.
 * @typedef {Object} SsoComplete
 * @property {string} binding The binding `sso_begin` answered.
 * @property {string} code The `code` the provider sent back.
 * @property {(string|null)} [recovery_code] Or one of the user's recovery codes.
 * @property {string} state The `state` the provider sent back.
 * @property {(string|null)} [totp] The current code of the user's authenticator, when a second factor is asked for (401 `mfa-required`: send the same state, code and binding again with it).
 */
/** `sso_logout_url`.
 * @typedef {Object} SsoLogoutView
 * @property {(string|null)} [url] The provider's end-session URL for this session (absent when the session is not a single sign-on one, or the provider has none): send the browser there after `session_delete`.
 */
/** A storage as one node sees it.
 * @typedef {Object} StorageView
 * @property {string} content Content types.
 * @property {string} kind Plugin type (`rbd`, `zfspool`, `dir`, ...).
 * @property {string} name Storage id.
 * @property {string} node Node.
 * @property {boolean} shared Shared between nodes.
 * @property {number} total_gib Size.
 * @property {number} used_gib In use.
 */
/** Who a role is bound to: `{"user": U}` or `{"group": G}`.
 * @typedef {Object} Subject
 * @property {(string|null)} [group] The group (id or name).
 * @property {(string|null)} [user] The user (id or name).
 */
/** What `realm_sync` brings over.
 * @typedef {"users"|"groups"|"both"} SyncScope */
/** A Proxmox task.
 * @typedef {Object} TaskView
 * @property {(string|null)} [id] What it acts on (a VMID).
 * @property {string} kind `qmclone`, `qmstart`, ...
 * @property {string} node Node.
 * @property {Time} started_at When it started.
 * @property {(string|null)} [status] `OK`, an error, or absent while it runs.
 * @property {Upid} upid Its UPID.
 * @property {string} user Who started it.
 */
/** `tenant_create`.
 * @typedef {Object} TenantCreate
 * @property {(Array<Country>|null)} [countries] Countries (ISO 3166-1 alpha-2) the tenant's guests may run in; anywhere when left out.
 * @property {(string|null)} [description] Description.
 * @property {Name} name Name: lower-case letters, digits and hyphens, starting with a letter.
 * @property {(null|ResourcesBody)} [quota] Quota (none when left out).
 */
/** TenantId
 * @typedef {string} TenantId */
/** `tenant_update`.
 * @typedef {Object} TenantUpdate
 * @property {(Array<Country>|null)} [countries] Countries the tenant's guests may run in (platform administrators only); `[]` for anywhere.
 * @property {(string|null)} [description] The new description.
 * @property {(boolean|null)} [require_mfa] Whether its users must have a second factor (a password login of one who has none may only set one up).
 */
/** A tenant.
 * @typedef {Object} TenantView
 * @property {Array<Country>} countries Countries its guests may run in (empty: anywhere).
 * @property {Time} created_at Created.
 * @property {(string|null)} [description] Description (absent when none was given).
 * @property {TenantId} id Id.
 * @property {Name} name Name.
 * @property {QuotaBody} quota Quota.
 * @property {boolean} [require_mfa] Its users must have a second factor.
 */
/** An RFC 3339 time in UTC
 * @typedef {string} Time */
/** `token_create`.
 * @typedef {Object} TokenCreate
 * @property {(null|Time)} [expires_at] When it expires (RFC 3339); never when left out.
 * @property {string} name A label to recognise it by (1 to 100 characters).
 */
/** A token (its secret only in the answer to `token_create`).
 * @typedef {Object} TokenView
 * @property {Time} created_at Created.
 * @property {(null|Time)} [expires_at] When it expires (absent: never).
 * @property {CredentialId} id Id.
 * @property {string} name Name.
 * @property {(string|null)} [secret] The bearer token: shown once, when created.
 */
/** `mfa_totp_confirm`: the authenticator's first code.
 * @typedef {Object} TotpConfirm
 * @property {string} code The current code (6 digits).
 */
/** `mfa_totp_disable`: proof that the caller holds the factor.
 * @typedef {Object} TotpDisable
 * @property {(string|null)} [code] A current code.
 * @property {(string|null)} [recovery_code] Or a recovery code.
 */
/** A new authenticator secret, shown this once.
 * @typedef {Object} TotpEnrollment
 * @property {string} otpauth_uri The `otpauth://totp/...` URI authenticator apps read.
 * @property {string} qr_svg The URI as a QR code (SVG).
 * @property {string} secret The secret (base32), for typing in.
 */
/** A Proxmox VE task id (UPID:node:pid:pstart:starttime:type:id:user:)
 * @typedef {string} Upid */
/** `user_create`.
 * @typedef {Object} UserCreate
 * @property {(string|null)} [email] E-mail address.
 * @property {(string|null)} [login] The user's login name in that realm (the name when left out).
 * @property {Name} name Login name.
 * @property {(string|null)} [password] Password for `session_create` (at least 12 characters); none for token-only users.
 * @property {(string|null)} [realm] The realm the user logs in through (id or name), instead of a password of scmp's: the realm's own users are made at their first login, this makes one beforehand (a tenant's user of a platform realm, say).
 * @property {(string|null)} [tenant] The user's tenant (id or name); none for platform staff.
 */
/** UserId
 * @typedef {string} UserId */
/** `user_update`.
 * @typedef {Object} UserUpdate
 * @property {(string|null)} [email] New e-mail address.
 * @property {(string|null)} [password] New password (at least 12 characters).
 */
/** A user.
 * @typedef {Object} UserView
 * @property {(string|null)} [email] E-mail address (absent when none was given).
 * @property {UserId} id Id.
 * @property {Name} name Name.
 * @property {string} realm Where the user is defined: a realm's name, or `local`.
 * @property {(string|null)} [tenant] That tenant's name.
 * @property {(null|TenantId)} [tenant_id] Its tenant (absent for platform staff).
 */
export {};
