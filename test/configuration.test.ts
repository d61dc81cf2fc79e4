import { afterEach, describe, expect, it, vi } from 'vitest';
import { adminHeaders, basic, expectOAuthError, form, ORIGIN, setUpTemplate, testServer } from './helpers';
import { decodeJwt } from 'jose';

/** The issuer is fixed, and a missing or malformed secret or var is named at the first request, never a TypeError. */

const DISCOVERY = '/.well-known/openid-configuration';
const issuerOf = async (res: Response) => ((await res.json()) as { issuer: string }).issuer;

afterEach(() => vi.restoreAllMocks());

describe('the issuer', () => {
  it('with ISSUER set, a request for another host never changes it', async () => {
    const fetch = testServer({}, { ISSUER: 'https://login.example.com' });
    const res = await fetch('https://evil.example/.well-known/openid-configuration', { headers: { Host: 'evil.example' } });
    expect(res.status).toBe(200);
    expect(await issuerOf(res)).toBe('https://login.example.com');
  });

  it('without ISSUER, a request for a host that is not loopback is refused, naming ISSUER, and mints nothing', async () => {
    const fetch = testServer({}, { ISSUER: '' });
    const refused = await expectOAuthError(await fetch('https://evil.example/.well-known/openid-configuration'), 500, 'server_error');
    expect(refused.error_description).toContain('ISSUER is not set');

    const { registrar } = await setUpTemplate(testServer());
    const token = await fetch(
      'https://evil.example/oauth/v2/oauth-token',
      form({ grant_type: 'client_credentials', scope: 'dcr' }, { Authorization: basic(registrar.clientId, registrar.secret) }),
    );
    await expectOAuthError(token, 500, 'server_error');
  });

  it('without ISSUER, a loopback origin is the issuer (npm start)', async () => {
    const fetch = testServer({}, { ISSUER: '' });
    for (const origin of ['http://localhost:8787', 'http://127.0.0.1:9000', 'http://[::1]:8787']) {
      expect(await issuerOf(await fetch(`${origin}${DISCOVERY}`))).toBe(origin);
    }
  });

  it('the issuer of the tokens is the configured one, whatever host the request named', async () => {
    const { registrar } = await setUpTemplate(testServer());
    const res = await testServer()(
      'https://evil.example/oauth/v2/oauth-token',
      form({ grant_type: 'client_credentials', scope: 'dcr' }, { Authorization: basic(registrar.clientId, registrar.secret) }),
    );
    expect(res.status).toBe(200);
    expect(decodeJwt(((await res.json()) as { access_token: string }).access_token).iss).toBe(ORIGIN);
  });

  it.each([
    ['not a URL', 'auth.example.com'],
    ['with a path', 'https://auth.example.com/oauth'],
    ['http off loopback', 'http://auth.example.com'],
  ])('a malformed ISSUER (%s) is named', async (_, value) => {
    const res = await testServer({}, { ISSUER: value })(DISCOVERY);
    expect((await expectOAuthError(res, 500, 'server_error')).error_description).toContain('ISSUER');
  });
});

describe('secrets and vars are checked at the first request', () => {
  it.each([
    ['SIGNING_KEYS', '/oauth/v2/oauth-anonymous/jwks'],
    ['SESSION_SECRET', DISCOVERY],
    ['ADMIN_TOKEN', '/admin/v1/templates'],
  ] as const)('a missing %s is named in the answer and the log', async (secret, path) => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const res = await testServer({}, { [secret]: undefined })(path, { headers: adminHeaders });
    const body = await expectOAuthError(res, 500, 'server_error');
    expect(body.error_description).toContain(`${secret} is not set: run npm run setup`);
    const lines = logged.mock.calls.map((args) => args.join(' '));
    expect(lines.filter((line) => line.includes(`${secret} is not set`))).toHaveLength(1);
    expect(lines.join('\n')).not.toContain('TypeError');
  });

  it.each([
    ['SIGNING_KEYS is not JSON', { SIGNING_KEYS: '{not json' }, 'SIGNING_KEYS is not JSON'],
    ['a signing key without kid', { SIGNING_KEYS: JSON.stringify([{ kty: 'EC', alg: 'ES256', d: 'x' }]) }, 'SIGNING_KEYS'],
    ['a short SESSION_SECRET', { SESSION_SECRET: 'short' }, 'SESSION_SECRET must be at least 32 characters'],
    ['a short ADMIN_TOKEN', { ADMIN_TOKEN: 'short' }, 'ADMIN_TOKEN must be at least 32 characters'],
    ['a malformed var', { LEDGER_SHARDS: 'many' }, 'LEDGER_SHARDS must be a whole number'],
    ['a malformed flag', { DCR_ENABLED: 'yes' }, 'DCR_ENABLED must be "true" or "false"'],
  ])('%s is named', async (_, bindings, named) => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const res = await testServer({}, bindings)(DISCOVERY);
    expect((await expectOAuthError(res, 500, 'server_error')).error_description).toContain(named);
  });

  it('every problem is named at once', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const res = await testServer({}, { SIGNING_KEYS: '', SESSION_SECRET: '', IAT_TTL: '0' })(DISCOVERY);
    const { error_description } = await expectOAuthError(res, 500, 'server_error');
    for (const name of ['SIGNING_KEYS', 'SESSION_SECRET', 'IAT_TTL']) expect(error_description).toContain(name);
  });
});
