import { describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import { REDIRECT_URI, admin, createTemplate } from '../context';
import { refusal, registerInstance, signedInInstance } from '../openid-client-setup';

const codeFlow = { capabilities: ['code', 'refresh'], redirect_uris: [REDIRECT_URI] };

describe('a template change seen by openid-client', () => {
  it('removing openid from the template makes the next client_credentials grant for openid invalid_scope', async () => {
    const template = await createTemplate('machine', { capabilities: ['client_credentials'], scopes: ['openid', 'read'] });
    const instance = await registerInstance(template.name);
    expect((await client.clientCredentialsGrant(instance, { scope: 'openid' })).scope).toBe('openid');

    expect((await admin('PUT', `/templates/${template.name}`, { ...template, scopes: ['read'] })).status).toBe(200);

    expect(await refusal(client.clientCredentialsGrant(instance, { scope: 'openid' }))).toEqual({ status: 400, error: 'invalid_scope' });
    // The instance itself still works for what the template still allows.
    expect((await client.clientCredentialsGrant(instance, { scope: 'read' })).scope).toBe('read');
  });

  it('SPEC.md step 5: openid removed from the template, the next refresh asking for openid is invalid_scope', async () => {
    const template = await createTemplate('app', { ...codeFlow, scopes: ['openid', 'profile'] });
    const { instance, tokens } = await signedInInstance(template.name, 'openid profile');
    const refreshed = await client.refreshTokenGrant(instance, tokens.refresh_token!, { scope: 'openid' });
    expect(refreshed.scope).toBe('openid');

    expect((await admin('PUT', `/templates/${template.name}`, { ...template, scopes: ['profile'] })).status).toBe(200);

    expect(await refusal(client.refreshTokenGrant(instance, refreshed.refresh_token!, { scope: 'openid' }))).toEqual({
      status: 400,
      error: 'invalid_scope',
    });
  });

  it('SPEC.md step 5: the template deleted, its instance is invalid_client', async () => {
    const template = await createTemplate('gone', { ...codeFlow, scopes: ['openid'] });
    const { instance, tokens } = await signedInInstance(template.name);

    expect((await admin('DELETE', `/templates/${template.name}`)).status).toBe(204);

    expect(await refusal(client.refreshTokenGrant(instance, tokens.refresh_token!))).toEqual({ status: 401, error: 'invalid_client' });
  });
});
