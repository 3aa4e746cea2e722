// The API's types, for the portal's type check: generated from openapi/scmp.json by
// tests/portal/gen-types.mjs (do not edit; run `node tests/portal/gen-types.mjs` after the
// document changes). Type definitions only: nothing here runs.

/** A new join token: shown once, give it to the site's `scmp agent`.
 * @typedef {Object} JoinTokenCreated
 * @property {import('./api-types.js').JoinTokenView} join_token The token.
 * @property {string} token The token's text (`scmpjoin.<id>.<secret>.<ca-sha256>`).
 */
/** JoinTokenId
 * @typedef {string} JoinTokenId */
/** A join token (never its secret).
 * @typedef {Object} JoinTokenView
 * @property {(null|import('./api-types.js').AgentId)} [agent] The agent it enrolled (absent while unused).
 * @property {import('./api-types.js').Time} created_at Made.
 * @property {string} created_by Who made it.
 * @property {import('./api-types.js').Time} expires_at Good until.
 * @property {import('./api-types.js').JoinTokenId} id Id.
 * @property {import('./api-types.js').SiteId} site The site whose agent it enrolls.
 * @property {(null|import('./api-types.js').Time)} [used_at] When an agent enrolled with it (absent while unused).
 */
/** `tenant_labels_update`, `project_labels_update`: the labels, all of them.
 * @typedef {Object} LabelsBody
 * @property {Object<string, string>} labels Key to value: keys of lower-case letters, digits and `. _ / -`, values of letters, digits and `. _ -`; at most 32.
 */
/** How a directory is spoken to.
 * @typedef {"ldap"|"ldaps"|"ldap+starttls"} LdapMode */
/** `guest_lease_extend`.
 * @typedef {Object} LeaseExtend
 * @property {number} days Days to add, from its end (or from now, when it has ended): 1 to 365, within the policy's limit.
 */
/** How long the guests a `lease` policy holds at creation live.
 * @typedef {Object} LeaseRule
 * @property {number} days Days from creation to the end (1 to 365).
 * @property {(number|null)} [grace_days] Days between the end (the guest is stopped) and its decommissioning (at most 90; default 7).
 * @property {(number|null)} [max_days] The longest a lease may last with its extensions, in days from creation (at least `days`, at most 3650; default twice `days`).
 * @property {(number|null)} [warn_days] Days before the end the owners are warned (at most `days`; default 3).
 */
/** A guest's lease.
 * @typedef {Object} LeaseView
 * @property {import('./api-types.js').Time} decommission_at When the guest is decommissioned unless the lease is extended.
 * @property {import('./api-types.js').Time} expires_at When it ends (the guest is stopped).
 * @property {import('./api-types.js').Time} max_until The latest it can be extended to.
 * @property {string} policy The policy that gave it.
 * @property {string} state `active`, `warned`, `stopped` (ended) or `ending` (being decommissioned).
 */
/** A rendered configuration: no private key in it, it names the key file of its end.
 * @typedef {Object} LinkConfigView
 * @property {Array<import('./api-types.js').LinkFile>} files Its files.
 * @property {string} format Its format.
 */
/** One file of a configuration.
 * @typedef {Object} LinkFile
 * @property {string} name Its name (`scmp0.conf`, `90-scmp0.netdev`, ...).
 * @property {string} text Its text.
 */
/** The datacentre's hub (`site_link_hub_set`).
 * @typedef {Object} LinkHubBody
 * @property {string} endpoint Where the sites reach it, `host:port`.
 * @property {(number|null)} [listen_port] The port it listens on (default 51820).
 * @property {string} public_key Its public key (WireGuard's base64; its private key stays on the hub).
 * @property {string} tunnel_cidr The tunnel prefix (`10.255.0.0/24`); the hub has its first address, the sites the next.
 */
/** A user joining or leaving a group.
 * @typedef {Object} MembershipView
 * @property {string} group The group's scmp name.
 * @property {string} user The user's scmp name.
 */
