import { env } from 'cloudflare:test';
import { SignJWT, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  adminCall,
  countInstances,
  editTemplate,
  expectOAuthError,
  form,
  json,
  registerWith,
  requestIat,
  setUpTemplate,
  testServer,
  unique,
} from './helpers';
import { serverWithUnreachableLedger } from './flow-helpers';

const fetch = testServer();
const REGISTER = '/oauth/v2/oauth-dynamic-client-registration';

describe('registration refuses a missing or bad initial access token with 401 invalid_token', () => {
  it.each([
    ['missing', {}],
    ['another scheme', { Authorization: 'Basic c2VydmVyOnNlY3JldA==' }],
    ['malformed', { Authorization: 'Bearer not-a-jwt' }],
    ['empty', { Authorization: 'Bearer ' }],
  ])('%s', async (_, headers) => {
    const { templateName } = await setUpTemplate(fetch);
    const res = await fetch(REGISTER, json({ software_id: templateName }, headers as Record<string, string>));
    await expectOAuthError(res, 401, 'invalid_token');
    expect(res.headers.get('WWW-Authenticate')).toMatch(/^Bearer/);
  });

  it('unknown: a well-formed token signed by someone else', async () => {
    const { templateName, registrar } = await setUpTemplate(fetch);
    const { privateKey } = await generateKeyPair('ES256');
    const forged = await new SignJWT({
      client_id: registrar.clientId,
      scope: 'dcr',
      jti: 'forged',
      sub: registrar.clientId,
      aud: 'https://edge-dcr.test',
    })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'not-ours' })
      .setIssuer('https://edge-dcr.test')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
    await expectOAuthError(await registerWith(fetch, forged, { software_id: templateName }), 401, 'invalid_token');
  });

  it('truncated, and the intact token is still usable afterwards', async () => {
    const { registrar, templateName } = await setUpTemplate(fetch);
    const iat = await requestIat(fetch, registrar);
    await expectOAuthError(await registerWith(fetch, iat.slice(0, -5), { software_id: templateName }), 401, 'invalid_token');
    expect((await registerWith(fetch, iat, { software_id: templateName })).status).toBe(201);
  });

  it('sent in the body instead of the header', async () => {
    const { registrar, templateName } = await setUpTemplate(fetch);
    const iat = await requestIat(fetch, registrar);
    await expectOAuthError(await fetch(REGISTER, json({ software_id: templateName, access_token: iat })), 401, 'invalid_token');
    await expectOAuthError(await fetch(REGISTER, form({ software_id: templateName, access_token: iat })), 401, 'invalid_token');
    expect(await countInstances(templateName)).toBe(0);
  });
});

