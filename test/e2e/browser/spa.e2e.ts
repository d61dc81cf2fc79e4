import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as client from 'openid-client';
import { createTemplate, e2e, issuer } from '../context';
import { files, startLocalServer, type LocalServer } from '../local-server';
import { insecure, registrarConfig } from '../openid-client-setup';
import { withChromium } from './chromium';

/**
 * oidc-client-ts, bundled by esbuild, in a page served from a second origin (another port): the browser enforces CORS
 * on every call the library makes to this server (discovery, token, userinfo, refresh, JWKS).
 */
const SPA = resolve(import.meta.dirname, 'spa');
let spa: LocalServer;

beforeAll(async () => {
  const bundle = await build({ entryPoints: [resolve(SPA, 'app.ts')], bundle: true, format: 'iife', platform: 'browser', write: false });
  const page = { type: 'text/html', body: await readFile(resolve(SPA, 'index.html'), 'utf8') };
  spa = await startLocalServer(
    files({ '/index.html': page, '/callback.html': page, '/app.js': { type: 'text/javascript', body: bundle.outputFiles[0]!.contents } }),
  );
});

afterAll(() => spa?.close());

/** A public instance of a template for browser apps, its redirect URI on the SPA's origin (loopback, any port). */
async function browserAppInstance(): Promise<string> {
  const template = await createTemplate('spa', {
    capabilities: ['code', 'refresh'],
    redirect_uris: ['http://127.0.0.1/callback.html'],
    scopes: ['openid', 'profile'],
    token_endpoint_auth_methods: ['none'],
  });
  const iat = await client.clientCredentialsGrant(await registrarConfig(), { scope: 'dcr' });
  const registered = await client.dynamicClientRegistration(
    issuer,
    { software_id: template.name, token_endpoint_auth_method: 'none', redirect_uris: [`${spa.origin}/callback.html`] },
    client.None(),
    { ...insecure, initialAccessToken: iat.access_token },
  );
  return registered.clientMetadata().client_id;
}

it('oidc-client-ts on another origin: discovery, code + PKCE, token, userinfo, JWKS and refresh through CORS', async () => {
  expect(new URL(spa.origin).origin).not.toBe(e2e.issuer);
  const clientId = await browserAppInstance();
  await withChromium(null, async ({ page }) => {
    const blocked: string[] = [];
    page.on('console', (message) => {
      if (/CORS|Access-Control/i.test(message.text())) blocked.push(message.text());
    });
    await page.goto(`${spa.origin}/index.html?${new URLSearchParams({ issuer: e2e.issuer, client_id: clientId })}`);
    // signinRedirect navigates away: its promise never settles in this page.
    await Promise.all([page.waitForURL(`${e2e.issuer}/**`), page.evaluate(() => void window.signIn())]);
    expect(await page.title()).toBe('Sign in');
    await page.getByLabel('Username').fill(e2e.user.username);
    await page.getByLabel('Password').fill(e2e.user.password);
    await Promise.all([page.waitForURL(`${spa.origin}/callback.html?**`), page.getByRole('button', { name: 'Sign in' }).click()]);

    await page.waitForSelector('#result[data-done="1"]');
    const signedIn = JSON.parse((await page.textContent('#result'))!);
    expect(signedIn).toEqual({ sub: expect.any(String), name: 'Demo User', scope: 'openid profile', hasRefreshToken: true, keys: 2 });

    const refreshed = await page.evaluate(() => window.refresh());
    expect(refreshed).toEqual({ refreshed: true, refreshTokenRotated: true });
    expect(blocked).toEqual([]);
  });
});
