import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app';
import { adminCall, adminHeaders, registerWith, requestIat, setUpTemplate, testServer, unique } from './helpers';
import { signInToConsole } from './console-helpers';

const fetch = testServer();

/** Every route the app registers under /admin, as Hono lists them (middleware included, as ALL). */
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];
const adminRoutes = [
  ...new Set(
    createApp()
      .routes.filter((r) => r.path.startsWith('/admin'))
      .flatMap((r) => (r.method === 'ALL' ? METHODS : [r.method]).map((method) => `${method} ${r.path}`)),
  ),
].map((route) => {
  const [method, path] = route.split(' ') as [string, string];
  return { method, path };
});

/** The only admin routes anyone may call: the console's sign-in page and form. */
const PUBLIC = new Set(['GET /admin/sign-in', 'HEAD /admin/sign-in', 'POST /admin/sign-in']);

const INTRUDER = unique('intruder');

interface Fixtures {
  template: string;
  instance: string;
  staticClient: string;
  user: string;
}

/** A real path for a route pattern: each parameter names something that exists, so a handler would act on it. */
function concrete(path: string, f: Fixtures): string {
  return path
    .replace(':name', f.template)
    .replace(':clientId', path.includes('/instances/') ? f.instance : f.staticClient)
    .replace(':username', f.user)
    .replace('*', 'anything');
}

/** A body a handler would accept, so that a route reached without the admin check would really act. */
function bodyFor(method: string, path: string, f: Fixtures, csrf = 'guessed'): RequestInit {
  if (method === 'GET' || method === 'HEAD') return {};
  if (!path.startsWith('/admin/v1')) {
    // Console forms: what a browser would post (the CSRF token of some other session cannot be known).
    const fields = { csrf_token: csrf, name: INTRUDER, client_id: INTRUDER, username: INTRUDER, password: 'a long password 123' };
    return { body: new URLSearchParams(fields).toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } };
  }
  const byResource: Record<string, unknown> = path.includes('/users')
    ? { username: INTRUDER, password: 'a long password 123', claims: { name: INTRUDER } }
    : path.includes('/clients')
      ? { client_id: INTRUDER, client_name: INTRUDER, scopes: ['intrusion'] }
      : {
          name: method === 'POST' ? INTRUDER : f.template,
          client_name: INTRUDER,
          capabilities: ['client_credentials'],
          scopes: ['intrusion'],
          registration: { mode: 'clients', allowed_clients: [INTRUDER] },
        };
  const contentType = method === 'PATCH' ? 'application/merge-patch+json' : 'application/json';
  return { body: JSON.stringify(byResource), headers: { 'Content-Type': contentType } };
}

async function makeFixtures(): Promise<Fixtures> {
  const { registrar, templateName } = await setUpTemplate(fetch, {
    capabilities: ['client_credentials'],
    redirect_uris: [],
    scopes: ['read'],
  });
  const registered = await registerWith(fetch, await requestIat(fetch, registrar), { software_id: templateName });
  const { client_id: instance } = (await registered.json()) as { client_id: string };
  const user = unique('bystander');
  expect((await adminCall(fetch, 'POST', '/users', { username: user, password: 'a long password 123' })).status).toBe(201);
  return { template: templateName, instance, staticClient: registrar.clientId, user };
}

/** Everything the fixtures are made of, and anything an intruder could have made: must not move. */
async function snapshot(f: Fixtures) {
  const rows = async (sql: string, ...binds: unknown[]) =>
    (
      await env.DB.prepare(sql)
        .bind(...binds)
        .all()
    ).results;
  return {
    templates: await rows('SELECT * FROM templates WHERE name = ?', f.template),
    history: await rows('SELECT * FROM template_history WHERE name = ?', f.template),
    clients: await rows('SELECT * FROM clients WHERE client_id IN (?, ?) OR template_name = ?', f.instance, f.staticClient, f.template),
    users: await rows('SELECT * FROM users WHERE username = ?', f.user),
    intruders: await rows(
      "SELECT 'template' FROM templates WHERE name = ?1 OR config LIKE '%' || ?1 || '%' UNION ALL SELECT 'client' FROM clients WHERE client_id = ?1 OR config LIKE '%intrusion%' UNION ALL SELECT 'user' FROM users WHERE username = ?1",
      INTRUDER,
    ),
  };
}

