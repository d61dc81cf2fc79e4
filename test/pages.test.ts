import { describe, expect, it } from 'vitest';
import { adminCall, form, registerWith, requestIat, setUpTemplate, testServer, unique } from './helpers';
import { authorizeUrl, browser, createUser, hiddenFields, pkce } from './flow-helpers';

const fetch = testServer({}, { DCR_NON_TEMPLATIZED: 'true' });
const BRANDING = {
  client_name: 'Field Service',
  logo_uri: 'https://cdn.example.com/field-service.png',
  policy_uri: 'https://example.com/privacy',
  tos_uri: 'https://example.com/terms',
};

async function brandedInstance(instanceName = 'Ana’s iPhone') {
  const { registrar, templateName } = await setUpTemplate(fetch, BRANDING);
  const res = await registerWith(fetch, await requestIat(fetch, registrar), { software_id: templateName, client_name: instanceName });
  expect(res.status).toBe(201);
  return (await res.json()) as Record<string, string>;
}

async function loginPageFor(clientId: string, b = browser(fetch)) {
  const { challenge } = await pkce();
  const res = await b.fetch(
    authorizeUrl({ client_id: clientId, response_type: 'code', scope: 'openid', code_challenge: challenge, code_challenge_method: 'S256' }),
  );
  expect(res.status).toBe(200);
  return res.text();
}

describe('the login page says who is asking', () => {
  it('the application the admin named, its logo and links, and the instance’s own name second', async () => {
    const instance = await brandedInstance();
    const html = await loginPageFor(instance.client_id!);
    const application = html.indexOf('Field Service');
    const own = html.indexOf('Ana’s iPhone');
    expect(application).toBeGreaterThan(-1);
    expect(own).toBeGreaterThan(application);
    expect(html).toContain(`<img src="${BRANDING.logo_uri}"`);
    expect(html).toContain(`href="${BRANDING.policy_uri}"`);
    expect(html).toContain(`href="${BRANDING.tos_uri}"`);
  });

  it('the registration answer echoes the template’s logo and links, live from the template', async () => {
    const instance = await brandedInstance();
    expect(instance).toMatchObject({ logo_uri: BRANDING.logo_uri, policy_uri: BRANDING.policy_uri, tos_uri: BRANDING.tos_uri });
  });

  it('keeps the username after a wrong password', async () => {
    const instance = await brandedInstance();
    const user = await createUser(fetch);
    const b = browser(fetch);
    const page = await loginPageFor(instance.client_id!, b);
    const retry = await b.fetch(
      '/oauth/v2/oauth-authorize',
      form({ ...hiddenFields(page), username: user.username, password: 'wrong password' }),
    );
    const html = await retry.text();
    expect(html).toContain('The username or password is not correct.');
    expect(html).toMatch(new RegExp(`id="username"[^>]*value="${user.username}"`));
  });
});

describe('the error page speaks plainly', () => {
  it('says what happened in plain words, gives the error code as a reference, and links back where it knows the app', async () => {
    const instance = await brandedInstance();
    const res = await fetch(
      authorizeUrl({ client_id: instance.client_id!, response_type: 'code', redirect_uri: 'https://attacker.example/cb' }),
    );
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('Field Service');
    expect(html).toMatch(/Reference: <code>invalid_redirect_uri<\/code>/);
    // Back to where the app is known to live (its registered redirect URI's origin), never to the unverified URI.
    expect(html).toContain('href="https://localhost"');
    expect(html).not.toContain('attacker.example/cb"');
  });

  it('an unknown client: no link back, the reference still there', async () => {
    const html = await (await fetch(authorizeUrl({ client_id: unique('nobody'), response_type: 'code' }))).text();
    expect(html).toMatch(/Reference: <code>invalid_client<\/code>/);
    expect(html).not.toContain('<a ');
  });
});

describe('logo_uri, policy_uri, tos_uri at registration without a template', () => {
  async function dynamicRegistration(metadata: Record<string, unknown>) {
    const registrarId = unique('registrar');
    const created = await adminCall(fetch, 'POST', '/clients', { client_id: registrarId, may_register_clients: true });
    const iat = await requestIat(fetch, {
      clientId: registrarId,
      secret: ((await created.json()) as { client_secret: string }).client_secret,
    });
    return registerWith(fetch, iat, { redirect_uris: ['https://app.example/cb'], ...metadata });
  }

  it('are accepted, echoed and shown on the login page', async () => {
    const res = await dynamicRegistration({
      client_name: 'Kiosk',
      logo_uri: BRANDING.logo_uri,
      policy_uri: BRANDING.policy_uri,
      tos_uri: BRANDING.tos_uri,
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as Record<string, string>;
    expect(body).toMatchObject({ logo_uri: BRANDING.logo_uri, policy_uri: BRANDING.policy_uri, tos_uri: BRANDING.tos_uri });
    const html = await loginPageFor(body.client_id!);
    expect(html).toContain(`href="${BRANDING.tos_uri}"`);
  });

  it('must be https URLs', async () => {
    const res = await dynamicRegistration({ logo_uri: 'javascript:alert(1)' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_client_metadata');
  });
});