/** Who am I.
 * @typedef {Object} MeView
 * @property {import('./api-types.js').CredentialId} credential The credential in use.
 * @property {import('./api-types.js').UserId} id User id.
 * @property {import('./api-types.js').Name} name User name.
 * @property {Array<import('./api-types.js').RoleView>} roles Roles and their scopes (`platform`, `tenant/<id>`, `project/<id>`).
 * @property {(null|import('./api-types.js').TenantId)} [tenant_id] The user's tenant (absent for platform staff).
 */
/** The caller's second factor.
 * @typedef {Object} MfaView
 * @property {boolean} enrolling An enrolment waits for its first code.
 * @property {number} recovery_codes_left Recovery codes not used yet.
 * @property {boolean} totp An authenticator (TOTP) is confirmed: logins ask for its code.
 */
/** A name: lower-case letters, digits and hyphens, starting with a letter
 * @typedef {string} Name */
/** One line of a site's NAT table.
 * @typedef {Object} NatEntryView
 * @property {string} guest The guest's name.
 * @property {string} private The guest's private address.
 * @property {string} public The public address.
 */
/** A site's 1:1 NAT table, for its edge router: the entries and an nftables ruleset of them.
 * @typedef {Object} NatTableView
 * @property {Array<import('./api-types.js').NatEntryView>} entries Public to private, by public address.
 * @property {string} nftables The same as an nftables ruleset (`nft -f`): table `ip scmp_nat`, replaced as a whole.
 * @property {import('./api-types.js').SiteId} site The site.
 */
/** `network_create`.
 * @typedef {Object} NetworkCreate
 * @property {(string|null)} [description] Description.
 * @property {import('./api-types.js').Name} name Name, unique in the project (guests' NICs name it).
 * @property {string} site The site it is at (by name).
 * @property {Array<import('./api-types.js').SubnetCreate>} subnets Its subnets (1 to 8, not overlapping).
 */
/** NetworkId
 * @typedef {string} NetworkId */
/** The network a guest joins: a bridge of its cluster, and optionally a VLAN on it.
 * @typedef {Object} NetworkSpec
 * @property {(string|null)} [bridge] The bridge (`vmbr0` when left out); placement picks a host that has it.
 * @property {(number|null)} [vlan] A VLAN (1..4094) on that bridge, which must then be VLAN aware.
 */
/** `network_update`: the network's subnets, all of them (a subnet kept by its `cidr` may change its gateway, DHCP range and source NAT; one left out is removed, unless guests have addresses in it).
 * @typedef {Object} NetworkUpdate
 * @property {(string|null)} [description] Description (none: unchanged).
 * @property {Array<import('./api-types.js').SubnetCreate>} subnets Its subnets (1 to 8, not overlapping).
 */
/** A tenant network.
 * @typedef {Object} NetworkView
 * @property {import('./api-types.js').Time} created_at Created.
 * @property {string} description Description.
 * @property {(string|null)} [error] Why its last change failed.
 * @property {import('./api-types.js').NetworkId} id Id.
 * @property {import('./api-types.js').Name} name Name.
 * @property {import('./api-types.js').ProjectId} project_id Its project.
 * @property {import('./api-types.js').SiteId} site_id Its site.
 * @property {string} state `creating`, `ready` or `deleting`.
 * @property {Array<import('./api-types.js').SubnetView>} subnets Its subnets.
 * @property {number} tag Its VLAN tag or VNI.
 * @property {import('./api-types.js').Time} updated_at Last changed.
 * @property {string} vnet Its VNet (the bridge of its guests' NICs).
 * @property {string} zone Its SDN zone on the site's clusters.
 * @property {string} zone_type `vlan`, `vxlan`, `evpn` or `simple`.
 */
/** A NIC on a tenant network.
 * @typedef {Object} NicSpec
 * @property {(string|null)} [address] The address it should have (free, in a subnet of the network; none: the lowest free).
 * @property {string} network The network's name in the guest's project.
 */
