import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { ORIGIN, basic, editTemplate, expectOAuthError, form, testServer } from './helpers';
import {
  authorizationCode,
  authorizeUrl,
  browser,
  createUser,
  exchangeCode,
  hiddenFields,
  withPkce,
  redirectParams,
  refresh,
  registerInstance,
} from './flow-helpers';

const fetch = testServer();
const MCP = 'https://mcp.example.com/mcp';
const RESOURCES = [MCP, 'https://tools.example.com/*'];

async function setUp() {
  return { instance: await registerInstance(fetch, { resources: RESOURCES }), user: await createUser(fetch) };
}

const audienceOf = (tokens: { access_token: string }) => decodeJwt(tokens.access_token).aud;

describe('resource indicators (RFC 8707)', () => {
  it('the resource asked for at authorize is kept through the login form and becomes the access token audience', async () => {
    const { instance, user } = await setUp();
    const { params, verifier } = await withPkce({ client_id: instance.clientId, response_type: 'code', scope: 'openid', resource: MCP });
    const b = browser(fetch);
    const page = await b.fetch(authorizeUrl(params));
    const fields = hiddenFields(await page.text());
    expect(fields.resource).toBe(MCP);
    const code = redirectParams(
      await b.fetch('/oauth/v2/oauth-authorize', form({ ...fields, username: user.username, password: user.password })),
    ).get('code')!;
    const res = await exchangeCode(fetch, instance, code, { code_verifier: verifier! });
    expect(res.status).toBe(200);
    const tokens = (await res.json()) as { access_token: string; refresh_token: string; id_token: string };
    expect(audienceOf(tokens)).toBe(MCP);
    // The ID token is for the client, whatever the access token is for.
    expect(decodeJwt(tokens.id_token).aud).toBe(instance.clientId);

    const introspected = await fetch(
      '/oauth/v2/oauth-introspect',
      form({ token: tokens.access_token }, { Authorization: basic(instance.clientId, instance.secret) }),
    );
    expect(await introspected.json()).toMatchObject({ active: true, aud: MCP });

    const refreshed = await refresh(fetch, instance, tokens.refresh_token);
    expect(refreshed.status).toBe(200);
    expect(audienceOf((await refreshed.json()) as { access_token: string })).toBe(MCP);
  });

  it('without a resource the audience stays the issuer', async () => {
    const { instance, user } = await setUp();
    const tokens = (await (await exchangeCode(fetch, instance, await authorizationCode(fetch, instance, user))).json()) as {
      access_token: string;
    };
    expect(audienceOf(tokens)).toBe(ORIGIN);
  });

  it('an https prefix of the template allows what is under it, nothing else', async () => {
    const { instance, user } = await setUp();
    const code = await authorizationCode(fetch, instance, user, { resource: 'https://tools.example.com/a/b' });
    const tokens = (await (await exchangeCode(fetch, instance, code)).json()) as { access_token: string };
    expect(audienceOf(tokens)).toBe('https://tools.example.com/a/b');
  });

  it.each([
    ['not one of the template', 'https://evil.example/mcp'],
    ['a look-alike of the prefix', 'https://tools.example.com.evil.example/x'],
    ['with a fragment', `${MCP}#x`],
    ['not an absolute URI', 'mcp'],
  ])('a resource %s is invalid_target, sent back to the client', async (_, resource) => {
    const { instance } = await setUp();
    const res = await fetch(
      authorizeUrl((await withPkce({ client_id: instance.clientId, response_type: 'code', scope: 'openid', resource, state: 's' })).params),
    );
    const params = redirectParams(res);
    expect({ error: params.get('error'), state: params.get('state') }).toEqual({ error: 'invalid_target', state: 's' });
  });

  it('a client whose template lists no resources may ask for none', async () => {
    const instance = await registerInstance(fetch);
    const res = await fetch(
      authorizeUrl((await withPkce({ client_id: instance.clientId, response_type: 'code', scope: 'openid', resource: MCP })).params),
    );
    expect(redirectParams(res).get('error')).toBe('invalid_target');
  });

  it('the token request may repeat the resource but not change it; the code stays good for the right one', async () => {
    const { instance, user } = await setUp();
    const code = await authorizationCode(fetch, instance, user, { resource: MCP });
    await expectOAuthError(await exchangeCode(fetch, instance, code, { resource: 'https://tools.example.com/x' }), 400, 'invalid_target');
    const res = await exchangeCode(fetch, instance, code, { resource: MCP });
    expect(res.status).toBe(200);
    const tokens = (await res.json()) as { refresh_token: string };

    await expectOAuthError(
      await refresh(fetch, instance, tokens.refresh_token, { resource: 'https://tools.example.com/x' }),
      400,
      'invalid_target',
    );
    const narrowed = await refresh(fetch, instance, tokens.refresh_token, { resource: MCP });
    expect(narrowed.status).toBe(200);
  });

  it('a refresh may not widen a grant made without a resource', async () => {
    const { instance, user } = await setUp();
    const tokens = (await (await exchangeCode(fetch, instance, await authorizationCode(fetch, instance, user))).json()) as {
      refresh_token: string;
    };
    await expectOAuthError(await refresh(fetch, instance, tokens.refresh_token, { resource: MCP }), 400, 'invalid_target');
  });

  it('a resource the template drops gets no more tokens at the next code exchange or refresh, and spends nothing', async () => {
    const { instance, user } = await setUp();
    const code = await authorizationCode(fetch, instance, user, { resource: MCP });
    const tokens = (await (
      await exchangeCode(fetch, instance, await authorizationCode(fetch, instance, user, { resource: MCP }))
    ).json()) as {
      refresh_token: string;
    };
    await editTemplate(fetch, instance.templateName, { resources: ['https://tools.example.com/*'] });
    await expectOAuthError(await exchangeCode(fetch, instance, code), 400, 'invalid_target');
    await expectOAuthError(await refresh(fetch, instance, tokens.refresh_token), 400, 'invalid_target');
    // Refused, not spent: allowed again, both work.
    await editTemplate(fetch, instance.templateName, { resources: RESOURCES });
    expect((await exchangeCode(fetch, instance, code)).status).toBe(200);
    expect((await refresh(fetch, instance, tokens.refresh_token)).status).toBe(200);
  });
});
