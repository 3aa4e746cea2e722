// The API's types, for the portal's type check: generated from openapi/scmp.json by
// tests/portal/gen-types.mjs (do not edit; run `node tests/portal/gen-types.mjs` after the
// document changes). Type definitions only: nothing here runs.

/** A pool of public addresses.
 * @typedef {Object} PublicPoolView
 * @property {number} allocated How many projects hold.
 * @property {(string|null)} [bridge] The uplink bridge (routed).
 * @property {string} cidr The prefix.
 * @property {import('./api-types.js').Time} created_at Created.
 * @property {string} family `ipv4` or `ipv6`.
 * @property {(string|null)} [gateway] The gateway.
 * @property {import('./api-types.js').PublicPoolId} id Id.
 * @property {string} mode `nat` or `routed`.
 * @property {import('./api-types.js').Name} name Name.
 * @property {import('./api-types.js').SiteId} site The site.
 * @property {number} size How many addresses it hands out (counted up to 1,048,576).
 * @property {(number|null)} [vlan] The VLAN tag (routed).
 */
/** A quota: the limits, what is allocated (handed to projects, or reserved by guests) and what is used.
 * @typedef {Object} QuotaBody
 * @property {import('./api-types.js').ResourcesBody} allocated Allocated from it.
 * @property {import('./api-types.js').ResourcesBody} limits The quota.
 * @property {import('./api-types.js').ResourcesBody} used Used.
 */
/** `realm_create`.
 * @typedef {Object} RealmCreate
 * @property {(string|null)} [comment] A note for operators.
 * @property {(null|import('./api-types.js').DirectorySettings)} [directory] The directory's settings (`ldap`, `ad`).
 * @property {import('./api-types.js').Name} name Name: users log in as `user@name`.
 * @property {(null|import('./api-types.js').OpenIdSettings)} [openid] The provider's settings (`openid`).
 * @property {(string|null)} [secret] The bind password (`ldap`, `ad`) or the client secret (`openid`); sealed at rest and never shown.
 * @property {(null|import('./api-types.js').ScheduledSync)} [sync] A scheduled sync (`ldap`, `ad`).
 * @property {(string|null)} [tenant] The tenant whose users log in through it (id or name); a platform realm when left out.
 * @property {import('./api-types.js').RealmType} type `ldap`, `ad` or `openid`.
 */
/** RealmId
 * @typedef {string} RealmId */
/** What a sync changed, or (dry run) would change.
 * @typedef {Object} RealmSyncReport
 * @property {boolean} dry_run Nothing was changed: this is what would be.
 * @property {Array<string>} groups_added Groups made.
 * @property {Array<string>} groups_removed Groups deleted.
 * @property {Array<import('./api-types.js').MembershipView>} memberships_added Memberships added.
 * @property {Array<import('./api-types.js').MembershipView>} memberships_removed Memberships removed.
 * @property {Array<string>} users_added Users made (scmp names).
 * @property {Array<string>} users_removed Users deleted.
 */
/** `realm_sync`.
 * @typedef {Object} RealmSyncRequest
 * @property {boolean} [dry_run] Only answer what would change.
 * @property {boolean} [enable_new] Make scmp users for directory users it has not seen yet (default true).
 * @property {boolean} [remove_vanished] Delete scmp's users and groups of the realm the directory no longer has (default false).
 * @property {import('./api-types.js').SyncScope} [scope] What to bring over (default `both`).
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
 * @property {Array<import('./api-types.js').RealmTestStep>} steps The steps, in order.
 */
/** What a realm is.
 * @typedef {"ldap"|"ad"|"openid"} RealmType */
/** `realm_update`: what is given replaces what was there.
 * @typedef {Object} RealmUpdate
 * @property {(string|null)} [comment] A new note.
 * @property {(null|import('./api-types.js').DirectorySettings)} [directory] New directory settings (all of them).
 * @property {(null|import('./api-types.js').OpenIdSettings)} [openid] New provider settings (all of them).
 * @property {(string|null)} [secret] A new secret; an empty one removes it.
 * @property {(null|import('./api-types.js').ScheduledSync)} [sync] A new scheduled sync; `every_minutes: 0` turns it off.
 */