const CREDENTIALS = {
  none: {},
  'a wrong admin token': { Authorization: 'Bearer not-the-admin-token-0123456789abcdef' },
  "the admin token's prefix": { Authorization: `Bearer ${env.ADMIN_TOKEN.slice(0, 10)}` },
  'a forged console session': { Cookie: '__Host-edge_dcr_admin=v1.1.1.forged.AAAA; edge_dcr_admin=v1' },
  'a forged Cloudflare Access assertion': {
    'Cf-Access-Jwt-Assertion': 'eyJhbGciOiJSUzI1NiIsImtpZCI6IngifQ.eyJhdWQiOlsieCJdLCJlbWFpbCI6ImFAYi5jIn0.c2ln',
  },
};

describe('every admin route, API and console, refuses a caller without admin rights and changes nothing', () => {
  let fixtures: Fixtures;
  beforeAll(async () => {
    fixtures = await makeFixtures();
  });

  it('the route list is the app’s own (a new route is checked without being added here)', () => {
    expect(adminRoutes.length).toBeGreaterThan(20);
    expect(adminRoutes).toContainEqual({ method: 'POST', path: '/admin/v1/clients' });
  });

  for (const [who, headers] of Object.entries(CREDENTIALS)) {
    it(`with ${who}: 401 from the API, the sign-in page from the console, nothing created, changed or deleted`, async () => {
      const before = await snapshot(fixtures);
      const answers: string[] = [];
      for (const { method, path } of adminRoutes) {
        if (PUBLIC.has(`${method} ${path}`)) continue;
        const init = bodyFor(method, path, fixtures);
        const res = await fetch(concrete(path, fixtures), {
          ...init,
          method,
          headers: { ...(init.headers as Record<string, string>), ...headers },
          redirect: 'manual',
        });
        const expected = path.startsWith('/admin/v1') ? '401' : '303 /admin/sign-in';
        const got = res.status === 303 ? `303 ${new URL(res.headers.get('Location') ?? '', 'https://x').pathname}` : String(res.status);
        answers.push(`${method} ${path}: ${got === expected ? 'refused' : `answered ${got}`}`);
        expect(res.headers.get('Set-Cookie') ?? '').not.toMatch(/__Host-edge_dcr_admin=[^;]+/);
      }
      expect(answers.filter((a) => !a.endsWith('refused'))).toEqual([]);
      expect(await snapshot(fixtures)).toEqual(before);
    });
  }
});

describe('every admin answer is Cache-Control: no-store', () => {
  it('a new static client’s secret is never cached', async () => {
    const res = await adminCall(fetch, 'POST', '/clients', { client_id: unique('svc') });
    expect(res.status).toBe(201);
    expect(res.headers.get('Cache-Control')).toBe('no-store');
  });

  it('every route and method, signed in, whatever it answers', async () => {
    const fixtures = await makeFixtures();
    // Forms carry this session's CSRF token, so that the console's handlers themselves answer.
    const console = await signInToConsole(fetch);
    const cached: string[] = [];
    const signOutLast = [...adminRoutes].sort((a, b) => Number(a.path.endsWith('/sign-out')) - Number(b.path.endsWith('/sign-out')));
    for (const { method, path } of signOutLast) {
      const init = bodyFor(method, path, fixtures, console.csrf);
      const auth: Record<string, string> = path.startsWith('/admin/v1')
        ? { Authorization: adminHeaders.Authorization }
        : { Cookie: console.cookie };
      const res = await fetch(concrete(path, fixtures), {
        ...init,
        method,
        headers: { ...(init.headers as Record<string, string>), ...auth },
        redirect: 'manual',
      });
      if (res.headers.get('Cache-Control') !== 'no-store') cached.push(`${method} ${path} (${res.status})`);
    }
    expect(cached).toEqual([]);
  });
});
