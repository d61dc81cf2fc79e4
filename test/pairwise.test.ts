import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  adminCall,
  basic,
  editTemplate,
  expectOAuthError,
  form,
  json,
  manualClock,
  nonTemplatizedIat,
  registerWith,
  requestIat,
  setUpTemplate,
  testServer,
  unique,
  type Fetch,
} from './helpers';
import {
  CALLBACK,
  USERINFO,
  authorizationCode,
  authorizeUrl,
  codeRequest,
  createUser,
  exchangeCode,
  refresh,
  type Instance,
  type TestUser,
} from './flow-helpers';
import { fakeWeb } from './support/fake-web';

const web = fakeWeb();
const clock = manualClock();
const fetch = testServer({ outboundFetch: web.outboundFetch, clock: () => clock.now }, { DCR_NON_TEMPLATIZED: 'true' });

/** A sector_identifier_uri document at a fresh URL on `host`. */
function publishSector(uris: unknown, host = 'sectors.example') {
  const url = `https://${host}/${unique('sector')}.json`;
  web.pages.set(url, () => Response.json(uris));
  return url;
}

async function instanceOf(f: Fetch, template: { registrar: Instance['registrar']; templateName: string }): Promise<Instance> {
  const res = await registerWith(f, await requestIat(f, template.registrar), { software_id: template.templateName });
  expect(res.status).toBe(201);
  const body = (await res.json()) as { client_id: string; client_secret: string };
  return { clientId: body.client_id, secret: body.client_secret, ...template };
}

interface Tokens {
  access_token: string;
  refresh_token: string;
  id_token: string;
}

async function signIn(instance: Instance, user: TestUser, f: Fetch = fetch): Promise<Tokens> {
  const res = await exchangeCode(f, instance, await authorizationCode(f, instance, user));
  expect(res.status).toBe(200);
  return (await res.json()) as Tokens;
}

const subOf = async (instance: Instance, user: TestUser) => decodeJwt((await signIn(instance, user)).id_token).sub!;
const userinfoOf = (token: string, f: Fetch = fetch) => f(USERINFO, { headers: { Authorization: `Bearer ${token}` } });
const introspect = async (instance: Instance, token: string) =>
  (
    await fetch('/oauth/v2/oauth-introspect', form({ token }, { Authorization: basic(instance.clientId, instance.secret) }))
  ).json() as Promise<Record<string, unknown>>;
/** The refresh token with its `sub` part replaced. */
const withSub = (refreshToken: string, sub: string) => refreshToken.replace(/\.[A-Za-z0-9_-]+\./, `.${sub}.`);

const PAIRWISE = { subject_type: 'pairwise' };