describe('registration checks what the token may do before spending it', () => {
  it('an access token without the dcr scope gets 403 insufficient_scope', async () => {
    const { templateName } = await setUpTemplate(fetch);
    const reader = unique('reader');
    const { client_secret } = (await (await adminCall(fetch, 'POST', '/clients', { client_id: reader, scopes: ['read'] })).json()) as {
      client_secret: string;
    };
    const tokenRes = await fetch(
      '/oauth/v2/oauth-token',
      form({ grant_type: 'client_credentials', client_id: reader, client_secret, scope: 'read' }),
    );
    const { access_token } = (await tokenRes.json()) as { access_token: string };
    const res = await registerWith(fetch, access_token, { software_id: templateName });
    await expectOAuthError(res, 403, 'insufficient_scope');
    expect(res.headers.get('WWW-Authenticate')).toMatch(/error="insufficient_scope"/);
  });

  it('an IAT of a client the template does not allow is refused and not spent', async () => {
    const { registrar, templateName: allowed } = await setUpTemplate(fetch);
    const { templateName: foreign } = await setUpTemplate(fetch);
    const iat = await requestIat(fetch, registrar);
    await expectOAuthError(await registerWith(fetch, iat, { software_id: foreign }), 403, 'insufficient_scope');
    expect(await countInstances(foreign)).toBe(0);
    expect((await registerWith(fetch, iat, { software_id: allowed })).status).toBe(201);
  });

  it.each([
    ['unknown', { software_id: 'no-such-template' }],
    ['missing', { client_name: 'x' }],
    ['not a string', { software_id: 42 }],
  ])('software_id %s -> 400 invalid_client_metadata, IAT not spent', async (_, body) => {
    const { registrar, templateName } = await setUpTemplate(fetch);
    const iat = await requestIat(fetch, registrar);
    await expectOAuthError(await registerWith(fetch, iat, body), 400, 'invalid_client_metadata');
    expect((await registerWith(fetch, iat, { software_id: templateName })).status).toBe(201);
  });

  it('a disabled template -> 400 invalid_client_metadata', async () => {
    const { registrar, templateName } = await setUpTemplate(fetch);
    const iat = await requestIat(fetch, registrar);
    await editTemplate(fetch, templateName, { enabled: false });
    await expectOAuthError(await registerWith(fetch, iat, { software_id: templateName }), 400, 'invalid_client_metadata');
    expect(await countInstances(templateName)).toBe(0);
  });

  it('a software statement -> 400 invalid_software_statement', async () => {
    const { registrar, templateName } = await setUpTemplate(fetch);
    const iat = await requestIat(fetch, registrar);
    await expectOAuthError(
      await registerWith(fetch, iat, { software_id: templateName, software_statement: 'eyJ.eyJ.sig' }),
      400,
      'invalid_software_statement',
    );
  });
});

describe('registration bodies', () => {
  const withIat = async (init: (iat: string) => RequestInit) => {
    const { registrar, templateName } = await setUpTemplate(fetch);
    const iat = await requestIat(fetch, registrar);
    return { res: await fetch(REGISTER, init(iat)), templateName };
  };
  const raw = (contentType: string, body: string) => (iat: string) => ({
    method: 'POST',
    headers: { Authorization: `Bearer ${iat}`, 'Content-Type': contentType },
    body,
  });

  it.each([
    ['null', raw('application/json', 'null')],
    ['an array', raw('application/json', '[{"software_id":"x"}]')],
    ['not JSON', raw('application/json', '{"software_id":')],
    ['not application/json', raw('text/plain', '{"software_id":"x"}')],
    ['a form', raw('application/x-www-form-urlencoded', 'software_id=x')],
  ])('%s -> 400 invalid_request', async (_, init) => {
    const { res, templateName } = await withIat(init);
    await expectOAuthError(res, 400, 'invalid_request');
    expect(await countInstances(templateName)).toBe(0);
  });

  it('an oversized body -> 413', async () => {
    const { res } = await withIat(raw('application/json', JSON.stringify({ software_id: 'x', padding: 'x'.repeat(70_000) })));
    await expectOAuthError(res, 413, 'invalid_request');
  });
});

describe('metadata that conflicts with the template is refused, never widened', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['a redirect URI the template lacks', { redirect_uris: ['https://evil.example/cb'] }, 'invalid_redirect_uri'],
    ['wider grant types', { grant_types: ['authorization_code', 'refresh_token', 'client_credentials'] }, 'invalid_client_metadata'],
    ['a wider scope', { scope: 'openid admin' }, 'invalid_client_metadata'],
    ['another auth method', { token_endpoint_auth_method: 'none' }, 'invalid_client_metadata'],
    ['another ID token algorithm', { id_token_signed_response_alg: 'none' }, 'invalid_client_metadata'],
    ['a longer refresh token lifetime', { refresh_token_ttl: 86400 }, 'invalid_client_metadata'],
    ['a client_secret of its own', { client_secret: 'mine' }, 'invalid_client_metadata'],
  ];
  it.each(cases)('%s', async (_, extra, error) => {
    const { registrar, templateName } = await setUpTemplate(fetch);
    const iat = await requestIat(fetch, registrar);
    const body = await expectOAuthError(await registerWith(fetch, iat, { software_id: templateName, ...extra }), 400, error);
    expect(body.error_description).toContain(Object.keys(extra)[0]);
    expect(await countInstances(templateName)).toBe(0);
  });

  it('metadata that agrees with the template, a name and a narrower redirect URI list are accepted', async () => {
    const { registrar, templateName } = await setUpTemplate(fetch, {
      redirect_uris: ['https://localhost/callback', 'myapp://callback'],
    });
    const iat = await requestIat(fetch, registrar);
    const res = await registerWith(fetch, iat, {
      software_id: templateName,
      client_name: 'Field app',
      redirect_uris: ['myapp://callback'],
      grant_types: ['refresh_token', 'authorization_code'],
      response_types: ['code'],
      scope: 'openid',
      token_endpoint_auth_method: 'client_secret_post',
      logo_uri: 'https://example.com/unknown-metadata-is-ignored.png',
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({
      client_name: 'Field app',
      redirect_uris: ['myapp://callback'],
      token_endpoint_auth_method: 'client_secret_post',
    });
  });
});