/** A realm.
 * @typedef {Object} RealmView
 * @property {(string|null)} [comment] The note.
 * @property {import('./api-types.js').Time} created_at Created.
 * @property {(null|import('./api-types.js').DirectorySettings)} [directory] The directory's settings.
 * @property {import('./api-types.js').RealmId} id Id.
 * @property {import('./api-types.js').Name} name Name.
 * @property {(null|import('./api-types.js').OpenIdSettings)} [openid] The provider's settings.
 * @property {boolean} secret_set Whether a secret is set (it is never shown).
 * @property {(null|import('./api-types.js').ScheduledSync)} [sync] The scheduled sync, if any.
 * @property {(null|import('./api-types.js').TenantId)} [tenant_id] Its tenant; absent for a platform realm.
 * @property {import('./api-types.js').RealmType} type The type.
 * @property {import('./api-types.js').Time} updated_at Last changed.
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
 * @property {number} [networks] Tenant networks (0 when absent).
 * @property {number} [public_addresses] Public addresses (0 when absent).
 * @property {number} vcpus Virtual CPUs.
 */
/** `role_binding_create`.
 * @typedef {Object} RoleBindingCreate
 * @property {string} role The role (`tenant-admin`, `viewer`, ...).
 * @property {import('./api-types.js').ScopeBody} scope Where.
 * @property {import('./api-types.js').Subject} subject Who.
 */
/** RoleBindingId
 * @typedef {string} RoleBindingId */
/** A role binding.
 * @typedef {Object} RoleBindingView
 * @property {import('./api-types.js').Time} created_at Created.
 * @property {(null|import('./api-types.js').GroupId)} [group_id] The group, for a binding to a group.
 * @property {import('./api-types.js').RoleBindingId} id Id.
 * @property {string} role The role.
 * @property {string} scope `platform`, `tenant/<id>` or `project/<id>`.
 * @property {(null|import('./api-types.js').UserId)} [user_id] The user, for a binding to a user.
 */
/** `role_create`.
 * @typedef {Object} RoleCreate
 * @property {Array<string>} actions The actions it grants (operation ids, e.g. `guest_operate`); only ones the creator holds where the role can be bound, and only ones on the role's level or inside it.
 * @property {(string|null)} [description] What the role is for.
 * @property {import('./api-types.js').RoleLevel} level Where the role is bound.
 * @property {import('./api-types.js').Name} name Name, unique on the platform; not a built-in role's.
 * @property {(string|null)} [tenant] The tenant whose role this is (id or name); absent for a platform role. A tenant's role is bound only inside it, at the tenant or project level.
 */
/** A role: built-in, or custom.
 * @typedef {Object} RoleDefinition
 * @property {Array<string>} actions The actions it grants, sorted.
 * @property {boolean} builtin Whether the role is built in (it cannot be changed).
 * @property {(null|import('./api-types.js').Time)} [created_at] When a custom role was created.
 * @property {string} description What it is for.
 * @property {(null|import('./api-types.js').RoleId)} [id] A custom role's id.
 * @property {import('./api-types.js').RoleLevel} level Where it is bound.
 * @property {string} name Name (what role bindings name).
 * @property {(null|import('./api-types.js').TenantId)} [tenant_id] The tenant of a tenant's custom role.
 * @property {(null|import('./api-types.js').Time)} [updated_at] When a custom role last changed.
 */
/** RoleId
 * @typedef {string} RoleId */
/** Where a role is bound.
 * @typedef {"platform"|"tenant"|"project"} RoleLevel */
/** `role_update`: what is given replaces what was there.
 * @typedef {Object} RoleUpdate
 * @property {(Array<string>|null)} [actions] The new actions (all of them); every binding of the role grants them from then on.
 * @property {(string|null)} [description] A new description.
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
 * @property {import('./api-types.js').SyncScope} [scope] What to bring over (default `both`).
 */
/** Where a role applies: `"platform"`, `{"tenant": T}` or `{"project": P}`.
 * @typedef {(string|Object|Object)} ScopeBody */
