import { describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import * as oauth from 'oauth4webapi';
import { TEMPLATE } from '../context';
import { refusal, registerInstance, signedInInstance } from '../openid-client-setup';

describe('RFC 7662 introspection and RFC 7009 revocation', () => {
  it('openid-client: an instance introspects its tokens, revokes its refresh token, and the token is dead', async () => {
    const { instance, tokens } = await signedInInstance(TEMPLATE);
    const { client_id: clientId } = instance.clientMetadata();
    const { sub } = tokens.claims()!;

    expect(await client.tokenIntrospection(instance, tokens.access_token)).toMatchObject({
      active: true,
      client_id: clientId,
      sub,
      scope: 'openid',
    });
    expect(await client.tokenIntrospection(instance, tokens.refresh_token!)).toMatchObject({ active: true, client_id: clientId });
    // Another instance learns nothing about tokens that are not its own.
    expect(await client.tokenIntrospection(await registerInstance(TEMPLATE), tokens.access_token)).toEqual({ active: false });

    await client.tokenRevocation(instance, tokens.refresh_token!);
    expect(await client.tokenIntrospection(instance, tokens.refresh_token!)).toEqual({ active: false });
    expect(await refusal(client.refreshTokenGrant(instance, tokens.refresh_token!))).toEqual({ status: 400, error: 'invalid_grant' });
    // RFC 7009 2.2: revoking what is already revoked (or unknown) still answers 200.
    await client.tokenRevocation(instance, tokens.refresh_token!);
  });

  it('oauth4webapi: the same responses pass its checks', async () => {
    const { instance, tokens } = await signedInInstance(TEMPLATE);
    const as = instance.serverMetadata() as oauth.AuthorizationServer;
    const { client_id, client_secret } = instance.clientMetadata();
    const self: oauth.Client = { client_id };
    const auth = oauth.ClientSecretBasic(client_secret as string);
    const insecure = { [oauth.allowInsecureRequests]: true } as const;

    const introspect = async (token: string) =>
      oauth.processIntrospectionResponse(as, self, await oauth.introspectionRequest(as, self, auth, token, insecure));
    expect(await introspect(tokens.access_token)).toMatchObject({ active: true, client_id, sub: tokens.claims()!.sub });

    await oauth.processRevocationResponse(await oauth.revocationRequest(as, self, auth, tokens.refresh_token!, insecure));
    expect((await introspect(tokens.refresh_token!)).active).toBe(false);
  });
});
