import { describe, expect, it } from 'vitest';
import {
  adminCall,
  adminList,
  basic,
  editTemplate,
  expectOAuthError,
  form,
  manualClock,
  registerWith,
  requestIat,
  setUpTemplate,
  templateConfig,
  testServer,
} from './helpers';

const clock = manualClock();
const fetch = testServer({ clock: () => clock.now });

async function templateWithInstances(count: number) {
  const { registrar, templateName } = await setUpTemplate(fetch, {
    capabilities: ['client_credentials'],
    redirect_uris: [],
    scopes: ['read'],
  });
  const instances: { client_id: string; client_secret: string }[] = [];
  for (let i = 0; i < count; i++) {
    const iat = await requestIat(fetch, registrar);
    instances.push(
      (await (await registerWith(fetch, iat, { software_id: templateName })).json()) as { client_id: string; client_secret: string },
    );
  }
  return { registrar, templateName, instances };
}

const tokenFor = (clientId: string, secret: string) =>
  fetch('/oauth/v2/oauth-token', form({ grant_type: 'client_credentials' }, { Authorization: basic(clientId, secret) }));

const inventory = async (templateName: string) => adminList(fetch, `/templates/${templateName}/instances`);

describe('instance inventory', () => {
  it('shows when, by which client and IAT each instance was made, and when it was last used', async () => {
    const { registrar, templateName, instances } = await templateWithInstances(2);
    const before = await inventory(templateName);
    expect(before).toHaveLength(2);
    for (const entry of before) {
      expect(entry).toMatchObject({ template: templateName, created_by_client: registrar.clientId, last_used_at: null });
      expect(entry.created_by_iat).toEqual(expect.any(String));
      expect(Date.parse(entry.issued_at as string)).toBe(clock.now);
    }
    expect(new Set(before.map((e) => e.created_by_iat)).size).toBe(2);

    clock.advance(5_000);
    expect((await tokenFor(instances[0]!.client_id, instances[0]!.client_secret)).status).toBe(200);
    const after = await inventory(templateName);
    const used = after.find((e) => e.client_id === instances[0]!.client_id)!;
    expect(Date.parse(used.last_used_at as string)).toBe(clock.now);
    expect(after.find((e) => e.client_id === instances[1]!.client_id)!.last_used_at).toBeNull();
  });

  it('revokes all instances of a template in one call', async () => {
    const { templateName, instances } = await templateWithInstances(3);
    const res = await adminCall(fetch, 'DELETE', `/templates/${templateName}/instances`);
    expect(await res.json()).toEqual({ revoked: 3 });
    for (const instance of instances) {
      await expectOAuthError(await tokenFor(instance.client_id, instance.client_secret), 401, 'invalid_client');
    }
    expect(await inventory(templateName)).toEqual([]);
    expect((await adminCall(fetch, 'GET', `/templates/${templateName}`)).status).toBe(200);
  });

  it('rotates the secrets of all instances of a template', async () => {
    const { templateName, instances } = await templateWithInstances(2);
    const res = await adminCall(fetch, 'POST', `/templates/${templateName}/instances/rotate-secrets`);
    expect(res.status).toBe(200);
    const { rotated } = (await res.json()) as { rotated: { client_id: string; client_secret: string }[] };
    expect(rotated.map((r) => r.client_id).sort()).toEqual(instances.map((i) => i.client_id).sort());
    for (const instance of instances) {
      await expectOAuthError(await tokenFor(instance.client_id, instance.client_secret), 401, 'invalid_client');
      const fresh = rotated.find((r) => r.client_id === instance.client_id)!;
      expect(fresh.client_secret).toMatch(/^[A-Za-z0-9_-]{43,}$/);
      expect((await tokenFor(fresh.client_id, fresh.client_secret)).status).toBe(200);
    }
  });

  it('answers 404 for the inventory of an unknown template', async () => {
    await expectOAuthError(await adminCall(fetch, 'GET', '/templates/no-such-template/instances'), 404, 'not_found');
    await expectOAuthError(await adminCall(fetch, 'DELETE', '/templates/no-such-template/instances'), 404, 'not_found');
    await expectOAuthError(await adminCall(fetch, 'POST', '/templates/no-such-template/instances/rotate-secrets'), 404, 'not_found');
  });
});

describe('template change history', () => {
  it('records creation, each change with what changed, and deletion', async () => {
    const { templateName } = await setUpTemplate(fetch);
    clock.advance(1_000);
    await editTemplate(fetch, templateName, { scopes: ['openid', 'profile'], refresh_token_ttl: 7200 });
    clock.advance(1_000);
    expect((await adminCall(fetch, 'DELETE', `/templates/${templateName}`)).status).toBe(204);

    const history = await adminList(fetch, `/templates/${templateName}/history`);
    expect(history).toHaveLength(3);
    expect(history[0]).toMatchObject({
      version: 1,
      changes: { scopes: { from: null, to: ['openid'] }, name: { from: null, to: templateName } },
    });
    expect(history[1]).toEqual({
      version: 2,
      changed_at: new Date(clock.now - 1_000).toISOString(),
      changes: { scopes: { from: ['openid'], to: ['openid', 'profile'] }, refresh_token_ttl: { from: 3600, to: 7200 } },
    });
    expect(history[2]).toMatchObject({ version: null, changes: { deleted: { from: false, to: true } } });
  });

  it('concurrent edits never lose a change: each one either lands as its own version or gets 409', async () => {
    const { templateName } = await setUpTemplate(fetch);
    const config = await templateConfig(fetch, templateName);
    const answers = await Promise.all(
      [1, 2, 3, 4, 5].map((n) => adminCall(fetch, 'PUT', `/templates/${templateName}`, { ...config, refresh_token_ttl: 1000 * n })),
    );
    const statuses = answers.map((r) => r.status);
    expect(statuses.every((s) => s === 200 || s === 409)).toBe(true);
    const landed = statuses.filter((s) => s === 200).length;
    const history = await adminList(fetch, `/templates/${templateName}/history`);
    expect(history.map((h) => h.version)).toEqual(Array.from({ length: landed + 1 }, (_, i) => i + 1));
    expect(await (await adminCall(fetch, 'GET', `/templates/${templateName}`)).json()).toMatchObject({ version: landed + 1 });
  });
});
