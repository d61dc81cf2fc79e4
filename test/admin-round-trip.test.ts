import { describe, expect, it } from 'vitest';
import { adminCall, adminHeaders, expectOAuthError, registerWith, requestIat, setUpTemplate, testServer, unique } from './helpers';

const fetch = testServer();

type Json = Record<string, unknown>;

/** An admin call with extra headers (If-Match, a merge-patch content type). */
const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  fetch(`/admin/v1${path}`, {
    method,
    headers: { ...adminHeaders, ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

const mergePatch = (path: string, patch: unknown, headers: Record<string, string> = {}) =>
  call('PATCH', path, patch, { 'Content-Type': 'application/merge-patch+json', ...headers });

async function read(path: string): Promise<{ body: Json; etag: string }> {
  const res = await adminCall(fetch, 'GET', path);
  expect(res.status).toBe(200);
  const etag = res.headers.get('ETag');
  expect(etag).toMatch(/^"[^"]+"$/);
  return { body: (await res.json()) as Json, etag: etag! };
}

const newTemplate = () => ({
  name: unique('rt'),
  capabilities: ['code', 'refresh'],
  redirect_uris: ['https://localhost/callback'],
  scopes: ['openid'],
  registration: { mode: 'clients', allowed_clients: ['server'] },
});

async function createdTemplate() {
  const template = newTemplate();
  expect((await adminCall(fetch, 'POST', '/templates', template)).status).toBe(201);
  return `/templates/${template.name}`;
}

async function createdClient() {
  const clientId = unique('rt-client');
  expect((await adminCall(fetch, 'POST', '/clients', { client_id: clientId, client_name: 'Round trip', scopes: ['read'] })).status).toBe(
    201,
  );
  return `/clients/${clientId}`;
}

async function createdUser() {
  const username = unique('rt-user');
  const res = await adminCall(fetch, 'POST', '/users', {
    username,
    password: 'a long enough password',
    claims: { name: 'R', email: 'r@example.com' },
  });
  expect(res.status).toBe(201);
  return `/users/${username}`;
}

describe('GET then PUT: what the admin API shows, it accepts back', () => {
  it.each([
    ['a template', createdTemplate, ['version', 'created_at', 'updated_at']],
    ['a static client', createdClient, ['issued_at']],
    ['a user', createdUser, ['sub', 'created_at', 'updated_at']],
  ])('%s: its representation is accepted unchanged; read-only fields that differ are named in a 400', async (_, create, readOnly) => {
    const path = await create();
    const { body } = await read(path);

    const unchanged = await call('PUT', path, body);
    expect(unchanged.status).toBe(200);
    const after = (await unchanged.json()) as Json;
    for (const [field, value] of Object.entries(body)) {
      if (!readOnly.includes(field)) expect(after[field]).toEqual(value);
    }

    const current = (await read(path)).body;
    const tampered = {
      ...current,
      ...Object.fromEntries(readOnly.map((field) => [field, field === 'version' ? 999 : '2001-01-01T00:00:00.000Z'])),
    };
    const refused = await expectOAuthError(await call('PUT', path, tampered), 400, 'invalid_request');
    for (const field of readOnly) expect(refused.error_description).toContain(field);
    expect((await read(path)).body).toEqual(current);
  });

  it('a template read at one version and written after someone else wrote the next one is refused', async () => {
    const path = await createdTemplate();
    const { body: stale } = await read(path);
    expect((await call('PUT', path, { ...stale, scopes: ['openid', 'profile'] })).status).toBe(200);
    const refused = await expectOAuthError(await call('PUT', path, { ...stale, scopes: ['openid', 'email'] }), 400, 'invalid_request');
    expect(refused.error_description).toContain('version');
    expect((await read(path)).body.scopes).toEqual(['openid', 'profile']);
  });
});

describe('ETag and If-Match', () => {
  it.each([
    ['a template', createdTemplate, { scopes: ['openid', 'email'] }],
    ['a static client', createdClient, { scopes: ['read', 'write'] }],
    ['a user', createdUser, { claims: { name: 'Changed' } }],
  ])('%s: a write with the ETag read answers the new ETag; a stale one gets 412 and changes nothing', async (_, create, change) => {
    const path = await create();
    const first = await read(path);
    expect((await read(path)).etag).toBe(first.etag);

    const written = await call('PUT', path, { ...first.body, ...change }, { 'If-Match': first.etag });
    expect(written.status).toBe(200);
    const newTag = written.headers.get('ETag');
    expect(newTag).not.toBe(first.etag);
    const second = await read(path);
    expect(second.etag).toBe(newTag);

    for (const [method, body] of [
      ['PUT', second.body],
      ['PATCH', {}],
      ['DELETE', undefined],
    ] as const) {
      const res =
        method === 'PATCH'
          ? await mergePatch(path, body, { 'If-Match': first.etag })
          : await call(method, path, body, { 'If-Match': first.etag });
      await expectOAuthError(res, 412, 'precondition_failed');
    }
    expect(await read(path)).toEqual(second);

    expect((await call('DELETE', path, undefined, { 'If-Match': second.etag })).status).toBe(204);
  });

  it('If-Match: * means "whatever it is now", and on a missing resource is 412', async () => {
    const path = await createdTemplate();
    expect((await mergePatch(path, { scopes: ['openid', 'email'] }, { 'If-Match': '*' })).status).toBe(200);
    await expectOAuthError(await mergePatch('/templates/no-such-template', {}, { 'If-Match': '*' }), 412, 'precondition_failed');
  });
});

describe('PATCH with a JSON merge patch (RFC 7396)', () => {
  it('a template: members replace, null removes, nested objects merge, the result is validated like a PUT', async () => {
    const path = await createdTemplate();
    await mergePatch(path, { client_name: 'Field app' });
    const res = await mergePatch(path, {
      client_name: null,
      scopes: ['openid', 'profile'],
      registration: { allowed_clients: ['server', 'other'] },
    });
    expect(res.status).toBe(200);
    const patched = (await res.json()) as Json;
    expect(patched).toMatchObject({
      scopes: ['openid', 'profile'],
      registration: { mode: 'clients', allowed_clients: ['server', 'other'] },
    });
    expect(patched).not.toHaveProperty('client_name');
    expect(patched.version).toBe(3);

    const invalid = await expectOAuthError(await mergePatch(path, { capabilities: [] }), 400, 'invalid_request');
    expect(invalid.error_description).toContain('capabilities');
    await expectOAuthError(await mergePatch(path, { version: 1 }), 400, 'invalid_request');
    await expectOAuthError(await call('PATCH', path, {}), 415, 'invalid_request');
  });

  it('a static client and a user', async () => {
    const client = await createdClient();
    const res = await mergePatch(client, { client_name: null, resource_server: true });
    expect(await res.json()).toMatchObject({ resource_server: true, scopes: ['read'] });
    expect((await read(client)).body).not.toHaveProperty('client_name');

    const user = await createdUser();
    const patched = (await (await mergePatch(user, { claims: { email: null, nickname: 'rr' } })).json()) as Json;
    expect(patched.claims).toEqual({ name: 'R', nickname: 'rr' });
  });
});

/** Every page of a list, following next_cursor; checks the page size on the way. */
async function allPages(path: string, limit: number): Promise<{ pages: number; items: Json[] }> {
  const items: Json[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const query = new URLSearchParams({ limit: String(limit), ...(cursor ? { cursor } : {}) });
    const res = await adminCall(fetch, 'GET', `${path}${path.includes('?') ? '&' : '?'}${query}`);
    expect(res.status).toBe(200);
    const page = (await res.json()) as { items: Json[]; next_cursor: string | null };
    expect(page.items.length).toBeLessThanOrEqual(limit);
    if (page.next_cursor) expect(page.items).toHaveLength(limit);
    items.push(...page.items);
    cursor = page.next_cursor;
    pages++;
  } while (cursor);
  return { pages, items };
}

describe('cursor pagination on every list', () => {
  it.each([
    ['templates', '/templates', 'name', async () => (await createdTemplate()).split('/')[2]!],
    ['static clients', '/clients', 'client_id', async () => (await createdClient()).split('/')[2]!],
    ['users', '/users', 'username', async () => (await createdUser()).split('/')[2]!],
  ])('%s: pages of a given size, each item once, in order', async (_, path, key, create) => {
    const made = [await create(), await create(), await create()];
    const { items, pages } = await allPages(path, 2);
    const keys = items.map((item) => item[key] as string);
    expect(pages).toBeGreaterThanOrEqual(2);
    expect(new Set(keys).size).toBe(keys.length);
    expect([...keys].sort()).toEqual(keys);
    for (const name of made) expect(keys).toContain(name);
  });

  it('instances of a template: across pages, and searched by client id', async () => {
    const { registrar, templateName } = await setUpTemplate(fetch, {
      capabilities: ['client_credentials'],
      redirect_uris: [],
      scopes: ['read'],
    });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await registerWith(fetch, await requestIat(fetch, registrar), { software_id: templateName });
      ids.push(((await res.json()) as { client_id: string }).client_id);
    }
    const { items, pages } = await allPages(`/templates/${templateName}/instances`, 2);
    expect(pages).toBe(3);
    expect(items.map((i) => i.client_id).sort()).toEqual([...ids].sort());

    const found = await allPages(`/templates/${templateName}/instances?q=${ids[3]!.slice(0, 12)}`, 2);
    expect(found.items.map((i) => i.client_id)).toContain(ids[3]);
    expect(found.items.every((i) => (i.client_id as string).startsWith(ids[3]!.slice(0, 12)))).toBe(true);
  });

  it('a template history, oldest first', async () => {
    const path = await createdTemplate();
    for (const scope of ['a', 'b', 'c']) await mergePatch(path, { scopes: ['openid', scope] });
    const { items } = await allPages(`${path}/history`, 3);
    expect(items.map((h) => h.version)).toEqual([1, 2, 3, 4]);
  });

  it('a bad cursor or limit is a 400', async () => {
    await expectOAuthError(await adminCall(fetch, 'GET', '/templates?cursor=not-a-cursor'), 400, 'invalid_request');
    await expectOAuthError(await adminCall(fetch, 'GET', '/templates?limit=0'), 400, 'invalid_request');
    await expectOAuthError(await adminCall(fetch, 'GET', '/users?limit=100000'), 400, 'invalid_request');
  });
});
