// The API's types, for the portal's type check: generated from openapi/scmp.json by
// tests/portal/gen-types.mjs (do not edit; run `node tests/portal/gen-types.mjs` after the
// document changes). Type definitions only: nothing here runs.

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
export {};
