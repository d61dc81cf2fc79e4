import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import * as oauth from 'oauth4webapi';
import { REDIRECT_URI, TEMPLATE, createTemplate, e2e, issuer } from '../context';
import { authorizationRequest, registrarConfig } from '../openid-client-setup';
import { CookieJar, logInOverHttp } from '../login-over-http';
import { files, startLocalServer, type LocalServer } from '../local-server';
import { codeRequest, discover, insecure, redeemCallback, register, requestIat } from '../oauth4webapi-setup';

/**
 * OpenID Connect breadth through the libraries' own support: signed userinfo (openid-client's fetchUserInfo with the
 * client metadata saying userinfo_signed_response_alg and its non-repudiation check; oauth4webapi's
 * processUserInfoResponse and validateApplicationLevelSignature), the claims parameter (their authorization requests
 * and ID token validation), and pairwise subjects compared across registered clients.
 */

let sectors: LocalServer;
const templates: Record<'signed' | 'pairwise' | 'otherSector', string> = { signed: '', pairwise: '', otherSector: '' };

beforeAll(async () => {
  // The sector_identifier_uri document, on https://sectors.test:<port> (test/e2e/server.ts maps it to this server).
  sectors = await startLocalServer(files({ '/sector.json': { type: 'application/json', body: JSON.stringify([REDIRECT_URI]) } }));
  const base = { capabilities: ['code', 'refresh'], redirect_uris: [REDIRECT_URI], scopes: ['openid', 'profile', 'email'] };
  templates.signed = (await createTemplate('signed-userinfo', { ...base, userinfo_signed_response_alg: 'ES256' })).name;
  templates.pairwise = (await createTemplate('pairwise', { ...base, subject_type: 'pairwise' })).name;
  templates.otherSector = (
    await createTemplate('pairwise-sector', {
      ...base,
      subject_type: 'pairwise',
      sector_identifier_uri: `https://sectors.test:${sectors.port}/sector.json`,
    })
  ).name;
});

afterAll(async () => {
  await sectors?.close();
});

/** An instance registered through openid-client, with `metadata` besides its software_id. */
async function instanceOf(softwareId: string, metadata: Partial<client.ClientMetadata> = {}) {
  const iat = await client.clientCredentialsGrant(await registrarConfig(), { scope: 'dcr' });
  return client.dynamicClientRegistration(issuer, { software_id: softwareId, ...metadata }, client.ClientSecretBasic(), {
    execute: [client.allowInsecureRequests, client.enableNonRepudiationChecks],
    initialAccessToken: iat.access_token,
  });
}

/** Signs the demo user in through `config`; `extra` goes into the authorization request. */
async function signIn(config: client.Configuration, scope = 'openid', extra: Record<string, string> = {}) {
  const { url, checks } = await authorizationRequest(config, scope);
  for (const [name, value] of Object.entries(extra)) url.searchParams.set(name, value);
  const { callback } = await logInOverHttp(url, e2e.user, new CookieJar());
  return client.authorizationCodeGrant(config, callback, checks);
}

