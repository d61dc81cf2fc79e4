import { Hono } from 'hono';
import type { AppEnv } from './types';
import { OAuthError } from '../errors';
import { settingsView } from '../admin/views';
import { noStore } from './admin-common';
import { SIGN_IN_PATH, accessConfigured, isSignedIn, requireConsoleAdmin, signIn, signInCsrf, signOut } from './admin-auth';
import { page } from './console-render';
import { consoleTemplateRoutes } from './console-templates';
import { consoleDirectoryRoutes } from './console-directory';
import { CONSOLE_BASE, ConsoleLayout } from '../views/console/layout';
import { AuditPage, OverviewPage, SignInPage } from '../views/console/pages';
import { auditPage } from '../admin/audit-trail';
import { CONSOLE_SCRIPT } from '../views/console/script';

/**
 * The admin console at /admin/: web pages over the same store and admin operations as the API. Works without
 * JavaScript (forms and links; destructive actions are confirmed on a page of their own); a small script only hides
 * what does not apply.
 */

const API_PREFIX = `${CONSOLE_BASE}/v1/`;

const ALL = `${CONSOLE_BASE}/*`;

export const consoleRoutes = new Hono<AppEnv>()
  .use(ALL, noStore)
  // Everything under /admin but the API (its own check, routes/admin.ts) and the sign-in page needs a signed-in admin.
  .use(ALL, async (c, next) => {
    if (c.req.path.startsWith(API_PREFIX) || c.req.path === SIGN_IN_PATH) return next();
    return requireConsoleAdmin(c, next);
  })
  .onError((error, c) => {
    if (!(error instanceof OAuthError)) throw error;
    const status = ([400, 401, 403, 404, 409, 415] as const).find((s) => s === error.status) ?? 400;
    return page(
      c,
      <ConsoleLayout title="Not done" viewer={c.get('viewer')}>
        <h1>That could not be done</h1>
        <p class="alert" role="alert">
          {error.description}
        </p>
        <p>
          <a href={`${CONSOLE_BASE}/`}>Back to the overview</a>
        </p>
      </ConsoleLayout>,
      status,
    );
  })

  .get(`${CONSOLE_BASE}/sign-in`, async (c) => {
    if (await isSignedIn(c)) return c.redirect(`${CONSOLE_BASE}/`, 303);
    return page(c, <SignInPage csrf={await signInCsrf(c)} accessConfigured={accessConfigured(c)} />);
  })
  .post(`${CONSOLE_BASE}/sign-in`, async (c) => {
    const outcome = await signIn(c);
    if (outcome.signedIn) return c.redirect(`${CONSOLE_BASE}/`, 303);
    return page(
      c,
      <SignInPage csrf={await signInCsrf(c)} message={outcome.message} accessConfigured={accessConfigured(c)} />,
      outcome.status,
    );
  })
  .post(`${CONSOLE_BASE}/sign-out`, (c) => {
    signOut(c);
    return c.redirect(SIGN_IN_PATH, 303);
  })
  .get(`${CONSOLE_BASE}/console.js`, (c) =>
    c.body(CONSOLE_SCRIPT, 200, { 'Content-Type': 'text/javascript; charset=utf-8', 'X-Content-Type-Options': 'nosniff' }),
  )

  .get(CONSOLE_BASE, (c) => c.redirect(`${CONSOLE_BASE}/`, 301))
  .get(`${CONSOLE_BASE}/`, async (c) => {
    const deps = c.get('deps');
    const [counts, recent] = await Promise.all([deps.store.counts(), auditPage(deps, { limit: '8' })]);
    return page(
      c,
      <OverviewPage viewer={c.get('viewer')} settings={settingsView(deps.settings)} counts={{ ...counts }} recent={recent.items} />,
    );
  })
  .get(`${CONSOLE_BASE}/audit`, async (c) => {
    // Empty fields of the filter form mean "any".
    const filters = Object.fromEntries(Object.entries(c.req.query()).filter(([, value]) => value !== ''));
    const found = await auditPage(c.get('deps'), filters);
    return page(c, <AuditPage viewer={c.get('viewer')} events={found.items} next={found.next_cursor} filters={filters} />);
  })
  .route(`${CONSOLE_BASE}/templates`, consoleTemplateRoutes)
  .route(CONSOLE_BASE, consoleDirectoryRoutes);
