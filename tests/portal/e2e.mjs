// End-to-end test of the scmp portal in a real headless Chromium (Debian's), driven by Playwright.
// Started by crates/scmp/tests/portal_e2e.rs against a running `scmp demo`:
//   SCMP_URL            the server (https://127.0.0.1:PORT)
//   SCMP_ADMIN_TOKEN    the platform administrator's token (to set up two tenants through the API)
//   SCMP_SCREENSHOTS    a folder to keep screenshots of the main pages in (optional)
//   CHROMIUM            the browser (default /usr/bin/chromium)
// Every wait is bounded; the first failed expectation ends the run with a non-zero exit.

import { chromium, request } from 'playwright-core';
import { createHmac } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const base = process.env.SCMP_URL;
const adminToken = process.env.SCMP_ADMIN_TOKEN;
const shots = process.env.SCMP_SCREENSHOTS || '';
if (!base || !adminToken) throw new Error('SCMP_URL and SCMP_ADMIN_TOKEN are required');
if (shots) mkdirSync(shots, { recursive: true });

let step = '';
function check(cond, what) {
  if (!cond) throw new Error(`${step}: expected ${what}`);
}
function log(s) {
  step = s;
  console.log(`portal e2e: ${s}`);
}

// Set-up through the API: two tenants, each with an administrator who logs in with a password.
const api = await request.newContext({
  baseURL: base, ignoreHTTPSErrors: true,
  extraHTTPHeaders: { Authorization: `Bearer ${adminToken}` },
});
async function post(path, body) {
  const r = await api.post(`/api/v1${path}`, { data: body });
  if (!r.ok()) throw new Error(`set-up ${path}: ${r.status()} ${await r.text()}`);
  return r.json();
}
const quota = { vcpus: 32, memory_mib: 65536, disk_gib: 1000, guests: 20 };
const password = 'correct horse battery staple';
for (const t of ['blue', 'green']) {
  await post('/tenants', { name: t, quota, countries: ['DE', 'FR', 'NL'] });
  await post('/users', { name: `${t}-admin`, tenant: t, password });
  await post('/role-bindings', { role: 'tenant-admin', subject: { user: `${t}-admin` }, scope: { tenant: t } });
}
const greenProject = await post('/tenants/green/projects', { name: 'secret', quota: { vcpus: 4, memory_mib: 8192, disk_gib: 100, guests: 4 } });
// A member of one project only: sees that project, not its tenant.
await post('/users', { name: 'green-dev', tenant: 'green', password });
await post('/role-bindings', { role: 'member', subject: { user: 'green-dev' }, scope: { project: greenProject.id } });
// Green's guests of more than one vCPU wait for a tenant administrator's approval.
await post('/policies', {
  name: 'green-big', tenant: 'green', enforcement: 'require_approval', message: 'larger guests need the tenant\'s consent',
  builtin: { kind: 'max_size', vcpus: 1 }, approval: { approvers: [{ kind: 'role', role: 'tenant-admin', on: 'tenant' }] },
});

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const errors = [];
let current = null;
async function newPage(viewport) {
  const ctx = await browser.newContext({ ignoreHTTPSErrors: true, viewport: viewport || { width: 1280, height: 860 } });
  ctx.setDefaultTimeout(20000);
  const page = await ctx.newPage();
  current = page;
  page.on('pageerror', (e) => errors.push(`${step}: ${e.message}`));
  return { ctx, page };
}
async function shot(page, name, whole = true) {
  if (shots) await page.screenshot({ path: join(shots, `${name}.png`), fullPage: whole });
}
/** The code an authenticator shows at `ms` for a base32 key (RFC 6238: HMAC-SHA-1, 30 s, 6 digits). */
function totp(key, ms) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of key.replace(/=+$/, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const secret = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(ms / 30000)));
  const mac = createHmac('sha1', secret).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  const n = (mac.readUInt32BE(offset) & 0x7fffffff) % 1000000;
  return String(n).padStart(6, '0');
}
async function login(page, user) {
  await page.goto(`${base}/`);
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: `Welcome, ${user}` }).waitFor();
}
async function waitForState(page, state, seconds) {
  const heading = page.getByRole('heading', { level: 1 });
  for (let i = 0; i < seconds * 2; i++) {
    if ((await heading.textContent()).includes(state)) return;
    await page.waitForTimeout(500);
  }
  throw new Error(`${step}: the guest did not reach ${state} (heading: ${await heading.textContent()})`);
}