/** A guest's NIC on a tenant network.
 * @typedef {Object} NicView
 * @property {string} address Its address with the prefix length (`10.20.0.2/24`).
 * @property {string} bridge The bridge it is on (the network's VNet).
 * @property {(string|null)} [gateway] The subnet's gateway.
 * @property {string} mac Its MAC address.
 * @property {string} network The network's name.
 * @property {import('./api-types.js').NetworkId} network_id The network's id.
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
/** What is asked.
 * @typedef {"guest_create"|"guest_resize"|"guest_migrate"} Operation */
/** OperationId
 * @typedef {string} OperationId */
/** What an operation does.
 * @typedef {"guest_create"|"guest_delete"|"guest_start"|"guest_stop"|"guest_shutdown"|"guest_reboot"|"guest_resize"|"guest_migrate"|"snapshot_create"|"snapshot_rollback"|"snapshot_delete"|"network_create"|"network_delete"|"network_update"|"address_attach"|"address_detach"|"security_group_apply"|"security_group_delete"|"guest_firewall"|"guest_backup"|"backup_delete"|"guest_restore"} OperationKind */
/** Where an operation is.
 * @typedef {"pending"|"awaiting_approval"|"running"|"succeeded"|"failed"|"cancelled"} OperationState */
/** An operation.
 * @typedef {Object} OperationView
 * @property {import('./api-types.js').Time} created_at Created.
 * @property {(string|null)} [error] Why it failed.
 * @property {(null|import('./api-types.js').GuestId)} [guest_id] The guest it acts on (guest operations).
 * @property {import('./api-types.js').OperationId} id Id.
 * @property {import('./api-types.js').OperationKind} kind What it does.
 * @property {(null|import('./api-types.js').NetworkId)} [network_id] The network it acts on (network operations).
 * @property {number} progress 0 to 100.
 * @property {string} request_id The request that started it (its audit entries carry the same id).
 * @property {import('./api-types.js').OperationState} state Where it is.
 * @property {string} target What it acts on.
 * @property {Array<string>} tasks Proxmox task UPIDs it ran.
 * @property {import('./api-types.js').Time} updated_at Last changed.
 * @property {Array<import('./api-types.js').PolicyWarning>} [warnings] What governance policies warned about when it was admitted.
 */
/** A page of a list.
 * @typedef {Object} Page_AgentView
 * @property {Array<import('./api-types.js').AgentView>} items The items.
 * @property {(string|null)} [next_page_token] Pass as `page_token` for the next page; absent on the last.
 */
/** A page of a list.
 * @typedef {Object} Page_ApprovalView
 * @property {Array<import('./api-types.js').ApprovalView>} items The items.
 * @property {(string|null)} [next_page_token] Pass as `page_token` for the next page; absent on the last.
 */
/** A page of a list.
 * @typedef {Object} Page_AuditEntryView
 * @property {Array<import('./api-types.js').AuditEntryView>} items The items.
 * @property {(string|null)} [next_page_token] Pass as `page_token` for the next page; absent on the last.
 */
/** A page of a list.
 * @typedef {Object} Page_BackupView
 * @property {Array<import('./api-types.js').BackupView>} items The items.
 * @property {(string|null)} [next_page_token] Pass as `page_token` for the next page; absent on the last.
 */
/** A page of a list.
 * @typedef {Object} Page_CheckpointView
 * @property {Array<import('./api-types.js').CheckpointView>} items The items.
 * @property {(string|null)} [next_page_token] Pass as `page_token` for the next page; absent on the last.
 */
/** A page of a list.
 * @typedef {Object} Page_ClusterView
 * @property {Array<import('./api-types.js').ClusterView>} items The items.
 * @property {(string|null)} [next_page_token] Pass as `page_token` for the next page; absent on the last.
 */
/** A page of a list.
 * @typedef {Object} Page_GroupView
 * @property {Array<import('./api-types.js').GroupView>} items The items.
 * @property {(string|null)} [next_page_token] Pass as `page_token` for the next page; absent on the last.
 */
/** A page of a list.
 * @typedef {Object} Page_GuestView
 * @property {Array<import('./api-types.js').GuestView>} items The items.
 * @property {(string|null)} [next_page_token] Pass as `page_token` for the next page; absent on the last.
 */