describe('settings', () => {
  it('with DCR off the endpoint answers 404 and discovery omits it', async () => {
    const off = testServer({}, { DCR_ENABLED: 'false' });
    await expectOAuthError(await off(REGISTER, json({ software_id: 'x' })), 404, 'invalid_request');
    await expectOAuthError(await off(`${REGISTER}/some-client`), 404, 'invalid_request');
    const discovery = (await (await off('/.well-known/openid-configuration')).json()) as Record<string, unknown>;
    expect(discovery).not.toHaveProperty('registration_endpoint');
    expect(discovery).toHaveProperty('token_endpoint');
  });

  it('with templatized registration off, software_id is refused and the IAT kept', async () => {
    const { registrar, templateName } = await setUpTemplate(fetch);
    const iat = await requestIat(fetch, registrar);
    const off = testServer({}, { DCR_TEMPLATIZED: 'false' });
    await expectOAuthError(await registerWith(off, iat, { software_id: templateName }), 400, 'invalid_client_metadata');
    expect((await registerWith(fetch, iat, { software_id: templateName })).status).toBe(201);
  });
});

describe('faults', () => {
  it('an unreachable ledger fails closed with 503 and makes no client', async () => {
    const broken = serverWithUnreachableLedger('consumeInitialAccessToken');
    const { registrar, templateName } = await setUpTemplate(fetch);
    const iat = await requestIat(fetch, registrar);
    const res = await registerWith(broken, iat, { software_id: templateName });
    await expectOAuthError(res, 503, 'temporarily_unavailable');
    expect(await countInstances(templateName)).toBe(0);
  });

  it('storage failing after the IAT is consumed: 500 server_error, no client, the IAT is spent', async () => {
    // Every read works; the batch that stores the client fails.
    const inserts = new WeakSet<object>();
    const failingDb = {
      prepare: (sql: string) => {
        const statement = env.DB.prepare(sql);
        if (!sql.includes('INSERT INTO clients')) return statement;
        return {
          bind: (...values: unknown[]) => {
            const bound = statement.bind(...values);
            inserts.add(bound);
            return bound;
          },
        };
      },
      batch: (statements: D1PreparedStatement[]) =>
        statements.some((s) => inserts.has(s)) ? Promise.reject(new Error('D1_ERROR: storage offline')) : env.DB.batch(statements),
    } as unknown as D1Database;
    const broken = testServer({}, { DB: failingDb });
    const { registrar, templateName } = await setUpTemplate(fetch);
    const iat = await requestIat(fetch, registrar);
    const body = await expectOAuthError(await registerWith(broken, iat, { software_id: templateName }), 500, 'server_error');
    expect(body.error_description).toMatch(/spent/);
    expect(JSON.stringify(body)).not.toMatch(/D1_ERROR/);
    expect(await countInstances(templateName)).toBe(0);
    await expectOAuthError(await registerWith(fetch, iat, { software_id: templateName }), 401, 'invalid_token');
  });
});
