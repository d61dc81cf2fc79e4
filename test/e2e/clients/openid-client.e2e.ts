import { describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import { REDIRECT_URI, TEMPLATE, createTemplate, e2e, issuer } from '../context';
import { authorizationRequest, insecure, refusal, registerInstance, registrarConfig, signedInInstance } from '../openid-client-setup';
import { CookieJar, logInOverHttp } from '../login-over-http';

const jwtHeader = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString()) as Record<string, unknown>;

describe('openid-client against the built Worker', () => {
  it('discovers the server, gets an IAT for `server` and registers an instance of template-client once', async () => {
    const registrar = await registrarConfig();
    expect(registrar.serverMetadata().issuer).toBe(e2e.issuer);

    const iat = await client.clientCredentialsGrant(registrar, { scope: 'dcr' });
    // The server's own expires_in, not expiresIn(): the library counts that down on its clock, so it reads 299 when a
    // second ticks over between the answer and the assertion.
    expect({ scope: iat.scope, token_type: iat.token_type, expires_in: iat.expires_in }).toEqual({
      scope: 'dcr',
      token_type: 'bearer',
      expires_in: 300,
    });

    const instance = await client.dynamicClientRegistration(issuer, { software_id: TEMPLATE }, client.ClientSecretBasic(), {
      ...insecure,
      initialAccessToken: iat.access_token,
    });
    const metadata = instance.clientMetadata();
    expect(metadata).toMatchObject({
      software_id: TEMPLATE,
      redirect_uris: ['https://localhost/callback'],
      grant_types: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'RS256',
    });
    expect(metadata.client_id).not.toBe(TEMPLATE);
    expect(metadata.client_secret).toMatch(/^[A-Za-z0-9_-]{43,}$/);

    // The IAT is spent: the library surfaces the server's RFC 6750 challenge.
    const replay = client.dynamicClientRegistration(issuer, { software_id: TEMPLATE }, client.ClientSecretBasic(), {
      ...insecure,
      initialAccessToken: iat.access_token,
    });
    await expect(replay).rejects.toMatchObject({
      code: 'OAUTH_WWW_AUTHENTICATE_CHALLENGE',
      status: 401,
      cause: [{ scheme: 'bearer', parameters: { error: 'invalid_token' } }],
    });
  });

  it('code flow: PKCE and nonce, login form over HTTP, ID token checked by the library, refresh rotation, userinfo', async () => {
    const instance = await registerInstance(TEMPLATE);
    expect(instance.serverMetadata().supportsPKCE()).toBe(true);
    const { client_id: clientId } = instance.clientMetadata();
    const { url, checks } = await authorizationRequest(instance);
    const jar = new CookieJar();

    const login = await logInOverHttp(url, e2e.user, jar);
    expect(login.sawLoginForm).toBe(true);
    expect(login.callback.searchParams.get('iss')).toBe(e2e.issuer);

    // The library checks state, iss, the PKCE exchange and the ID token (signature from the JWKS, iss, aud, nonce, exp).
    const tokens = await client.authorizationCodeGrant(instance, login.callback, checks);
    const idToken = tokens.claims()!;
    expect(idToken).toMatchObject({ iss: e2e.issuer, aud: clientId, nonce: checks.expectedNonce });
    expect(jwtHeader(tokens.id_token!).alg).toBe('RS256');
    expect(tokens.refresh_token).toBeTruthy();

    const userinfo = await client.fetchUserInfo(instance, tokens.access_token, idToken.sub);
    expect(userinfo.sub).toBe(idToken.sub);

    const refreshed = await client.refreshTokenGrant(instance, tokens.refresh_token!);
    expect(refreshed.refresh_token).toBeTruthy();
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    // Rotation: the old refresh token is spent.
    expect(await refusal(client.refreshTokenGrant(instance, tokens.refresh_token!))).toEqual({ status: 400, error: 'invalid_grant' });

    // The session cookie makes the next authorization skip the form; its code is good too.
    const again = await authorizationRequest(instance);
    const silent = await logInOverHttp(again.url, e2e.user, jar);
    expect(silent.sawLoginForm).toBe(false);
    const second = await client.authorizationCodeGrant(instance, silent.callback, again.checks);
    expect(second.claims()!.sub).toBe(idToken.sub);
  });

  it('RFC 7592 through its protected-resource call: the registration access token reads and deletes the instance', async () => {
    const instance = await registerInstance(TEMPLATE);
    const metadata = instance.clientMetadata();
    const registrationAccessToken = metadata.registration_access_token as string;
    const clientUri = new URL(metadata.registration_client_uri as string);
    const manage = (method: string) => client.fetchProtectedResource(instance, registrationAccessToken, clientUri, method);

    const read = await manage('GET');
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({ client_id: metadata.client_id, software_id: TEMPLATE });
    // The instance authenticates (its template has no client_credentials capability, hence unauthorized_client) ...
    expect(await refusal(client.clientCredentialsGrant(instance))).toEqual({ status: 400, error: 'unauthorized_client' });

    expect((await manage('DELETE')).status).toBe(204);
    // ... and after DELETE it no longer exists, so apps know to register again.
    expect(await refusal(client.clientCredentialsGrant(instance))).toEqual({ status: 401, error: 'invalid_client' });
    expect(await refusal(manage('GET'))).toEqual({ status: 401, error: 'invalid_token' });
  });

  it('a template with ES256 ID tokens: the instance registers that algorithm and the library verifies it', async () => {
    const template = await createTemplate('es256', {
      capabilities: ['code'],
      redirect_uris: [REDIRECT_URI],
      scopes: ['openid'],
      id_token_signed_response_alg: 'ES256',
    });
    const { instance, tokens } = await signedInInstance(template.name);
    expect(instance.clientMetadata().id_token_signed_response_alg).toBe('ES256');
    expect(jwtHeader(tokens.id_token!).alg).toBe('ES256');
  });

  it('prompt=none without a session: login_required comes back to the callback, with state and iss the library checks', async () => {
    const instance = await registerInstance(TEMPLATE);
    const { url, checks } = await authorizationRequest(instance);
    url.searchParams.set('prompt', 'none');
    const { callback, sawLoginForm } = await logInOverHttp(url, e2e.user, new CookieJar());
    expect(sawLoginForm).toBe(false);
    await expect(client.authorizationCodeGrant(instance, callback, checks)).rejects.toMatchObject({
      code: 'OAUTH_AUTHORIZATION_RESPONSE_ERROR',
      error: 'login_required',
    });
  });

  it('userinfo with a token that is not ours: an RFC 6750 challenge the library parses', async () => {
    const instance = await registerInstance(TEMPLATE);
    await expect(client.fetchUserInfo(instance, 'not-a-token', client.skipSubjectCheck)).rejects.toMatchObject({
      status: 401,
      cause: [{ scheme: 'bearer', parameters: { error: 'invalid_token' } }],
    });
  });
});
