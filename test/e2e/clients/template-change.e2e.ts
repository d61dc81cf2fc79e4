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

  it('docs/flow.md step 5: openid removed from the template, the next refresh asking for openid is invalid_scope', async () => {
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

  it('docs/flow.md step 5: the template deleted, its instance is invalid_client', async () => {
    const template = await createTemplate('gone', { ...codeFlow, scopes: ['openid'] });
    const { instance, tokens } = await signedInInstance(template.name);

    expect((await admin('DELETE', `/templates/${template.name}`)).status).toBe(204);

    expect(await refusal(client.refreshTokenGrant(instance, tokens.refresh_token!))).toEqual({ status: 401, error: 'invalid_client' });
  });

  it('the admin rotates the secrets of all instances, then revokes them all: each instance sees it at its next request', async () => {
    const template = await createTemplate('fleet', { ...codeFlow, scopes: ['openid'] });
    const fleet = [await signedInInstance(template.name), await signedInInstance(template.name)];

    const rotation = await admin('POST', `/templates/${template.name}/instances/rotate-secrets`);
    expect(rotation.status).toBe(200);
    const { rotated } = (await rotation.json()) as { rotated: Array<{ client_id: string; client_secret: string }> };
    const newSecretOf = (clientId: string) => rotated.find((r) => r.client_id === clientId)!.client_secret;

    const renewed: Array<{ app: client.Configuration; refreshToken: string }> = [];
    for (const { instance, tokens } of fleet) {
      const { client_id: clientId } = instance.clientMetadata();
      expect(await refusal(client.refreshTokenGrant(instance, tokens.refresh_token!))).toEqual({ status: 401, error: 'invalid_client' });
      // Given its new secret, the app carries on with the grant it has.
      const app = new client.Configuration(instance.serverMetadata(), clientId, newSecretOf(clientId));
      client.allowInsecureRequests(app);
      renewed.push({ app, refreshToken: (await client.refreshTokenGrant(app, tokens.refresh_token!)).refresh_token! });
    }

    const revocation = await admin('DELETE', `/templates/${template.name}/instances`);
    expect(await revocation.json()).toEqual({ revoked: 2 });
    for (const { app, refreshToken } of renewed) {
      expect(await refusal(client.refreshTokenGrant(app, refreshToken))).toEqual({ status: 401, error: 'invalid_client' });
    }
  });
});