/** A page of a list.
 * @typedef {Object} Page_HostView
 * @property {Array<import('./api-types.js').HostView>} items The items.
 * @property {(string|null)} [next_page_token] Pass as `page_token` for the next page; absent on the last.
 */
/** A page of a list.
 * @typedef {Object} Page_ImageView
 * @property {Array<import('./api-types.js').ImageView>} items The items.
 * @property {(string|null)} [next_page_token] Pass as `page_token` for the next page; absent on the last.
 */
/** A page of a list.
 * @typedef {Object} Page_InstanceTypeView
 * @property {Array<import('./api-types.js').InstanceTypeView>} items The items.
 * @property {(string|null)} [next_page_token] Pass as `page_token` for the next page; absent on the last.
 */
/** A page of a list.
 * @typedef {Object} Page_JoinTokenView
 * @property {Array<import('./api-types.js').JoinTokenView>} items The items.
 * @property {(string|null)} [next_page_token] Pass as `page_token` for the next page; absent on the last.
 */
/** A page of a list.
 * @typedef {Object} Page_NetworkView
 * @property {Array<import('./api-types.js').NetworkView>} items The items.
 * @property {(string|null)} [next_page_token] Pass as `page_token` for the next page; absent on the last.
 */
/** A page of a list.
 * @typedef {Object} Page_OperationView
 * @property {Array<import('./api-types.js').OperationView>} items The items.
 * @property {(string|null)} [next_page_token] Pass as `page_token` for the next page; absent on the last.
 */
/** A page of a list.
 * @typedef {Object} Page_PolicyView
 * @property {Array<import('./api-types.js').PolicyView>} items The items.
 * @property {(string|null)} [next_page_token] Pass as `page_token` for the next page; absent on the last.
 */
/** A page of a list.
 * @typedef {Object} Page_ProjectView
 * @property {Array<import('./api-types.js').ProjectView>} items The items.
 * @property {(string|null)} [next_page_token] Pass as `page_token` for the next page; absent on the last.
 */
/** A page of a list.
 * @typedef {Object} Page_PublicAddressView
 * @property {Array<import('./api-types.js').PublicAddressView>} items The items.
 * @property {(string|null)} [next_page_token] Pass as `page_token` for the next page; absent on the last.
 */
/** A page of a list.
 * @typedef {Object} Page_PublicPoolView
 * @property {Array<import('./api-types.js').PublicPoolView>} items The items.
 * @property {(string|null)} [next_page_token] Pass as `page_token` for the next page; absent on the last.
 */
/** A page of a list.
 * @typedef {Object} Page_RealmView
 * @property {Array<import('./api-types.js').RealmView>} items The items.
 * @property {(string|null)} [next_page_token] Pass as `page_token` for the next page; absent on the last.
 */
/** A page of a list.
 * @typedef {Object} Page_RoleBindingView
 * @property {Array<import('./api-types.js').RoleBindingView>} items The items.
 * @property {(string|null)} [next_page_token] Pass as `page_token` for the next page; absent on the last.
 */
/** A page of a list.
 * @typedef {Object} Page_RoleDefinition
 * @property {Array<import('./api-types.js').RoleDefinition>} items The items.
 * @property {(string|null)} [next_page_token] Pass as `page_token` for the next page; absent on the last.
 */
/** A page of a list.
 * @typedef {Object} Page_SecurityGroupView
 * @property {Array<import('./api-types.js').SecurityGroupView>} items The items.
 * @property {(string|null)} [next_page_token] Pass as `page_token` for the next page; absent on the last.
 */
/** A page of a list.
 * @typedef {Object} Page_SiteBudgetView
 * @property {Array<import('./api-types.js').SiteBudgetView>} items The items.
 * @property {(string|null)} [next_page_token] Pass as `page_token` for the next page; absent on the last.
 */
/** A page of a list.
 * @typedef {Object} Page_SiteView
 * @property {Array<import('./api-types.js').SiteView>} items The items.
 * @property {(string|null)} [next_page_token] Pass as `page_token` for the next page; absent on the last.
 */
