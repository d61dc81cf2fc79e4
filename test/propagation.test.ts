import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import {
  adminCall,
  basic,
  countInstances,
  editTemplate,
  expectOAuthError,
  form,
  manualClock,
  registerWith,
  requestIat,
  setUpTemplate,
  testServer,
  type Fetch,
} from './helpers';

/**
 * How fast an admin's change reaches token and registration requests (docs/architecture.md, "Propagation"). By
 * default every request that starts after an admin write returns sees it. The opt-in lookup cache trades that for a
 * stated bound, CLIENT_CACHE_SECONDS.
 */

const TOKEN = '/oauth/v2/oauth-token';

async function machineInstance(fetch: Fetch) {
  const { registrar, templateName } = await setUpTemplate(fetch, {
    capabilities: ['client_credentials'],
    redirect_uris: [],
    scopes: ['read', 'write'],
  });
  const res = await registerWith(fetch, await requestIat(fetch, registrar), { software_id: templateName });
  const { client_id, client_secret } = (await res.json()) as { client_id: string; client_secret: string };
  return { registrar, templateName, clientId: client_id, secret: client_secret };
}

const tokenFor = (fetch: Fetch, clientId: string, secret: string, scope = 'read write') =>
  fetch(TOKEN, form({ grant_type: 'client_credentials', scope }, { Authorization: basic(clientId, secret) }));

/** A write another isolate made: straight to D1, unseen by this isolate's memory. */
const editedElsewhere = (templateName: string, sql: string) =>
  env.DB.prepare(`UPDATE templates SET ${sql}, version = version + 1 WHERE name = ?`).bind(templateName).run();

describe('by default, the very next request sees an admin change', () => {
  const fetch = testServer();

  it('a scope removed from the template', async () => {
    const m = await machineInstance(fetch);
    expect((await tokenFor(fetch, m.clientId, m.secret)).status).toBe(200);
    await editTemplate(fetch, m.templateName, { scopes: ['read'] });
    await expectOAuthError(await tokenFor(fetch, m.clientId, m.secret), 400, 'invalid_scope');
  });

  it('the template disabled, then deleted', async () => {
    const m = await machineInstance(fetch);
    await editTemplate(fetch, m.templateName, { enabled: false });
    await expectOAuthError(await tokenFor(fetch, m.clientId, m.secret), 401, 'invalid_client');
    await editTemplate(fetch, m.templateName, { enabled: true });
    expect((await tokenFor(fetch, m.clientId, m.secret)).status).toBe(200);
    expect((await adminCall(fetch, 'DELETE', `/templates/${m.templateName}`)).status).toBe(204);
    await expectOAuthError(await tokenFor(fetch, m.clientId, m.secret), 401, 'invalid_client');
  });

  it('the instance secrets rotated: the old one is refused, the new one works', async () => {
    const m = await machineInstance(fetch);
    const rotated = (await (await adminCall(fetch, 'POST', `/templates/${m.templateName}/instances/rotate-secrets`)).json()) as {
      rotated: { client_id: string; client_secret: string }[];
    };
    await expectOAuthError(await tokenFor(fetch, m.clientId, m.secret), 401, 'invalid_client');
    expect((await tokenFor(fetch, m.clientId, rotated.rotated[0]!.client_secret)).status).toBe(200);
  });

  it('the instance revoked', async () => {
    const m = await machineInstance(fetch);
    expect((await adminCall(fetch, 'DELETE', `/templates/${m.templateName}/instances/${m.clientId}`)).status).toBe(204);
    await expectOAuthError(await tokenFor(fetch, m.clientId, m.secret), 401, 'invalid_client');
  });

  it('registration, whose template comes from isolate memory, still honours a change made elsewhere', async () => {
    const { registrar, templateName } = await setUpTemplate(fetch);
    const iat = await requestIat(fetch, registrar);
    // This isolate has read the template (setting it up did); another isolate now disables it.
    await editedElsewhere(templateName, 'enabled = 0');
    await expectOAuthError(await registerWith(fetch, iat, { software_id: templateName }), 400, 'invalid_client_metadata');
    expect(await countInstances(templateName)).toBe(0);

    // Re-enabled elsewhere with a new name for its instances: the registration re-reads it and uses it.
    await editedElsewhere(templateName, `enabled = 1, config = json_set(config, '$.client_name', 'Renamed')`);
    const res = await registerWith(fetch, await requestIat(fetch, registrar), { software_id: templateName });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ client_name: 'Renamed' });
  });

  it('registration honours a registrar removed elsewhere', async () => {
    const { registrar, templateName } = await setUpTemplate(fetch);
    const iat = await requestIat(fetch, registrar);
    await editedElsewhere(templateName, `config = json_set(config, '$.registration.allowed_clients', json('["someone-else"]'))`);
    await expectOAuthError(await registerWith(fetch, iat, { software_id: templateName }), 403, 'insufficient_scope');
    expect(await countInstances(templateName)).toBe(0);
  });
});

describe('opt-in: the per-isolate lookup cache (CLIENT_CACHE_SECONDS)', () => {
  const clock = manualClock();
  const cached = testServer({ clock: () => clock.now }, { CLIENT_CACHE_SECONDS: '5' });

  it('may serve a lookup up to the bound, and never longer', async () => {
    const m = await machineInstance(cached);
    expect((await tokenFor(cached, m.clientId, m.secret)).status).toBe(200);
    await editTemplate(cached, m.templateName, { scopes: ['read'] });

    clock.advance(4_999);
    // Within the bound the isolate may still answer from what it read before the edit.
    expect((await tokenFor(cached, m.clientId, m.secret)).status).toBe(200);
    clock.advance(2);
    await expectOAuthError(await tokenFor(cached, m.clientId, m.secret), 400, 'invalid_scope');
  });

  it("still writes a client's last use at most once a minute, though the cached lookup shows the old time", async () => {
    let lastUseWrites = 0;
    const db = new Proxy(env.DB, {
      get(target, prop) {
        if (prop === 'prepare') {
          return (sql: string) => {
            if (sql.includes('SET last_used_at')) lastUseWrites++;
            return target.prepare(sql);
          };
        }
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const counted = testServer({ clock: () => clock.now }, { CLIENT_CACHE_SECONDS: '60', DB: db });
    const m = await machineInstance(counted);
    lastUseWrites = 0;
    for (let i = 0; i < 5; i++) expect((await tokenFor(counted, m.clientId, m.secret, 'read')).status).toBe(200);
    expect(lastUseWrites).toBe(1);
  });
});

describe('opt-in: read replicas (D1_READ_REPLICAS)', () => {
  it('serves the token path through the Sessions API', async () => {
    const replicas = testServer({}, { D1_READ_REPLICAS: 'true' });
    const m = await machineInstance(replicas);
    expect((await tokenFor(replicas, m.clientId, m.secret)).status).toBe(200);
  });
});