describe('openid-client', () => {
  it('signed userinfo: fetchUserInfo takes the JWT the client metadata asks for and checks its signature against the JWKS', async () => {
    const config = await instanceOf(templates.signed, { userinfo_signed_response_alg: 'ES256' });
    expect(config.clientMetadata().userinfo_signed_response_alg).toBe('ES256');
    expect(config.serverMetadata().userinfo_signing_alg_values_supported).toEqual(['RS256', 'ES256']);
    const tokens = await signIn(config, 'openid email');
    const sub = tokens.claims()!.sub;
    const userinfo = await client.fetchUserInfo(config, tokens.access_token, sub);
    expect(userinfo).toMatchObject({ sub, email: 'demo@example.com', iss: e2e.issuer, aud: config.clientMetadata().client_id });

    // A client that expects another algorithm refuses the answer.
    const { client_id, client_secret } = config.clientMetadata();
    const expectingRs256 = new client.Configuration(
      config.serverMetadata(),
      client_id,
      { client_secret: client_secret as string, userinfo_signed_response_alg: 'RS256' },
      client.ClientSecretBasic(),
    );
    client.allowInsecureRequests(expectingRs256);
    await expect(client.fetchUserInfo(expectingRs256, tokens.access_token, sub)).rejects.toMatchObject({
      code: 'OAUTH_INVALID_RESPONSE',
      cause: { message: 'unexpected JWT "alg" header parameter', cause: { header: { alg: 'ES256' }, expected: 'RS256' } },
    });
  });

  it('the claims parameter: name in the ID token the library validated, email from userinfo without the email scope', async () => {
    const config = await instanceOf(TEMPLATE);
    expect(config.serverMetadata().claims_parameter_supported).toBe(true);
    const claims = JSON.stringify({ id_token: { name: { essential: true } }, userinfo: { email: null } });
    const tokens = await signIn(config, 'openid', { claims });
    const idToken = tokens.claims()!;
    expect(idToken).toMatchObject({ name: 'Demo User', acr: 'username-password', amr: ['pwd'] });
    expect(idToken.email).toBeUndefined();
    expect(await client.fetchUserInfo(config, tokens.access_token, idToken.sub)).toEqual({ sub: idToken.sub, email: 'demo@example.com' });
    // The grant keeps it: the refreshed ID token names the user again.
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.claims()).toMatchObject({ sub: idToken.sub, name: 'Demo User' });
  });

  it('pairwise subjects: one per sector across registered clients, the same in userinfo, introspection and after a refresh', async () => {
    const subOf = async (config: client.Configuration) => (await signIn(config)).claims()!.sub;
    const [first, second] = [await instanceOf(templates.pairwise), await instanceOf(templates.pairwise)];
    const otherSector = await instanceOf(templates.otherSector);
    expect(otherSector.clientMetadata()).toMatchObject({
      subject_type: 'pairwise',
      sector_identifier_uri: expect.stringContaining('sectors.test'),
    });
    const publicSub = await subOf(await instanceOf(TEMPLATE));
    const sub = await subOf(first);
    expect(await subOf(second)).toBe(sub);
    expect(sub).not.toBe(publicSub);
    expect([sub, publicSub]).not.toContain(await subOf(otherSector));

    const tokens = await signIn(first);
    expect((await client.fetchUserInfo(first, tokens.access_token, sub)).sub).toBe(sub);
    expect(await client.tokenIntrospection(first, tokens.refresh_token!)).toMatchObject({ active: true, sub });
    const refreshed = await client.refreshTokenGrant(first, tokens.refresh_token!);
    expect(refreshed.claims()!.sub).toBe(sub);
    expect(await client.tokenIntrospection(first, refreshed.access_token)).toMatchObject({ active: true, sub });
  });
});

describe('oauth4webapi', () => {
  it('processUserInfoResponse takes the signed JWT, and validateApplicationLevelSignature checks it; the claims parameter goes into the ID token', async () => {
    const as = await discover();
    const instance = await register(as, (await requestIat(as)).access_token, {
      software_id: templates.signed,
      userinfo_signed_response_alg: 'ES256',
    });
    expect(instance.userinfo_signed_response_alg).toBe('ES256');
    const claims = JSON.stringify({ id_token: { email: null }, userinfo: { name: null } });
    const { url, codeVerifier, state, nonce } = await codeRequest(as, instance, { claims });
    const { callback } = await logInOverHttp(url, e2e.user, new CookieJar());
    const auth = oauth.ClientSecretBasic(instance.client_secret as string);
    const tokens = await redeemCallback(as, instance, auth, callback, { state, nonce, codeVerifier });
    const idToken = oauth.getValidatedIdTokenClaims(tokens)!;
    expect(idToken).toMatchObject({ email: 'demo@example.com', amr: ['pwd'] });

    const response = await oauth.userInfoRequest(as, instance, tokens.access_token, insecure);
    expect(response.headers.get('content-type')).toBe('application/jwt');
    const userinfo = await oauth.processUserInfoResponse(as, instance, idToken.sub, response);
    expect(userinfo).toMatchObject({ sub: idToken.sub, name: 'Demo User', iss: e2e.issuer, aud: instance.client_id });
    await oauth.validateApplicationLevelSignature(as, response, insecure);
  });
});
