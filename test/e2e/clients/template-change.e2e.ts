import { describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import { REGISTRAR, admin } from '../context';
import { refusal, registerInstance } from '../openid-client-setup';

// Each test has its own template: SPEC's template-client is shared with tests running at the same time.

describe('a template change seen by openid-client', () => {
  it('removing openid from the template makes the next client_credentials grant for openid invalid_scope', async () => {
    const template = {
      name: `machine-${Date.now().toString(36)}`,
      capabilities: ['client_credentials'],
      scopes: ['openid', 'read'],
      registration: { mode: 'clients', allowed_clients: [REGISTRAR] },
    };
    expect((await admin('POST', '/templates', template)).status).toBe(201);
    const instance = await registerInstance(template.name);
    expect((await client.clientCredentialsGrant(instance, { scope: 'openid' })).scope).toBe('openid');

    expect((await admin('PUT', `/templates/${template.name}`, { ...template, scopes: ['read'] })).status).toBe(200);

    expect(await refusal(client.clientCredentialsGrant(instance, { scope: 'openid' }))).toEqual({ status: 400, error: 'invalid_scope' });
    // The instance itself still works for what the template still allows.
    expect((await client.clientCredentialsGrant(instance, { scope: 'read' })).scope).toBe('read');
  });
});