/** `security_group_create`.
 * @typedef {Object} SecurityGroupCreate
 * @property {(string|null)} [description] Description.
 * @property {import('./api-types.js').Name} name Name, unique in the project (guests name it).
 * @property {Array<import('./api-types.js').SecurityRule>} [rules] Its rules (up to 100); inbound traffic from the group's own guests is always let in.
 * @property {string} site The site it is at (by name).
 */
/** SecurityGroupId
 * @typedef {string} SecurityGroupId */
/** `security_group_update`: the group's rules (all of them) and description.
 * @typedef {Object} SecurityGroupUpdate
 * @property {(string|null)} [description] Description (none: unchanged).
 * @property {Array<import('./api-types.js').SecurityRule>} rules The rules that replace the group's.
 */
/** A security group.
 * @typedef {Object} SecurityGroupView
 * @property {import('./api-types.js').Time} created_at Made at.
 * @property {string} description Description.
 * @property {(string|null)} [drift] What the last look at the site's clusters found different on Proxmox.
 * @property {(string|null)} [error] Why its last change failed.
 * @property {Array<string>} guests The guests in it, by name.
 * @property {import('./api-types.js').SecurityGroupId} id Id.
 * @property {import('./api-types.js').Name} name Name.
 * @property {import('./api-types.js').ProjectId} project_id Its project.
 * @property {string} pve_name Its name on Proxmox (the tenant's prefix first).
 * @property {Array<import('./api-types.js').SecurityRule>} rules Its rules.
 * @property {import('./api-types.js').SiteId} site_id Its site.
 * @property {string} state `creating`, `ready`, `updating`, `deleting` or `failed`.
 * @property {import('./api-types.js').Time} updated_at Last changed at.
 */
/** One rule: traffic it lets through.
 * @typedef {Object} SecurityRule
 * @property {(Array<string>|null)} [cidrs] The other side as networks or addresses, all IPv4 or all IPv6 (with neither this nor `group`: any address).
 * @property {(string|null)} [description] What it is for.
 * @property {import('./api-types.js').Direction} direction `in` (to the group's guests) or `out` (from them).
 * @property {(string|null)} [group] The other side as the guests of another security group of the project at the site, by name.
 * @property {(string|null)} [ports] Destination ports, TCP and UDP only: `22`, `80,443`, `8000-8100` (none: all).
 * @property {import('./api-types.js').Protocol} protocol `any`, `tcp`, `udp`, `icmp` or `icmpv6`.
 */
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
 * @property {import('./api-types.js').Time} expires_at When it expires.
 * @property {boolean} [mfa_setup] The session may only set up the second factor the user's tenant requires (15 minutes; confirming it ends the session, and the next login has the user's rights).
 * @property {string} token The bearer token.
 */
/** A cut to an offline budget, waiting for its site.
 * @typedef {Object} SiteBudgetCut
 * @property {import('./api-types.js').ResourcesBody} granted The grant after the cut.
 * @property {import('./api-types.js').Time} valid_until Its validity.
 */
/** `site_budget_set`: a project's offline budget at a site, escrowed out of its quota.
 * @typedef {Object} SiteBudgetSet
 * @property {import('./api-types.js').ResourcesBody} budget What the site may create for the project while cut off from the platform.
 * @property {(number|null)} [valid_for_s] Seconds it stays valid (3600 to 7776000; 2592000, 30 days, when absent); the platform renews it by setting it again while the site is connected.
 */
/** A project's offline budget at a site.
 * @typedef {Object} SiteBudgetView
 * @property {import('./api-types.js').ResourcesBody} granted What is granted, and reserved in the project's usage.
 * @property {(null|import('./api-types.js').SiteBudgetCut)} [pending] A cut (a smaller grant, a shorter validity, a withdrawal) the site has not confirmed yet: the site is told it, while `granted` stays reserved until the site holds it or `valid_until` passes.
 * @property {import('./api-types.js').SiteId} site The site.
 * @property {import('./api-types.js').Time} updated_at Last changed.
 * @property {import('./api-types.js').ResourcesBody} used What the site reported it took of it (guests made there while cut off, not yet reconciled).
 * @property {import('./api-types.js').Time} valid_until Valid until; then what the site did not use goes back to the project.
 */
