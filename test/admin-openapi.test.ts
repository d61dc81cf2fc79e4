import { Validator } from '@cfworker/json-schema';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app';
import { adminCall, adminHeaders, registerWith, requestIat, setUpTemplate, testServer, unique } from './helpers';

const fetch = testServer();

interface OpenApiOperation {
  parameters?: { name: string; in: string }[];
  requestBody?: { content: Record<string, { schema: object }> };
  responses: Record<string, { content?: Record<string, { schema: object }> }>;
}
interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, OpenApiOperation>>;
}

let doc: OpenApiDocument;
beforeAll(async () => {
  const res = await adminCall(fetch, 'GET', '/openapi.json');
  expect(res.status).toBe(200);
  expect(res.headers.get('Content-Type')).toMatch(/^application\/json/);
  doc = (await res.json()) as OpenApiDocument;
});

/** `/admin/v1/templates/:name` as OpenAPI writes it, relative to the server URL: `/templates/{name}`. */
const openApiPath = (path: string) => path.replace('/admin/v1', '').replace(/:(\w+)/g, '{$1}');

/** The operation of the document that describes a request to `path`. */
function operationFor(method: string, path: string): { template: string; operation: OpenApiOperation } {
  const pathname = new URL(path, 'https://x').pathname;
  for (const [template, operations] of Object.entries(doc.paths)) {
    const pattern = new RegExp(`^/admin/v1${template.replace(/\{\w+\}/g, '[^/]+')}$`);
    if (pattern.test(pathname) && operations[method.toLowerCase()]) return { template, operation: operations[method.toLowerCase()]! };
  }
  throw new Error(`the document has no operation for ${method} ${pathname}`);
}

const checked: string[] = [];

/** A real call, its answer checked against the schema the document gives for its status. */
async function conforming(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<Response> {
  const res = await fetch(`/admin/v1${path}`, {
    method,
    headers: { ...adminHeaders, 'Content-Type': contentType },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const { template, operation } = operationFor(method, `/admin/v1${path}`);
  const response = operation.responses[String(res.status)] ?? operation.responses.default;
  expect(response, `${method} ${template} answered ${res.status}, which the document does not describe`).toBeDefined();
  if (res.status === 204) {
    expect(response!.content).toBeUndefined();
    return res;
  }
  const schema = response!.content?.['application/json']?.schema;
  expect(schema, `${method} ${template} ${res.status} has no JSON schema`).toBeDefined();
  const answer = await res.clone().json();
  const result = new Validator(schema as object, '2020-12', false).validate(answer);
  expect(result.errors, `${method} ${template} ${res.status}: ${JSON.stringify(answer)}`).toEqual([]);
  checked.push(`${method} ${template} ${res.status}`);
  return res;
}

describe('the OpenAPI 3.1 document at /admin/v1/openapi.json', () => {
  it('is OpenAPI 3.1 and describes exactly the routes the admin API has', () => {
    expect(doc.openapi).toMatch(/^3\.1\./);
    const routes = createApp()
      .routes.filter((r) => r.path.startsWith('/admin/v1/') && r.method !== 'ALL')
      .map((r) => `${r.method} ${openApiPath(r.path)}`);
    const documented = Object.entries(doc.paths).flatMap(([path, operations]) =>
      Object.keys(operations)
        .filter((key) => key !== 'parameters')
        .map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect([...new Set(routes)].sort()).toEqual(documented.sort());
  });

  it('describes every path parameter and every request body a write takes', () => {
    for (const [path, operations] of Object.entries(doc.paths)) {
      const params = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const [method, operation] of Object.entries(operations)) {
        const declared = (operation.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
        expect(declared.sort(), `${method} ${path}`).toEqual([...params].sort());
        if (method === 'put' || method === 'patch' || (method === 'post' && !path.endsWith('rotate-secrets'))) {
          expect(operation.requestBody, `${method} ${path}`).toBeDefined();
        }
      }
    }
  });

  it('the answers of a real session with the API are what the document says', async () => {
    await conforming('GET', '/settings');
    const { registrar, templateName } = await setUpTemplate(fetch);
    await conforming('GET', `/templates/${templateName}`);
    await conforming('GET', '/templates?limit=1');
    const created = unique('doc');
    await conforming('POST', '/templates', {
      name: created,
      capabilities: ['client_credentials'],
      scopes: ['read'],
      registration: { mode: 'users', via_clients: ['app-login'] },
    });
    const current = (await (await conforming('GET', `/templates/${created}`)).json()) as Record<string, unknown>;
    await conforming('PUT', `/templates/${created}`, { ...current, client_name: 'Documented' });
    await conforming('PATCH', `/templates/${created}`, { scopes: ['read', 'write'] }, 'application/merge-patch+json');
    await conforming('PUT', `/templates/${created}`, { ...current, version: 42 });
    await conforming('POST', '/templates', { name: created });
    await conforming('GET', `/templates/${created}/history?limit=2`);

    for (let i = 0; i < 2; i++) await registerWith(fetch, await requestIat(fetch, registrar), { software_id: templateName });
    const page = (await (await conforming('GET', `/templates/${templateName}/instances?limit=1`)).json()) as {
      items: { client_id: string }[];
    };
    await conforming('GET', `/templates/${templateName}/instances?q=${page.items[0]!.client_id.slice(0, 5)}`);
    await conforming('POST', `/templates/${templateName}/instances/rotate-secrets`);
    await conforming('DELETE', `/templates/${templateName}/instances/${page.items[0]!.client_id}`);
    await conforming('DELETE', `/templates/${templateName}/instances`);
    await conforming('DELETE', `/templates/${created}`);
    await conforming('GET', `/templates/${created}`);

    const clientId = unique('doc-client');
    await conforming('POST', '/clients', { client_id: clientId, scopes: ['read'] });
    const client = (await (await conforming('GET', `/clients/${clientId}`)).json()) as Record<string, unknown>;
    await conforming('PUT', `/clients/${clientId}`, { ...client, client_secret: 'a-rotated-secret-that-is-long-enough-0123456789' });
    await conforming('PATCH', `/clients/${clientId}`, { resource_server: true }, 'application/merge-patch+json');
    await conforming('GET', '/clients?limit=2');
    await conforming('DELETE', `/clients/${clientId}`);

    const username = unique('doc-user');
    await conforming('POST', '/users', { username, password: 'a long password', claims: { email: 'doc@example.com' } });
    const user = (await (await conforming('GET', `/users/${username}`)).json()) as Record<string, unknown>;
    await conforming('PUT', `/users/${username}`, { ...user, claims: { name: 'Doc' } });
    await conforming('PATCH', `/users/${username}`, { claims: { name: null } }, 'application/merge-patch+json');
    await conforming('GET', '/users?limit=2');
    await conforming('DELETE', `/users/${username}`);
    await conforming('GET', '/users?cursor=bad');
    await conforming('GET', `/audit?template=${templateName}&limit=3`);
    await conforming('GET', '/audit?since=yesterday');

    expect(checked.length).toBeGreaterThan(25);
  });
});