/** A page of a list.
 * @typedef {Object} Page_SnapshotView
 * @property {Array<import('./api-types.js').SnapshotView>} items The items.
 * @property {(string|null)} [next_page_token] Pass as `page_token` for the next page; absent on the last.
 */
/** A page of a list.
 * @typedef {Object} Page_TenantView
 * @property {Array<import('./api-types.js').TenantView>} items The items.
 * @property {(string|null)} [next_page_token] Pass as `page_token` for the next page; absent on the last.
 */
/** A page of a list.
 * @typedef {Object} Page_TokenView
 * @property {Array<import('./api-types.js').TokenView>} items The items.
 * @property {(string|null)} [next_page_token] Pass as `page_token` for the next page; absent on the last.
 */
/** A page of a list.
 * @typedef {Object} Page_UserView
 * @property {Array<import('./api-types.js').UserView>} items The items.
 * @property {(string|null)} [next_page_token] Pass as `page_token` for the next page; absent on the last.
 */
/** Where placement put a guest, or would put it now (`guest_create?dry_run=true`), and why.
 * @typedef {Object} PlacementView
 * @property {import('./api-types.js').Name} cluster The cluster's name.
 * @property {import('./api-types.js').ClusterId} cluster_id The cluster.
 * @property {import('./api-types.js').Country} country The site's country.
 * @property {string} host The host.
 * @property {Array<import('./api-types.js').PolicyWarning>} [policy_approvals] The policies whose approvers must approve the request before it runs.
 * @property {Array<import('./api-types.js').PolicyWarning>} [policy_warnings] What governance policies warn about the request (a refusal is an error instead).
 * @property {string} reason Why this host: how many hosts passed every filter, and why this one won.
 * @property {import('./api-types.js').Name} site The site's name.
 * @property {import('./api-types.js').SiteId} site_id The site.
 */
/** `platform_settings_update`: what is given changes.
 * @typedef {Object} PlatformSettingsUpdate
 * @property {(boolean|null)} [require_mfa] Require a second factor of platform staff.
 */
/** The platform's settings.
 * @typedef {Object} PlatformSettingsView
 * @property {boolean} require_mfa Platform staff (users of no tenant) must have a second factor: a password login of one who has none gets a session that may only set one up.
 * @property {(null|import('./api-types.js').Time)} [updated_at] Last changed (absent when never).
 */
/** `policy_create`: exactly one of `builtin` and `cedar`.
 * @typedef {Object} PolicyCreate
 * @property {(boolean|null)} [active] Whether it is enforced (default true); an inactive policy can be tried with dry runs.
 * @property {(null|import('./api-types.js').ApprovalRule)} [approval] With `require_approval`: who approves, how many, by when.
 * @property {(null|import('./api-types.js').Builtin)} [builtin] A built-in policy with its parameters.
 * @property {(string|null)} [cedar] Cedar `forbid` rules over the input (see `GET /policies/schema`).
 * @property {(string|null)} [description] What it is for.
 * @property {import('./api-types.js').Enforcement} enforcement What a violation does.
 * @property {(null|import('./api-types.js').LeaseRule)} [lease] With `lease`: how long the guests it holds live.
 * @property {(string|null)} [message] What a violation says (a built-in policy says what it checks when this is absent).
 * @property {import('./api-types.js').Name} name Name, unique on the platform; refusals name it.
 * @property {(string|null)} [project] The project it applies to (id).
 * @property {(string|null)} [tenant] The tenant it applies to (id or name); with neither this nor `project`, the platform.
 */
/** `policy_dry_run`: what a new policy, or a new version of one, would have done to recent admissions in its scope.
 * @typedef {Object} PolicyDryRun
 * @property {(number|null)} [last] How many of the newest admissions to look at (default 100, at most 1000).
 * @property {import('./api-types.js').PolicyCreate} policy The policy as it would be (its name need not exist; an existing one is not changed).
 */
