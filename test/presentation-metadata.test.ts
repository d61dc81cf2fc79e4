import { describe, expect, it } from 'vitest';
import { adminCall, json, nonTemplatizedIat, registerWith, requestIat, setUpTemplate, testServer, unique, type Fetch } from './helpers';
import { createOpenTemplate } from './flow-helpers';

/**
 * logo_uri, policy_uri and tos_uri (RFC 7591 2) are kept and echoed at every kind of registration: a templatized or
 * open instance shows its template's (the admin's), a client registered without a template its own; RFC 7592 reads
 * and updates show them too, and the admin API keeps them on templates and static clients.
 */
const fetch = testServer({}, { DCR_NON_TEMPLATIZED: 'true' });
const BRANDING = {
  logo_uri: 'https://cdn.example.com/logo.png',
  policy_uri: 'https://example.com/privacy',
  tos_uri: 'https://example.com/terms',
};

const manage = (f: Fetch, client: Record<string, string>, init: RequestInit = {}) =>
  f(new URL(client.registration_client_uri!).pathname, {
    ...init,
    headers: { Authorization: `Bearer ${client.registration_access_token}`, 'Content-Type': 'application/json' },
  });

/**
 * The answer of registration and of an RFC 7592 read show the branding; an update that sends `update` shows
 * `afterUpdate`.
 */
async function expectEchoedThroughout(f: Fetch, registered: Response, update: Record<string, unknown>, afterUpdate = BRANDING) {
  expect(registered.status).toBe(201);
  const client = (await registered.json()) as Record<string, string>;
  expect(client).toMatchObject(BRANDING);
  const read = await manage(f, client);
  expect(read.status).toBe(200);
  expect(await read.json()).toMatchObject(BRANDING);
  const updated = await manage(f, client, { method: 'PUT', body: JSON.stringify({ client_id: client.client_id, ...update }) });
  expect(updated.status).toBe(200);
  expect(await updated.json()).toMatchObject(afterUpdate);
}

describe('logo_uri, policy_uri and tos_uri', () => {
  it('a templatized instance: the template’s, at registration, RFC 7592 GET and PUT', async () => {
    const { registrar, templateName } = await setUpTemplate(fetch, BRANDING);
    const registered = await registerWith(fetch, await requestIat(fetch, registrar), { software_id: templateName });
    await expectEchoedThroughout(fetch, registered, { software_id: templateName });
  });

  it('an open instance: the template’s too', async () => {
    const name = await createOpenTemplate(fetch, BRANDING);
    const open = testServer({}, { DCR_OPEN_TEMPLATE: name });
    const registered = await open('/oauth/v2/oauth-dynamic-client-registration', json({}, { 'CF-Connecting-IP': '192.0.2.90' }));
    await expectEchoedThroughout(open, registered, { token_endpoint_auth_method: 'none' });
  });

  it('a client registered without a template: its own, kept through RFC 7592 GET and replaced by PUT', async () => {
    const iat = await nonTemplatizedIat(fetch);
    const metadata = { redirect_uris: ['https://app.example/cb'], ...BRANDING };
    const registered = await registerWith(fetch, iat, metadata);
    const changed = { ...BRANDING, tos_uri: 'https://example.com/terms-2' };
    await expectEchoedThroughout(fetch, registered, { ...metadata, ...changed }, changed);
  });

  it('the admin API keeps them on templates and static clients', async () => {
    const { templateName } = await setUpTemplate(fetch, BRANDING);
    expect(await (await adminCall(fetch, 'GET', `/templates/${templateName}`)).json()).toMatchObject(BRANDING);
    const clientId = unique('branded');
    expect((await adminCall(fetch, 'POST', '/clients', { client_id: clientId, ...BRANDING })).status).toBe(201);
    expect(await (await adminCall(fetch, 'GET', `/clients/${clientId}`)).json()).toMatchObject(BRANDING);
  });
});