describe('pairwise subject identifiers (OpenID Connect Core 8)', () => {
  it('one sub per user and sector: two instances of a template share it; another sector and a public client see others', async () => {
    const user = await createUser(fetch);
    const template = await setUpTemplate(fetch, PAIRWISE);
    const [first, second] = [await instanceOf(fetch, template), await instanceOf(fetch, template)];
    const sectorTemplate = await setUpTemplate(fetch, { ...PAIRWISE, sector_identifier_uri: publishSector([CALLBACK]) });
    const otherSector = await instanceOf(fetch, sectorTemplate);
    const publicInstance = await instanceOf(fetch, await setUpTemplate(fetch));

    const sub = await subOf(first, user);
    expect(sub).not.toBe(user.sub);
    expect(await subOf(first, user)).toBe(sub);
    expect(await subOf(second, user)).toBe(sub);
    const elsewhere = await subOf(otherSector, user);
    expect(elsewhere).not.toBe(sub);
    expect(elsewhere).not.toBe(user.sub);
    expect(await subOf(publicInstance, user)).toBe(user.sub);
    // Another user of the same sector: another sub.
    expect(await subOf(first, await createUser(fetch))).not.toBe(sub);
  });

  it('the same pairwise sub in the ID token, the access token, userinfo, introspection, the refresh token and after a refresh', async () => {
    const user = await createUser(fetch);
    const instance = await instanceOf(fetch, await setUpTemplate(fetch, PAIRWISE));
    const tokens = await signIn(instance, user);
    const sub = decodeJwt(tokens.id_token).sub!;
    expect(sub).not.toBe(user.sub);
    expect(decodeJwt(tokens.access_token).sub).toBe(sub);
    expect(tokens.refresh_token.split('.')[1]).toBe(sub);
    expect(((await (await userinfoOf(tokens.access_token)).json()) as { sub: string }).sub).toBe(sub);
    expect(await introspect(instance, tokens.access_token)).toMatchObject({ active: true, sub });
    expect(await introspect(instance, tokens.refresh_token)).toMatchObject({ active: true, token_type: 'refresh_token', sub });

    const res = await refresh(fetch, instance, tokens.refresh_token);
    expect(res.status).toBe(200);
    const refreshed = (await res.json()) as Tokens;
    expect(decodeJwt(refreshed.id_token).sub).toBe(sub);
    expect(decodeJwt(refreshed.access_token).sub).toBe(sub);
    expect(refreshed.refresh_token.split('.')[1]).toBe(sub);
    expect(((await (await userinfoOf(refreshed.access_token)).json()) as { sub: string }).sub).toBe(sub);
  });

  it('a refresh token carrying another sector’s sub of the same user, or a tampered one, is invalid_grant and spends nothing', async () => {
    const user = await createUser(fetch);
    const instance = await instanceOf(fetch, await setUpTemplate(fetch, PAIRWISE));
    const other = await instanceOf(fetch, await setUpTemplate(fetch, { ...PAIRWISE, sector_identifier_uri: publishSector([CALLBACK]) }));
    const tokens = await signIn(instance, user);
    const otherSub = await subOf(other, user);
    await expectOAuthError(await refresh(fetch, instance, withSub(tokens.refresh_token, otherSub)), 400, 'invalid_grant');
    // The user's public subject names the same user, but not as this client knows them.
    await expectOAuthError(await refresh(fetch, instance, withSub(tokens.refresh_token, user.sub)), 400, 'invalid_grant');
    const sub = tokens.refresh_token.split('.')[1]!;
    const tampered = `${sub.slice(0, 30)}${sub[30] === 'A' ? 'B' : 'A'}${sub.slice(31)}`;
    await expectOAuthError(await refresh(fetch, instance, withSub(tokens.refresh_token, tampered)), 400, 'invalid_grant');
    expect((await introspect(instance, withSub(tokens.refresh_token, otherSub))).active).toBe(false);
    expect((await refresh(fetch, instance, tokens.refresh_token)).status).toBe(200);
  });

  it('switching a template to pairwise changes its instances’ subs: earlier tokens are refused, a new sign-in gets the new sub', async () => {
    const user = await createUser(fetch);
    const instance = await instanceOf(fetch, await setUpTemplate(fetch));
    const before = await signIn(instance, user);
    expect(decodeJwt(before.id_token).sub).toBe(user.sub);
    await editTemplate(fetch, instance.templateName, PAIRWISE);
    await expectOAuthError(await userinfoOf(before.access_token), 401, 'invalid_token');
    await expectOAuthError(await refresh(fetch, instance, before.refresh_token), 400, 'invalid_grant');
    const after = await signIn(instance, user);
    expect(decodeJwt(after.id_token).sub).not.toBe(user.sub);
    expect((await userinfoOf(after.access_token)).status).toBe(200);
  });

  it('a static client and a client registered without a template can be pairwise too', async () => {
    const user = await createUser(fetch);
    const clientId = unique('pairwise-static');
    const created = await adminCall(fetch, 'POST', '/clients', {
      client_id: clientId,
      capabilities: ['code'],
      redirect_uris: [CALLBACK],
      scopes: ['openid'],
      ...PAIRWISE,
    });
    expect(created.status).toBe(201);
    const staticClient = { clientId, secret: ((await created.json()) as { client_secret: string }).client_secret } as Instance;
    const staticSub = await subOf(staticClient, user);
    expect(staticSub).not.toBe(user.sub);

    const iat = await nonTemplatizedIat(fetch);
    const sectorUri = publishSector(['https://app.example/cb', 'https://other.example/cb']);
    const res = await registerWith(fetch, iat, {
      redirect_uris: ['https://app.example/cb', 'https://other.example/cb'],
      subject_type: 'pairwise',
      sector_identifier_uri: sectorUri,
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as Record<string, string>;
    expect(body).toMatchObject({ subject_type: 'pairwise', sector_identifier_uri: sectorUri });
    const dynamic = { clientId: body.client_id!, secret: body.client_secret! } as Instance;
    const code = await authorizationCode(fetch, dynamic, user, { redirect_uri: 'https://other.example/cb' });
    const tokens = (await (await exchangeCode(fetch, dynamic, code, { redirect_uri: 'https://other.example/cb' })).json()) as Tokens;
    const dynamicSub = decodeJwt(tokens.id_token).sub;
    expect(dynamicSub).not.toBe(user.sub);
    // The static client's sector is localhost, the dynamic client's sectors.example.
    expect(dynamicSub).not.toBe(staticSub);
  });
});

describe('where a sector is configured', () => {
  const template = (changes: Record<string, unknown>) => ({
    name: unique('pairwise'),
    capabilities: ['code'],
    redirect_uris: [CALLBACK],
    scopes: ['openid'],
    registration: { mode: 'open' },
    token_endpoint_auth_methods: ['none'],
    ...PAIRWISE,
    ...changes,
  });
  const issuesOf = async (res: Response) => {
    const body = await expectOAuthError(res, 400, 'invalid_request');
    return body.error_description as string;
  };

  it.each([
    [
      'redirect URIs on several hosts and no sector_identifier_uri',
      { redirect_uris: [CALLBACK, 'https://app.example/cb'] },
      /several hosts/,
    ],
    ['a sector_identifier_uri on a private host', { sector_identifier_uri: 'https://10.1.2.3/sector.json' }, /private address/],
    ['a sector_identifier_uri on a loopback host', { sector_identifier_uri: 'https://localhost/sector.json' }, /private address/],
    ['a sector_identifier_uri that is not https', { sector_identifier_uri: 'http://sectors.example/sector.json' }, /https URL/],
  ])('the admin API refuses %s, naming the field, and fetches nothing', async (_, changes, problem) => {
    const body = template(changes);
    const requests = web.requests.length;
    const description = await issuesOf(await adminCall(fetch, 'POST', '/templates', body));
    expect(description).toMatch(/^sector_identifier_uri: /);
    expect(description).toMatch(problem);
    expect(web.requests.length).toBe(requests);
    expect((await adminCall(fetch, 'GET', `/templates/${body.name}`)).status).toBe(404);
  });

  it('the admin API reads the sector_identifier_uri document: it must be a JSON array listing every redirect URI', async () => {
    const sectorUri = publishSector([CALLBACK]);
    const missing = template({ redirect_uris: [CALLBACK, 'https://app.example/cb'], sector_identifier_uri: sectorUri });
    expect(await issuesOf(await adminCall(fetch, 'POST', '/templates', missing))).toMatch(
      /^sector_identifier_uri: the sector_identifier_uri document does not list the redirect URI "https:\/\/app.example\/cb"/,
    );
    expect((await adminCall(fetch, 'GET', `/templates/${missing.name}`)).status).toBe(404);
    const notAnArray = template({ sector_identifier_uri: publishSector({ redirect_uris: [CALLBACK] }) });
    expect(await issuesOf(await adminCall(fetch, 'POST', '/templates', notAnArray))).toMatch(/must be a JSON array/);
    const absent = template({ sector_identifier_uri: `https://sectors.example/${unique('nothing')}.json` });
    expect(await issuesOf(await adminCall(fetch, 'POST', '/templates', absent))).toMatch(/answered HTTP 404/);

    // A static client likewise; and a template that gains a redirect URI its document does not list stays as it was.
    const clientId = unique('static');
    const staticClient = {
      client_id: clientId,
      capabilities: ['code'],
      redirect_uris: [CALLBACK],
      sector_identifier_uri: sectorUri,
    };
    const staticRefused = { ...staticClient, redirect_uris: [CALLBACK, 'https://app.example/cb'] };
    expect(await issuesOf(await adminCall(fetch, 'POST', '/clients', staticRefused))).toMatch(/^sector_identifier_uri: /);
    expect((await adminCall(fetch, 'POST', '/clients', staticClient)).status).toBe(201);
    const good = template({ sector_identifier_uri: sectorUri });
    expect((await adminCall(fetch, 'POST', '/templates', good)).status).toBe(201);
    const edited = { ...good, redirect_uris: [CALLBACK, 'https://app.example/cb'] };
    expect(await issuesOf(await adminCall(fetch, 'PUT', `/templates/${good.name}`, edited))).toMatch(/^sector_identifier_uri: /);
    expect(
      ((await (await adminCall(fetch, 'GET', `/templates/${good.name}`)).json()) as { redirect_uris: string[] }).redirect_uris,
    ).toEqual([CALLBACK]);
  });

  it('an instance registers only while its template’s document lists its redirect URIs; a refusal leaves the IAT usable', async () => {
    const sectorUri = `https://sectors.example/${unique('changing')}.json`;
    let listed: string[] = [CALLBACK];
    web.pages.set(sectorUri, () => Response.json(listed, { headers: { 'Cache-Control': 'max-age=60' } }));
    const { registrar, templateName } = await setUpTemplate(fetch, { ...PAIRWISE, sector_identifier_uri: sectorUri });
    const registered = await registerWith(fetch, await requestIat(fetch, registrar), { software_id: templateName });
    expect(registered.status).toBe(201);
    expect(await registered.json()).toMatchObject({ subject_type: 'pairwise', sector_identifier_uri: sectorUri });

    listed = ['https://elsewhere.example/cb'];
    clock.advance(61_000);
    const iat = await requestIat(fetch, registrar);
    await expectOAuthError(await registerWith(fetch, iat, { software_id: templateName }), 400, 'invalid_client_metadata');
    listed = [CALLBACK];
    clock.advance(61_000);
    expect((await registerWith(fetch, iat, { software_id: templateName })).status).toBe(201);
  });

  it('an instance may only agree with its template’s subject_type and sector_identifier_uri', async () => {
    const { registrar, templateName } = await setUpTemplate(fetch, PAIRWISE);
    for (const metadata of [{ subject_type: 'public' }, { sector_identifier_uri: publishSector([CALLBACK]) }]) {
      const res = await registerWith(fetch, await requestIat(fetch, registrar), { software_id: templateName, ...metadata });
      await expectOAuthError(res, 400, 'invalid_client_metadata');
    }
    const agreeing = await registerWith(fetch, await requestIat(fetch, registrar), { software_id: templateName, subject_type: 'pairwise' });
    expect(agreeing.status).toBe(201);
  });

  it('registration without a template reads the document too, at registration and at RFC 7592 update', async () => {
    const metadata = {
      redirect_uris: ['https://app.example/cb'],
      subject_type: 'pairwise',
      sector_identifier_uri: publishSector([CALLBACK]),
    };
    const iat = await nonTemplatizedIat(fetch);
    await expectOAuthError(await registerWith(fetch, iat, metadata), 400, 'invalid_client_metadata');
    const privateHost = { ...metadata, sector_identifier_uri: 'https://192.168.1.1/sector.json' };
    const refused = await expectOAuthError(await registerWith(fetch, iat, privateHost), 400, 'invalid_client_metadata');
    expect(refused.error_description).toBe('sector_identifier_uri must not name a loopback or private address');

    const listed = { ...metadata, sector_identifier_uri: publishSector(['https://app.example/cb']) };
    const created = await registerWith(fetch, iat, listed);
    expect(created.status).toBe(201);
    const client = (await created.json()) as Record<string, string>;
    const update = await fetch(client.registration_client_uri!, {
      ...json({ ...listed, client_id: client.client_id, redirect_uris: ['https://app.example/cb', 'https://app.example/other'] }),
      method: 'PUT',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${client.registration_access_token}` },
    });
    await expectOAuthError(update, 400, 'invalid_client_metadata');
  });
});

describe('PAIRWISE_SECRET', () => {
  it('without it public clients work; a pairwise client is a server_error naming it, before any code is issued', async () => {
    const unset = testServer({ clock: () => clock.now }, { PAIRWISE_SECRET: '' });
    const user = await createUser(unset);
    const publicInstance = await instanceOf(unset, await setUpTemplate(unset));
    expect((await signIn(publicInstance, user, unset)).id_token).toBeTruthy();
    const pairwise = await instanceOf(unset, await setUpTemplate(unset, PAIRWISE));
    const res = await unset(authorizeUrl(codeRequest(pairwise)));
    const body = await expectOAuthError(res, 500, 'server_error');
    expect(body.error_description).toMatch(/^PAIRWISE_SECRET is not set: run npm run setup/);
  });

  it('when set, must be long enough, like the other secrets', async () => {
    const short = testServer({}, { PAIRWISE_SECRET: 'too-short' });
    const body = await expectOAuthError(await short('/.well-known/openid-configuration'), 500, 'server_error');
    expect(body.error_description).toMatch(/PAIRWISE_SECRET must be at least 32 characters/);
  });

  it('keys the pairwise subs: another secret, other subs for the same user and sector', async () => {
    const other = testServer({ clock: () => clock.now }, { PAIRWISE_SECRET: 'another-pairwise-secret-0123456789abcdef0123' });
    const user = await createUser(fetch);
    const instance = await instanceOf(fetch, await setUpTemplate(fetch, PAIRWISE));
    const sub = await subOf(instance, user);
    const code = await authorizationCode(other, instance, user);
    const tokens = (await (await exchangeCode(other, instance, code)).json()) as Tokens;
    expect(decodeJwt(tokens.id_token).sub).not.toBe(sub);
    // A token of one secret is no user's under the other.
    await expectOAuthError(await userinfoOf(tokens.access_token), 401, 'invalid_token');
  });
});