/** One admission a dry run's policy would have held against.
 * @typedef {Object} PolicyDryRunHit
 * @property {string} actor Who asked.
 * @property {import('./api-types.js').Time} at When it was admitted.
 * @property {string} guest The guest's name.
 * @property {import('./api-types.js').Operation} operation What was asked.
 * @property {import('./api-types.js').ProjectId} project_id The project.
 */
/** What a dry run found.
 * @typedef {Object} PolicyDryRunReport
 * @property {number} examined How many admissions were looked at.
 * @property {Array<import('./api-types.js').PolicyDryRunHit>} hits Those the policy would have refused (or warned about, for a `warn` policy).
 */
/** PolicyId
 * @typedef {string} PolicyId */
/** `policy_update`: a new version; what is given replaces what was there.
 * @typedef {Object} PolicyUpdate
 * @property {(boolean|null)} [active] Enforced or not.
 * @property {(null|import('./api-types.js').ApprovalRule)} [approval] A new approval rule (for `require_approval`; its ITSM secret is kept when left out).
 * @property {(null|import('./api-types.js').Builtin)} [builtin] New built-in parameters (replacing Cedar rules, if it had them).
 * @property {(string|null)} [cedar] New Cedar rules (replacing a built-in, if it was one).
 * @property {(string|null)} [description] A new description.
 * @property {(null|import('./api-types.js').Enforcement)} [enforcement] A new enforcement level.
 * @property {(null|import('./api-types.js').LeaseRule)} [lease] A new lease rule (for `lease`).
 * @property {(string|null)} [message] A new message (empty: the built-in's own).
 * @property {number} version The version this change is made from (refused when the policy changed since).
 */
/** One version of a policy.
 * @typedef {Object} PolicyVersionView
 * @property {boolean} active Whether it was enforced.
 * @property {(null|import('./api-types.js').ApprovalRule)} [approval] Its approval rule, for one that required approval.
 * @property {(null|import('./api-types.js').Builtin)} [builtin] The built-in policy, for one.
 * @property {(string|null)} [cedar] Its Cedar rules, for a custom policy.
 * @property {string} changed_by Who made it.
 * @property {import('./api-types.js').Time} created_at When.
 * @property {import('./api-types.js').Enforcement} enforcement What a violation did.
 * @property {(null|import('./api-types.js').LeaseRule)} [lease] Its lease rule, for one that gave leases.
 * @property {(string|null)} [message] What it said, when it had its own message.
 * @property {number} version The version.
 */
/** A policy.
 * @typedef {Object} PolicyView
 * @property {boolean} active Whether it is enforced.
 * @property {(null|import('./api-types.js').ApprovalRule)} [approval] With `require_approval`: who approves, how many, by when (the ITSM secret not shown).
 * @property {(null|import('./api-types.js').Builtin)} [builtin] The built-in policy, for one.
 * @property {string} cedar The Cedar rules it is evaluated as (a built-in's rendered).
 * @property {import('./api-types.js').Time} created_at Created.
 * @property {string} description What it is for.
 * @property {import('./api-types.js').Enforcement} enforcement What a violation does.
 * @property {import('./api-types.js').PolicyId} id Id.
 * @property {(null|import('./api-types.js').LeaseRule)} [lease] With `lease`: how long the guests it holds live.
 * @property {string} message What a violation says.
 * @property {import('./api-types.js').Name} name Name.
 * @property {(null|import('./api-types.js').ProjectId)} [project_id] The project it applies to.
 * @property {(null|import('./api-types.js').TenantId)} [tenant_id] The tenant it applies to (absent: the platform).
 * @property {import('./api-types.js').Time} updated_at Last changed.
 * @property {number} version Its version.
 */
/** A policy's warning about a request that went ahead.
 * @typedef {Object} PolicyWarning
 * @property {string} message What it says.
 * @property {string} policy The policy.
 */