try {
  const { ctx, page } = await newPage();

  log('the login page');
  await page.goto(`${base}/`);
  await page.getByRole('button', { name: 'Log in' }).waitFor();
  await shot(page, 'login');

  log('a wrong password is refused in words');
  await page.getByLabel('User name').fill('blue-admin');
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByText('wrong user name or password').waitFor();

  log('log in');
  await login(page, 'blue-admin');
  const cookies = await ctx.cookies();
  const session = cookies.find((c) => c.name === 'scmp_session');
  check(session && session.httpOnly && session.secure && session.sameSite === 'Strict', 'an HttpOnly, Secure, SameSite=Strict session cookie');
  check(!(await page.evaluate(() => document.cookie)).includes('scmp_session'), 'the session cookie hidden from scripts');

  log('a change without the CSRF value is refused');
  const status = await page.evaluate(async () => (await fetch('/api/v1/tokens', {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'forged' }),
  })).status);
  check(status === 403, `403 for a POST without x-csrf-token, got ${status}`);

  log('create a project');
  await page.getByRole('link', { name: 'Projects', exact: true }).click();
  await page.getByRole('heading', { name: 'New project' }).waitFor();
  await page.getByLabel('Name', { exact: true }).fill('shop');
  await page.getByLabel('vCPUs', { exact: true }).fill('8');
  await page.getByRole('button', { name: 'Create project' }).click();
  await page.getByRole('heading', { name: 'shop', level: 1 }).waitFor();
  const projectUrl = page.url();

  log('the wizard shows the quota a guest will use, and a field at fault');
  await page.getByRole('link', { name: 'New guest' }).click();
  await page.getByRole('heading', { name: 'New guest' }).waitFor();
  await page.getByText(/Placement now: site \w+ \(\w\w\), cluster/).waitFor();
  await page.getByLabel('Instance type').selectOption('');
  await page.getByLabel('vCPUs', { exact: true }).fill('12');
  await page.getByText('does not fit the project\'s quota').waitFor();
  await page.getByLabel('Name').fill('Not A Label!');
  await page.getByLabel('vCPUs', { exact: true }).fill('2');
  await page.getByRole('button', { name: 'Create guest' }).click();
  await page.locator('[aria-invalid="true"][name="name"]').waitFor();
  await shot(page, 'guest-create');

  log('create a guest and watch it reach running');
  await page.getByLabel('Name').fill('web1');
  await page.getByLabel('VLAN').fill('120');
  await page.getByLabel('SSH public keys').fill('ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq1y1y3dZ3sE3J5l0FvTQwq7e4Jp7fSpq6cQ0Rr8n8n e2e@test');
  await page.getByRole('button', { name: 'Create guest' }).click();
  await page.getByRole('heading', { name: /web1/ }).waitFor();
  await waitForState(page, 'running', 60);
  // The guest names the site and the cluster it runs at.
  await page.locator('dt:text-is("Site") + dd').filter({ hasText: /^[a-z][a-z0-9-]*$/ }).waitFor();
  await page.locator('dt:text-is("Cluster") + dd').filter({ hasText: /^[a-z][a-z0-9-]*$/ }).waitFor();
  await page.getByText('guest_create · begin').waitFor();
  await page.getByText(/vmbr0, VLAN 120/).waitFor();
  await page.getByText(/^10\.20\.\d+\.\d+\/16$/).waitFor();
  await shot(page, 'guest');

  log('stop it');
  await page.getByRole('button', { name: 'Stop', exact: true }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Stop' }).click();
  await waitForState(page, 'stopped', 60);

  log('the project lists it with its state and site');
  await page.goto(projectUrl);
  await page.getByRole('link', { name: 'web1' }).waitFor();
  await page.getByRole('columnheader', { name: 'Site' }).waitFor();
  await shot(page, 'project');

  log('delete it, with confirmation');
  await page.getByRole('link', { name: 'web1' }).click();
  await page.getByRole('button', { name: 'Delete' }).first().click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('heading', { name: 'shop', level: 1 }).waitFor();
  for (let i = 0; i < 120; i++) {
    if ((await page.getByRole('link', { name: 'web1' }).count()) === 0) break;
    await page.waitForTimeout(500);
    if (i % 4 === 3) await page.reload();
  }
  check((await page.getByRole('link', { name: 'web1' }).count()) === 0, 'the deleted guest gone from the project');

  log('operations are listed');
  await page.getByRole('link', { name: 'Operations' }).click();
  await page.getByRole('heading', { name: 'Operations' }).waitFor();
  await page.getByText('guest delete').first().waitFor();

  log('a tenant administrator sees the tenant\'s users and their tokens');
  await page.getByRole('navigation').getByRole('link', { name: 'Users and groups' }).click();
  await page.getByRole('cell', { name: 'blue-admin', exact: true }).waitFor();
  await page.getByRole('link', { name: 'Tokens', exact: true }).first().click();
  await page.getByRole('heading', { name: /API tokens of/ }).waitFor();

  log('a tenant administrator defines a role from its own rights and grants it');
  await page.getByRole('navigation').getByRole('link', { name: 'Roles' }).click();
  await page.getByRole('heading', { name: 'Roles' }).waitFor();
  await page.getByRole('cell', { name: 'viewer', exact: true }).waitFor();
  await page.getByLabel('Name').fill('blue-watcher');
  await page.getByLabel('Bound on').selectOption('tenant');
  await page.getByLabel('Actions').selectOption(['tenant_quota_update', 'guest_view']);
  await page.getByRole('button', { name: 'Create role' }).click();
  await page.getByText(/rights you do not hold there yourself \(tenant_quota_update\)/).waitFor();
  await page.getByLabel('Actions').selectOption(['guest_list', 'guest_view', 'project_view']);
  await page.getByRole('button', { name: 'Create role' }).click();
  await page.getByRole('cell', { name: 'blue-watcher', exact: true }).waitFor();
  await shot(page, 'roles');
  await page.getByRole('navigation').getByRole('link', { name: 'Role bindings' }).click();
  await page.getByRole('heading', { name: 'Role bindings' }).waitFor();
  await page.getByLabel('Role').selectOption('blue-watcher');
  const tenantScope = await page.getByLabel('Scope').locator('option[value^="tenant:"]').first().getAttribute('value');
  await page.getByLabel('Scope').selectOption(tenantScope);
  await page.getByRole('button', { name: 'Grant' }).click();
  await page.getByRole('cell', { name: 'blue-watcher', exact: true }).waitFor();

  log('log out');
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByText('You are logged out').waitFor();
  const after = (await ctx.cookies()).find((c) => c.name === 'scmp_session');
  check(!after || !after.value, 'the session cookie cleared');
  await ctx.close();

  log('another tenant cannot see these pages');
  const other = await newPage();
  await login(other.page, 'green-admin');
  const projectId = projectUrl.split('#/projects/')[1];
  await other.page.goto(`${base}/#/projects/${projectId}`);
  await other.page.getByRole('alert').filter({ hasText: /not found|not allowed/i }).first().waitFor();
  check((await other.page.getByRole('heading', { name: 'shop' }).count()) === 0, 'no heading of the other tenant\'s project');
  await other.page.goto(`${base}/#/projects`);
  await other.page.getByRole('link', { name: 'secret' }).first().waitFor();
  check((await other.page.getByRole('link', { name: 'shop' }).count()) === 0, 'the other tenant\'s project not listed');
  check(greenProject.id, 'the green project');

  log('a project member finds the project');
  await other.page.getByRole('button', { name: 'Log out' }).click();
  await other.page.getByText('You are logged out').waitFor();
  await login(other.page, 'green-dev');
  await other.page.getByRole('link', { name: 'secret' }).first().click();
  await other.page.getByRole('heading', { name: 'secret', level: 1 }).waitFor();
  await other.page.getByRole('link', { name: 'New guest' }).waitFor();

  log('a request a policy holds says so before it is sent, then waits for the approvers it names');
  await other.page.getByRole('link', { name: 'New guest' }).click();
  await other.page.getByRole('heading', { name: 'New guest' }).waitFor();
  await other.page.getByLabel('Instance type').selectOption('');
  await other.page.getByLabel('vCPUs', { exact: true }).fill('2');
  await other.page.getByText(/Needs approval \(policy green-big\)/).waitFor();
  await other.page.getByLabel('Name').fill('big1');
  await other.page.getByLabel('SSH public keys').fill('ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq1y1y3dZ3sE3J5l0FvTQwq7e4Jp7fSpq6cQ0Rr8n8n e2e@test');
  await other.page.getByRole('button', { name: 'Create guest' }).click();
  await other.page.getByRole('heading', { name: /big1/ }).waitFor();
  await other.page.getByRole('link', { name: 'who must approve' }).click();
  await other.page.getByText(/tenant-admin on the tenant/).first().waitFor();
  check((await other.page.getByRole('button', { name: 'Approve' }).count()) === 0, 'no approving one\'s own request');

  log('a second factor: set up with an authenticator, then asked for at login');
  await other.page.getByRole('navigation').getByRole('link', { name: 'Sign-in security' }).click();
  await other.page.getByRole('button', { name: 'Set up an authenticator app' }).click();
  await other.page.getByRole('img', { name: /QR code/ }).waitFor();
  const key = (await other.page.locator('code.secret').textContent()).trim();
  await other.page.getByRole('textbox', { name: 'Code' }).fill(totp(key, Date.now()));
  await other.page.getByRole('button', { name: 'Confirm' }).click();
  await other.page.getByText('Keep these recovery codes').waitFor();
  const recovery = (await other.page.locator('.recovery-codes li').first().textContent()).trim();
  check((await other.page.locator('.recovery-codes li').count()) === 10, 'ten recovery codes');
  await other.page.getByRole('button', { name: 'Log out' }).click();
  await other.page.getByText('You are logged out').waitFor();
  await other.page.getByLabel('User name').fill('green-dev');
  await other.page.getByLabel('Password').fill(password);
  await other.page.getByRole('button', { name: 'Log in' }).click();
  await other.page.getByText('Enter the code your authenticator shows').waitFor();
  await other.page.getByLabel('Recovery code').fill(recovery);
  await other.page.getByRole('button', { name: 'Log in' }).click();
  await other.page.getByRole('heading', { name: 'Welcome, green-dev' }).waitFor();
  await other.page.getByRole('navigation').getByRole('link', { name: 'Sign-in security' }).click();
  await other.page.getByText('9 recovery codes are left').waitFor();

  log('an ended session sends the user back to the login, saying so');
  await other.ctx.clearCookies();
  await other.page.getByRole('link', { name: 'Overview' }).click();
  await other.page.getByText('Your session has ended').waitFor();
  await other.ctx.close();

  log('the tenant administrator approves it with a comment, and the guest is built');
  const lead = await newPage();
  await login(lead.page, 'green-admin');
  await lead.page.getByRole('navigation').getByRole('link', { name: 'Approvals' }).click();
  await lead.page.getByRole('heading', { name: 'Waiting for you (1)' }).waitFor();
  await shot(lead.page, 'approvals');
  await lead.page.getByLabel('Comment').fill('fine for the demo');
  await lead.page.getByRole('button', { name: 'Approve' }).click();
  await lead.page.getByRole('heading', { name: 'Waiting for you (0)' }).waitFor();
  await lead.page.getByRole('link', { name: /big1/ }).click();
  await lead.page.getByRole('cell', { name: 'fine for the demo' }).waitFor();
  const heldOp = lead.page.url().split('#/approvals/')[1];
  let built = '';
  for (let i = 0; i < 12 && !['succeeded', 'failed', 'cancelled'].includes(built); i++) {
    built = (await (await api.get(`/api/v1/operations/${heldOp}?wait=5`)).json()).state;
  }
  check(built === 'succeeded', `the approved guest built (its operation ${built})`);

  log('the tenant administrator scans the tenant\'s compliance');
  await lead.page.getByRole('navigation').getByRole('link', { name: 'Compliance' }).click();
  await lead.page.getByRole('heading', { name: 'Compliance of green' }).waitFor();
  await lead.page.getByRole('button', { name: 'Scan now' }).click();
  await lead.page.getByText(/Last scan .*: 1 guests, 0 violations/).waitFor();
  await lead.page.getByRole('link', { name: 'Download CSV' }).waitFor();
  await lead.ctx.close();

  log('the platform pages, with an API token (and on a tablet)');
  const admin = await newPage({ width: 1024, height: 768 });
  await admin.page.goto(`${base}/`);
  await admin.page.getByRole('tab', { name: 'Token' }).click();
  await admin.page.getByLabel('API token').fill(adminToken);
  await admin.page.getByRole('button', { name: 'Log in' }).click();
  await admin.page.getByRole('heading', { name: /Welcome/ }).waitFor();
  await admin.page.getByRole('navigation').getByRole('link', { name: 'Sites and clusters' }).click();
  await admin.page.getByRole('heading', { name: 'Sites and clusters' }).waitFor();
  await admin.page.getByText('online').first().waitFor();
  await shot(admin.page, 'sites');
  await admin.page.getByRole('link', { name: /-1$/ }).first().click();
  await admin.page.getByRole('heading', { name: 'Capacity' }).waitFor();
  await shot(admin.page, 'cluster');
  await admin.page.getByRole('button', { name: 'Enter maintenance' }).first().click();
  await admin.page.getByRole('dialog').getByRole('button', { name: 'Enter maintenance' }).click();
  await admin.page.getByRole('button', { name: 'End maintenance' }).first().waitFor();
  await admin.page.getByRole('button', { name: 'End maintenance' }).first().click();
  await admin.page.getByRole('navigation').getByRole('link', { name: 'Tenants' }).click();
  await admin.page.getByRole('link', { name: 'blue' }).waitFor();
  await admin.page.getByRole('navigation').getByRole('link', { name: 'Catalog' }).click();
  await admin.page.getByRole('cell', { name: 'debian-12', exact: true }).waitFor();
  await admin.page.getByRole('navigation').getByRole('link', { name: 'Audit log' }).click();
  await admin.page.getByText('The chain holds').waitFor();
  await shot(admin.page, 'audit', false);
  await admin.ctx.close();

  if (process.env.SCMP_OIDC_ISSUER) {
    log('a blue user signs on through the OpenID provider');
    await post('/realms', { name: 'idp', type: 'openid', tenant: 'blue', secret: 'client-secret',
      openid: { issuer_url: process.env.SCMP_OIDC_ISSUER, client_id: 'scmp' } });
    const sso = await newPage();
    await sso.page.goto(`${base}/`);
    await sso.page.getByRole('tab', { name: 'Single sign-on' }).click();
    await sso.page.getByLabel('Realm').fill('idp');
    await sso.page.getByRole('button', { name: 'Sign on' }).click();
    await sso.page.getByRole('heading', { name: 'Welcome, dave-idp' }).waitFor();
    await sso.ctx.close();

    log('the tenant administrator tests the realm');
    const blue = await newPage();
    await login(blue.page, 'blue-admin');
    await blue.page.getByRole('navigation').getByRole('link', { name: 'Realms' }).click();
    await blue.page.getByRole('cell', { name: 'idp', exact: true }).waitFor();
    await blue.page.getByRole('button', { name: 'Test' }).click();
    await blue.page.getByText('Every step worked.').waitFor();
    await shot(blue.page, 'realms');
    await blue.ctx.close();
  }

  check(errors.length === 0, `no script errors, got: ${errors.join('; ')}`);
  console.log('portal e2e: all passed');
} catch (e) {
  console.error(`portal e2e: FAILED at "${step}": ${e.message}`);
  if (current) {
    const shown = await current.locator('body').innerText().catch(() => '(the page is gone)');
    console.error(`portal e2e: the page showed:\n${shown.slice(0, 2000)}`);
  }
  process.exitCode = 1;
} finally {
  await browser.close();
  await api.dispose();
}