/** `site_create`.
 * @typedef {Object} SiteCreate
 * @property {import('./api-types.js').Country} country ISO 3166-1 alpha-2 country code (`DE`), for residency.
 * @property {(string|null)} [description] Description.
 * @property {import('./api-types.js').Name} name Name.
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
 * @property {(null|import('./api-types.js').Time)} [since] Since when the worst agent is in that state (absent: not since this replica started).
 * @property {import('./api-types.js').Connectivity} state The worst of its agents' states.
 * @property {number} waiting_commands Commands for the site waiting for an answer (or for its agents to come back).
 */
/** How a site realises tenant networks (`site_networking_set`, `site_networking_view`).
 * @typedef {Object} SiteNetworkingBody
 * @property {(string|null)} [bridge] The bridge of VLAN zones (`vmbr0`).
 * @property {(string|null)} [controller] The EVPN controller's id.
 * @property {(number|null)} [mtu] The networks' MTU (none: the zone's default).
 * @property {(string|null)} [peers] The nodes' addresses for VXLAN zones, comma-separated.
 * @property {number} tag_max The last.
 * @property {number} tag_min The first VLAN tag or VNI scmp hands out.
 * @property {string} zone_type `vlan` (on a VLAN-aware bridge), `vxlan`, `evpn` or `simple`.
 */
/** `site_link_enable`.
 * @typedef {Object} SiteTunnelCreate
 * @property {(number|null)} [listen_port] The port the site listens on (default 51820).
 */
/** The hub and the linked sites (`site_link_list`).
 * @typedef {Object} SiteTunnelsView
 * @property {Array<string>} [conflicts] Subnets left out of the tunnels because they overlap one routed already.
 * @property {(null|import('./api-types.js').LinkHubBody)} [hub] The hub, once set.
 * @property {Array<import('./api-types.js').SiteTunnelView>} sites The linked sites, by tunnel address.
 */
/** A linked site.
 * @typedef {Object} SiteTunnelView
 * @property {string} address Its tunnel address.
 * @property {(null|import('./api-types.js').Time)} [key_made_at] When its key was last made.
 * @property {number} key_version How often its key was made (rotations count).
 * @property {number} listen_port The port it listens on.
 * @property {(string|null)} [public_key] The public key its agent made at the site (none until it answered).
 * @property {string} site Its name.
 * @property {import('./api-types.js').SiteId} site_id The site.
 * @property {Array<string>} to_hub What the site sends through the tunnel to the hub.
 * @property {Array<string>} to_site What the hub sends through the tunnel to the site.
 */
/** `site_update`.
 * @typedef {Object} SiteUpdate
 * @property {(string|null)} [description] Description.
 * @property {(Array<string>|null)} [offline_groups] The groups (names or ids) whose members the site's identity cache holds, so they can work at the site while it is cut off (empty: nobody but the site's break-glass credential).
 * @property {(string|null)} [region] Region within the country.
 */
/** A site.
 * @typedef {Object} SiteView
 * @property {import('./api-types.js').Country} country Country code.
 * @property {import('./api-types.js').Time} created_at Created.
 * @property {(string|null)} [description] Description (absent when none was given).
 * @property {import('./api-types.js').SiteId} id Id.
 * @property {(null|import('./api-types.js').SiteLinkView)} [link] The site's link to the platform, when its clusters are reached through agents (absent for a site reached directly).
 * @property {import('./api-types.js').Name} name Name.
 * @property {Array<import('./api-types.js').GroupId>} [offline_groups] The groups whose members the site's identity cache holds (ids).
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
 * @property {(null|import('./api-types.js').Time)} [taken_at] When it was taken, when Proxmox says.
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
/** A subnet of a new network.
 * @typedef {Object} SubnetCreate
 * @property {string} cidr The prefix, with its network address (`10.20.0.0/24`, `fd00:20::/64`).
 * @property {(string|null)} [dhcp_end] The last address DHCP hands out.
 * @property {(string|null)} [dhcp_start] The first address DHCP hands out (with `dhcp_end`; none: addresses only from scmp).
 * @property {(string|null)} [gateway] The gateway inside it (none: the network has no way out).
 * @property {(boolean|null)} [snat] Source NAT to the outside through the nodes (needs a gateway).
 */
/** SubnetId
 * @typedef {string} SubnetId */