/** RFC 9457 problem details.
 * @typedef {Object} Problem
 * @property {Array<import('./api-types.js').DependentsView>} [dependents] What still depends on a resource that could not be deleted (409 `in-use`).
 * @property {string} detail What went wrong, for this request.
 * @property {Array<import('./api-types.js').FieldError>} [errors] The fields at fault, for invalid input.
 * @property {string} instance The request id (also in `X-Request-Id`): what the server's log lines of the request carry.
 * @property {(string|null)} [policy] The governance policy that refused the request (422 `policy`).
 * @property {number} status The HTTP status.
 * @property {string} title A short summary of the problem type.
 * @property {string} type A URI naming the problem type (`https://scmp.dev/problems/in-use`).
 */
/** `project_create`.
 * @typedef {Object} ProjectCreate
 * @property {(string|null)} [description] Description.
 * @property {import('./api-types.js').Name} name Name, unique in the tenant.
 * @property {(null|import('./api-types.js').ResourcesBody)} [quota] Quota, taken from the tenant's.
 */
/** ProjectId
 * @typedef {string} ProjectId */
/** A project.
 * @typedef {Object} ProjectView
 * @property {import('./api-types.js').Time} created_at Created.
 * @property {(string|null)} [description] Description (absent when none was given).
 * @property {import('./api-types.js').ProjectId} id Id.
 * @property {Object<string, string>} [labels] Labels (key to value), which governance policies read.
 * @property {import('./api-types.js').Name} name Name.
 * @property {import('./api-types.js').QuotaBody} quota Quota.
 * @property {import('./api-types.js').TenantId} tenant_id Its tenant.
 */
/** The protocol a security group rule matches.
 * @typedef {"any"|"tcp"|"udp"|"icmp"|"icmpv6"} Protocol */
/** `public_address_attach`.
 * @typedef {Object} PublicAddressAttach
 * @property {string} guest The guest (name or id), of the address's project and site.
 * @property {(number|null)} [nic] NAT: the guest's NIC whose address it maps to (0 when absent); routed addresses get a NIC of their own (net8 and up) and take no index.
 */
/** `public_address_create`: an address for the project at a site, within its quota.
 * @typedef {Object} PublicAddressCreate
 * @property {(string|null)} [address] The address wanted, if free.
 * @property {(string|null)} [description] Description.
 * @property {(string|null)} [family] `ipv4` (when absent) or `ipv6`.
 * @property {(string|null)} [pool] The pool to take it from (by name; else any of the site's pools of the family).
 * @property {string} site The site (by name).
 */
/** PublicAddressId
 * @typedef {string} PublicAddressId */
/** A public address held by a project.
 * @typedef {Object} PublicAddressView
 * @property {string} address The address.
 * @property {import('./api-types.js').Time} created_at Allocated.
 * @property {string} description Description.
 * @property {string} family `ipv4` or `ipv6`.
 * @property {(string|null)} [guest] The guest it is on (name).
 * @property {import('./api-types.js').PublicAddressId} id Id.
 * @property {string} mode `nat` or `routed`, as its pool.
 * @property {(number|null)} [nic] NAT: the guest's NIC it maps to; routed: the guest's NIC it is (`netN`).
 * @property {import('./api-types.js').Name} pool Its pool's name.
 * @property {import('./api-types.js').ProjectId} project The project.
 * @property {import('./api-types.js').SiteId} site The site.
 * @property {string} state `free`, `attaching`, `attached` or `detaching`.
 */
/** `public_pool_create`.
 * @typedef {Object} PublicPoolCreate
 * @property {(string|null)} [bridge] The uplink bridge on the nodes (routed).
 * @property {string} cidr The prefix (`203.0.113.0/28`, `2001:db8:1::/64`).
 * @property {(string|null)} [gateway] The upstream gateway in it (never handed out; needed for routed pools).
 * @property {string} mode `nat` (1:1 NAT at the site's edge router to a guest's private address; IPv4 only) or `routed` (a NIC of the guest's own on the uplink bridge).
 * @property {import('./api-types.js').Name} name Name, unique at the site.
 * @property {(number|null)} [vlan] Its VLAN tag (routed; none: untagged).
 */
/** PublicPoolId
 * @typedef {string} PublicPoolId */
export {};
