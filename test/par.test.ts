import { describe, expect, it } from 'vitest';
import {
  ORIGIN,
  basic,
  editTemplate,
  expectOAuthError,
  form,
  manualClock,
  registerWith,
  requestIat,
  testServer,
  type Fetch,
} from './helpers';
import {
  AUTHORIZE,
  CALLBACK,
  EXAMPLE_PKCE,
  authorizeUrl,
  browser,
  codeRequest,
  createUser,
  exchangeCode,
  hiddenFields,
  redirectParams,
  registerInstance,
  registrarWithoutTemplate,
  serverWithUnreachableLedger,
  staticCodeClient,
  type Instance,
  type TestUser,
} from './flow-helpers';

/** RFC 9126, pushed authorization requests: README "Pushed authorization requests (PAR)". */

const PAR = '/oauth/v2/oauth-authorize/par';
const REQUEST_URI_SHAPE = /^urn:ietf:params:oauth:request_uri:[a-z]{2,4}-\d{1,4}-[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/;

const clock = manualClock();
const fetch = testServer({ clock: () => clock.now }, { DCR_NON_TEMPLATIZED: 'true' });

const asClient = (client: Pick<Instance, 'clientId' | 'secret'>) => ({ Authorization: basic(client.clientId, client.secret) });

/** Pushes `params` as `client` (Basic), expecting the 201 answer. */
async function push(server: Fetch, client: Pick<Instance, 'clientId' | 'secret'>, params: Record<string, string>): Promise<string> {
  const res = await server(PAR, form(params, asClient(client)));
  expect(res.status).toBe(201);
  expect(res.headers.get('Cache-Control')).toBe('no-store');
  const body = (await res.json()) as { request_uri: string; expires_in: number };
  expect(body.request_uri).toMatch(REQUEST_URI_SHAPE);
  expect(body.expires_in).toBe(60);
  return body.request_uri;
}

const byReference = (client: Pick<Instance, 'clientId'>, requestUri: string, extra: Record<string, string> = {}) =>
  authorizeUrl({ client_id: client.clientId, request_uri: requestUri, ...extra });

/** Opens the authorization URL, signs in on its login page and returns the answer to the form. */
async function signInAt(server: Fetch, url: string, user: TestUser) {
  const b = browser(server);
  const page = await b.fetch(url);
  expect(page.status).toBe(200);
  const fields = hiddenFields(await page.text());
  return { fields, res: await b.fetch(AUTHORIZE, form({ ...fields, username: user.username, password: user.password })), b };
}

async function expectErrorPage(res: Response, reference: string) {
  expect(res.status).toBe(400);
  expect(res.headers.get('Location')).toBeNull();
  const html = await res.text();
  expect(html).toContain(`Reference: <code>${reference}</code>`);
  return html;
}

describe('the pushed authorization request endpoint', () => {
  it('takes a request, answers 201 with a request_uri, and authorize uses it: the pushed parameters, not the URL’s', async () => {
    const instance = await registerInstance(fetch);
    const user = await createUser(fetch);
    const requestUri = await push(fetch, instance, codeRequest(instance, { state: 'pushed-state', nonce: 'n-1' }));
    // RFC 9126 4: the authorization request's other parameters are ignored.
    const url = byReference(instance, requestUri, { state: 'from-the-url', scope: 'openid profile' });
    const { fields, res } = await signInAt(fetch, url, user);
    expect(fields).toMatchObject({ client_id: instance.clientId, state: 'pushed-state', nonce: 'n-1', scope: 'openid' });
    expect(fields).not.toHaveProperty('request_uri');
    const callback = redirectParams(res);
    expect(callback.get('state')).toBe('pushed-state');
    const tokens = await exchangeCode(fetch, instance, callback.get('code')!, { code_verifier: EXAMPLE_PKCE.verifier });
    expect(tokens.status).toBe(200);
    expect(await tokens.json()).toMatchObject({ scope: 'openid', id_token: expect.any(String) });
  });

  it('lets a public client push with its client_id alone', async () => {
    const instance = await registerInstance(fetch, { token_endpoint_auth_methods: ['none'] });
    const res = await fetch(PAR, form(codeRequest(instance)));
    expect(res.status).toBe(201);
    expect((await res.json()) as object).toMatchObject({ request_uri: expect.stringMatching(REQUEST_URI_SHAPE) });
  });

  it('authenticates the client as the token endpoint does', async () => {
    const instance = await registerInstance(fetch);
    await expectOAuthError(
      await fetch(PAR, form(codeRequest(instance), asClient({ ...instance, secret: 'wrong' }))),
      401,
      'invalid_client',
    );
    // A confidential client cannot push as a public one.
    await expectOAuthError(await fetch(PAR, form(codeRequest(instance))), 401, 'invalid_client');
  });

  it('validates the request as the authorization endpoint would, answering JSON errors', async () => {
    const instance = await registerInstance(fetch);
    const refused = async (params: Record<string, string>, error: string) =>
      expectOAuthError(await fetch(PAR, form(params, asClient(instance))), 400, error);
    await refused(codeRequest(instance, { redirect_uri: 'https://attacker.example/cb' }), 'invalid_request');
    await refused(codeRequest(instance, { response_type: 'token' }), 'unsupported_response_type');
    await refused(codeRequest(instance, { scope: 'openid admin' }), 'invalid_scope');
    const { code_challenge: _, ...withoutPkce } = codeRequest(instance);
    await refused(withoutPkce, 'invalid_request');
    await refused(codeRequest(instance, { prompt: 'sometimes' }), 'invalid_request');
  });

  it('refuses a request_uri inside a push (RFC 9126 2.1)', async () => {
    const instance = await registerInstance(fetch);
    const requestUri = await push(fetch, instance, codeRequest(instance));
    const body = await expectOAuthError(
      await fetch(PAR, form({ ...codeRequest(instance), request_uri: requestUri }, asClient(instance))),
      400,
      'invalid_request',
    );
    expect(body.error_description).toContain('request_uri');
  });

  it('takes POST only, and fails closed when the ledger cannot store the request', async () => {
    const res = await fetch(PAR);
    expect(res.status).toBe(405);
    expect(res.headers.get('Allow')).toBe('POST');
    const instance = await registerInstance(fetch);
    const unreachable = serverWithUnreachableLedger('pushAuthorizationRequest');
    await expectOAuthError(await unreachable(PAR, form(codeRequest(instance), asClient(instance))), 503, 'temporarily_unavailable');
  });
});

describe('a pushed request at the authorization endpoint', () => {
  it('works once: the request_uri used again is an error page', async () => {
    const instance = await registerInstance(fetch);
    const requestUri = await push(fetch, instance, codeRequest(instance));
    expect((await fetch(byReference(instance, requestUri))).status).toBe(200);
    const html = await expectErrorPage(await fetch(byReference(instance, requestUri)), 'invalid_request_uri');
    expect(html).toContain('the request_uri has already been used');
  });

  it('expires after 60 seconds', async () => {
    const instance = await registerInstance(fetch);
    const requestUri = await push(fetch, instance, codeRequest(instance));
    clock.advance(60_000);
    const html = await expectErrorPage(await fetch(byReference(instance, requestUri)), 'invalid_request_uri');
    expect(html).toContain('the request_uri has expired');
  });

  it('is only for the client that pushed it; another client’s attempt does not spend it', async () => {
    const instance = await registerInstance(fetch);
    const other = await registerInstance(fetch);
    const requestUri = await push(fetch, instance, codeRequest(instance));
    const html = await expectErrorPage(await fetch(byReference(other, requestUri)), 'invalid_request_uri');
    expect(html).toContain('pushed by another client');
    expect((await fetch(byReference(instance, requestUri))).status).toBe(200);
  });

  it('refuses a request_uri this server never issued, and one with a guessed secret', async () => {
    const instance = await registerInstance(fetch);
    const requestUri = await push(fetch, instance, codeRequest(instance));
    const guessed = `${requestUri.slice(0, -43)}${'A'.repeat(43)}`;
    await expectErrorPage(await fetch(byReference(instance, guessed)), 'invalid_request_uri');
    await expectErrorPage(await fetch(byReference(instance, 'urn:ietf:params:oauth:request_uri:nothing')), 'invalid_request_uri');
    // The guess spent nothing.
    expect((await fetch(byReference(instance, requestUri))).status).toBe(200);
  });

  it('is checked against the client as it is now: a redirect URI the template dropped since the push is refused', async () => {
    const instance = await registerInstance(fetch, { redirect_uris: [CALLBACK, 'https://localhost/other'] });
    const requestUri = await push(fetch, instance, codeRequest(instance, { redirect_uri: 'https://localhost/other' }));
    await editTemplate(fetch, instance.templateName, { redirect_uris: [CALLBACK] });
    await expectErrorPage(await fetch(byReference(instance, requestUri)), 'invalid_redirect_uri');
  });
});

describe('require_pushed_authorization_requests', () => {
  /** A template whose instances must push, and a user. */
  async function mustPush(server: Fetch = fetch) {
    return { instance: await registerInstance(server, { require_pushed_authorization_requests: true }), user: await createUser(server) };
  }

  it('per template: a request that was not pushed is refused (RFC 9126 6); a pushed one signs in through the form', async () => {
    const { instance, user } = await mustPush();
    const refused = redirectParams(await fetch(authorizeUrl(codeRequest(instance))));
    expect({ error: refused.get('error'), state: refused.get('state') }).toEqual({ error: 'invalid_request', state: 'the-state' });
    expect(refused.get('error_description')).toContain('pushed authorization requests');

    const requestUri = await push(fetch, instance, codeRequest(instance));
    const { res } = await signInAt(fetch, byReference(instance, requestUri), user);
    expect(redirectParams(res).get('code')).toBeTruthy();
  });

  it('the form of a pushed request passes as pushed only unchanged, and only for an hour', async () => {
    const { instance, user } = await mustPush();
    const b = browser(fetch);
    const page = await b.fetch(byReference(instance, await push(fetch, instance, codeRequest(instance))));
    const fields = hiddenFields(await page.text());
    expect(fields.pushed_proof).toMatch(/^\d+\.[0-9a-f]{64}$/);
    const submit = (changed: Record<string, string>) =>
      b.fetch(AUTHORIZE, form({ ...fields, username: user.username, password: user.password, ...changed }));
    // A changed field (the state here) or a made-up proof: not a pushed request any more.
    expect(redirectParams(await submit({ state: 'changed' })).get('error')).toBe('invalid_request');
    expect(redirectParams(await submit({ pushed_proof: `9999999999.${'0'.repeat(64)}` })).get('error')).toBe('invalid_request');
    clock.advance(3600_000);
    expect(redirectParams(await submit({})).get('error')).toBe('invalid_request');
  });

  it('per static client', async () => {
    const client = await staticCodeClient(fetch, { require_pushed_authorization_requests: true });
    expect(redirectParams(await fetch(authorizeUrl(codeRequest(client)))).get('error')).toBe('invalid_request');
    expect((await fetch(byReference(client, await push(fetch, client, codeRequest(client))))).status).toBe(200);
  });

  it('per dynamic client: registration metadata, echoed', async () => {
    const iat = await requestIat(fetch, await registrarWithoutTemplate(fetch));
    const res = await registerWith(fetch, iat, { redirect_uris: [CALLBACK], require_pushed_authorization_requests: true });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { client_id: string; client_secret: string; require_pushed_authorization_requests: boolean };
    expect(body.require_pushed_authorization_requests).toBe(true);
    const client = { clientId: body.client_id, secret: body.client_secret };
    expect(redirectParams(await fetch(authorizeUrl(codeRequest(client)))).get('error')).toBe('invalid_request');
    expect((await fetch(byReference(client, await push(fetch, client, codeRequest(client))))).status).toBe(200);
  });

  it('an instance’s registration may repeat the template’s value, not change it; the answer echoes it', async () => {
    const instance = await registerInstance(fetch, { require_pushed_authorization_requests: true });
    const iat = await requestIat(fetch, instance.registrar);
    const changed = await registerWith(fetch, iat, { software_id: instance.templateName, require_pushed_authorization_requests: false });
    await expectOAuthError(changed, 400, 'invalid_client_metadata');
    const same = await registerWith(fetch, iat, { software_id: instance.templateName, require_pushed_authorization_requests: true });
    expect(same.status).toBe(201);
    expect(await same.json()).toMatchObject({ require_pushed_authorization_requests: true });
  });

  it('server-wide (REQUIRE_PAR), announced in discovery', async () => {
    const strict = testServer({ clock: () => clock.now }, { REQUIRE_PAR: 'true' });
    const metadata = (await (await strict('/.well-known/openid-configuration')).json()) as Record<string, unknown>;
    expect(metadata.require_pushed_authorization_requests).toBe(true);
    const instance = await registerInstance(strict);
    expect(redirectParams(await strict(authorizeUrl(codeRequest(instance)))).get('error')).toBe('invalid_request');
    expect((await strict(byReference(instance, await push(strict, instance, codeRequest(instance))))).status).toBe(200);
    // Off by default: the same request without a push goes to the login page.
    expect((await fetch(authorizeUrl(codeRequest(await registerInstance(fetch))))).status).toBe(200);
  });

  it('REQUIRE_PAR must be true or false', async () => {
    const broken = testServer({}, { REQUIRE_PAR: 'yes' });
    const body = await expectOAuthError(await broken('/.well-known/openid-configuration'), 500, 'server_error');
    expect(body.error_description).toContain('REQUIRE_PAR must be "true" or "false"');
  });
});

describe('discovery', () => {
  it('announces the endpoint, that PAR is not required by default, and the code flow only', async () => {
    const metadata = (await (await fetch('/.well-known/openid-configuration')).json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({
      pushed_authorization_request_endpoint: `${ORIGIN}${PAR}`,
      require_pushed_authorization_requests: false,
      request_uri_parameter_supported: false,
      response_types_supported: ['code'],
    });
  });
});