/** A subnet.
 * @typedef {Object} SubnetView
 * @property {string} cidr The prefix.
 * @property {(string|null)} [dhcp_end] The DHCP range's last address.
 * @property {(string|null)} [dhcp_start] The DHCP range's first address.
 * @property {(string|null)} [gateway] The gateway.
 * @property {import('./api-types.js').SubnetId} id Id.
 * @property {boolean} snat Source NAT.
 */
/** What `realm_sync` brings over.
 * @typedef {"users"|"groups"|"both"} SyncScope */
/** A Proxmox task.
 * @typedef {Object} TaskView
 * @property {(string|null)} [id] What it acts on (a VMID).
 * @property {string} kind `qmclone`, `qmstart`, ...
 * @property {string} node Node.
 * @property {import('./api-types.js').Time} started_at When it started.
 * @property {(string|null)} [status] `OK`, an error, or absent while it runs.
 * @property {import('./api-types.js').Upid} upid Its UPID.
 * @property {string} user Who started it.
 */
/** `tenant_create`.
 * @typedef {Object} TenantCreate
 * @property {(Array<import('./api-types.js').Country>|null)} [countries] Countries (ISO 3166-1 alpha-2) the tenant's guests may run in; anywhere when left out.
 * @property {(string|null)} [description] Description.
 * @property {import('./api-types.js').Name} name Name: lower-case letters, digits and hyphens, starting with a letter.
 * @property {(null|import('./api-types.js').ResourcesBody)} [quota] Quota (none when left out).
 */
/** TenantId
 * @typedef {string} TenantId */
/** `tenant_update`.
 * @typedef {Object} TenantUpdate
 * @property {(Array<import('./api-types.js').Country>|null)} [countries] Countries the tenant's guests may run in (platform administrators only); `[]` for anywhere.
 * @property {(string|null)} [description] The new description.
 * @property {(boolean|null)} [require_mfa] Whether its users must have a second factor (a password login of one who has none may only set one up).
 */
/** A tenant.
 * @typedef {Object} TenantView
 * @property {Array<import('./api-types.js').Country>} countries Countries its guests may run in (empty: anywhere).
 * @property {import('./api-types.js').Time} created_at Created.
 * @property {(string|null)} [description] Description (absent when none was given).
 * @property {import('./api-types.js').TenantId} id Id.
 * @property {Object<string, string>} [labels] Labels (key to value), which governance policies read.
 * @property {import('./api-types.js').Name} name Name.
 * @property {import('./api-types.js').QuotaBody} quota Quota.
 * @property {boolean} [require_mfa] Its users must have a second factor.
 */
/** An RFC 3339 time in UTC
 * @typedef {string} Time */
/** `token_create`.
 * @typedef {Object} TokenCreate
 * @property {(null|import('./api-types.js').Time)} [expires_at] When it expires (RFC 3339); never when left out.
 * @property {string} name A label to recognise it by (1 to 100 characters).
 */
/** A token (its secret only in the answer to `token_create`).
 * @typedef {Object} TokenView
 * @property {import('./api-types.js').Time} created_at Created.
 * @property {(null|import('./api-types.js').Time)} [expires_at] When it expires (absent: never).
 * @property {import('./api-types.js').CredentialId} id Id.
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
 * @property {import('./api-types.js').Name} name Login name.
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
 * @property {import('./api-types.js').UserId} id Id.
 * @property {import('./api-types.js').Name} name Name.
 * @property {string} realm Where the user is defined: a realm's name, or `local`.
 * @property {(string|null)} [tenant] That tenant's name.
 * @property {(null|import('./api-types.js').TenantId)} [tenant_id] Its tenant (absent for platform staff).
 */
/** A policy a guest violates.
 * @typedef {Object} ViolationView
 * @property {string} enforcement Its enforcement level (`deny` or `warn`).
 * @property {string} guest Its name.
 * @property {import('./api-types.js').GuestId} guest_id The guest.
 * @property {string} message What it says.
 * @property {string} policy The policy.
 * @property {import('./api-types.js').ProjectId} project_id Its project.
 * @property {import('./api-types.js').Time} since Since the scan that first found it.
 */
export {};
