// The portal's entry: every page registers its route, then the portal starts. A small single-page
// application over the public API (/api/v1), in native ES modules with no build step and nothing
// fetched from elsewhere, so an air-gapped site needs nothing more than the server. The credential
// is an HttpOnly cookie set at login; requests that change something repeat the CSRF value.

import './pages/overview.js';
import './pages/projects.js';
import './pages/wizard.js';
import './pages/guest.js';
import './pages/operations.js';
import './pages/approvals.js';
import './pages/compliance.js';
import './pages/tokens.js';
import './pages/security.js';
import './pages/people.js';
import './pages/realms.js';
import './pages/roles.js';
import './pages/platform.js';
import './pages/audit.js';
import { startApp } from './router.js';

startApp();
