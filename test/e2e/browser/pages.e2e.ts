import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { expect, it } from 'vitest';
import * as client from 'openid-client';
import type { Page } from 'playwright-core';
import { admin, createTemplate, e2e, issuer } from '../context';
import { authorizationRequest, insecure, registrarConfig } from '../openid-client-setup';
import { withChromium } from './chromium';

/**
 * The login, consent, error, sign-out and signed-out pages as people see them, at a 320 px phone's width and a desktop's: screenshots into
 * test-results/ (look at them), and a check that nothing is wider than the screen.
 */
const RESULTS = resolve(import.meta.dirname, '../../../test-results');
const WIDTHS = { '320': { width: 320, height: 640 }, desktop: { width: 1280, height: 800 } };
const LOGO = 'https://logo.test/field-service.svg';
const LOGO_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 48 48"><rect width="48" height="48" rx="10" fill="#1f4fbf"/>
  <path d="M14 34V14h20v5H20v4h11v5H20v6z" fill="#fff"/></svg>`;

/** Screenshots of the page as it is now at both widths; fails if the page scrolls sideways on the phone. */
async function capture(page: Page, name: string) {
  await mkdir(RESULTS, { recursive: true });
  for (const [label, size] of Object.entries(WIDTHS)) {
    await page.setViewportSize(size);
    await page.screenshot({ path: resolve(RESULTS, `${name}-${label}.png`), fullPage: true });
    if (label === '320')
      expect(await page.evaluate(() => document.documentElement.scrollWidth), `${name} at 320 px`).toBeLessThanOrEqual(320);
  }
}

/** An instance of a template with the admin's branding, named by its registrar. */
async function brandedInstance() {
  const template = await createTemplate('field-service', {
    client_name: 'Field Service',
    logo_uri: LOGO,
    policy_uri: 'https://example.com/privacy',
    tos_uri: 'https://example.com/terms',
    capabilities: ['code', 'refresh'],
    redirect_uris: ['https://localhost/callback'],
    post_logout_redirect_uris: ['https://localhost/signed-out'],
    scopes: ['openid', 'profile'],
  });
  const iat = await client.clientCredentialsGrant(await registrarConfig(), { scope: 'dcr' });
  return client.dynamicClientRegistration(issuer, { software_id: template.name, client_name: 'Ana’s iPhone' }, client.ClientSecretBasic(), {
    ...insecure,
    initialAccessToken: iat.access_token,
  });
}

const serveLogo = (page: Page) => page.route(LOGO, (route) => route.fulfill({ contentType: 'image/svg+xml', body: LOGO_SVG }));

it('the login page says who is asking, keeps the username after a wrong password, and fits a phone', async () => {
  const instance = await brandedInstance();
  await withChromium('https://localhost/callback', async ({ page }) => {
    await serveLogo(page);
    await page.goto((await authorizationRequest(instance)).url.href);
    await expect.poll(() => page.locator('img').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
    expect(await page.locator('.application').textContent()).toBe('Field Service');
    expect(await page.locator('.own-name').textContent()).toBe('Ana’s iPhone');
    await page.getByLabel('Username').fill(e2e.user.username);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await page.getByRole('alert').textContent()).toBe('The username or password is not correct.');
    expect(await page.getByLabel('Username').inputValue()).toBe(e2e.user.username);
    await capture(page, 'login');
  });
});

it('the consent page names the unverified client and what it asks for, and fits a phone', async () => {
  const template = await admin('POST', '/templates', {
    name: e2e.openTemplate,
    capabilities: ['code'],
    redirect_uris: ['http://127.0.0.1/callback'],
    scopes: ['openid', 'profile', 'mcp'],
    token_endpoint_auth_methods: ['none'],
    registration: { mode: 'open' },
  });
  expect([201, 409]).toContain(template.status);
  const agent = await client.dynamicClientRegistration(
    issuer,
    { client_name: 'Claude’s helper', redirect_uris: ['http://127.0.0.1:40123/callback'], token_endpoint_auth_method: 'none' },
    client.None(),
    insecure,
  );
  await withChromium('http://127.0.0.1:40123/callback', async (browser) => {
    const { page } = browser;
    const { url } = await authorizationRequest(agent, 'openid profile mcp', 'http://127.0.0.1:40123/callback');
    await page.goto(url.href);
    await page.getByLabel('Username').fill(e2e.user.username);
    await page.getByLabel('Password').fill(e2e.user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await page.title()).toBe('Allow access?');
    expect(await page.locator('main').textContent()).toContain('Claude’s helper (unverified) wants to:');
    await capture(page, 'consent');
    const [callback] = await Promise.all([browser.nextCallback(), page.getByRole('button', { name: 'Allow' }).click()]);
    expect(callback.searchParams.get('code')).toBeTruthy();
  });
});

it('the error page speaks plainly, gives a reference, links back, and fits a phone', async () => {
  const instance = await brandedInstance();
  await withChromium('https://localhost/callback', async ({ page }) => {
    await serveLogo(page);
    const answer = await page.goto((await authorizationRequest(instance, 'openid', 'https://attacker.example/callback')).url.href);
    expect(answer?.status()).toBe(400);
    expect(await page.getByRole('alert').textContent()).toContain('has not registered');
    expect(await page.locator('.reference').textContent()).toBe('Reference: invalid_redirect_uri');
    expect(await page.getByRole('link', { name: 'Back to Field Service' }).getAttribute('href')).toBe('https://localhost');
    await capture(page, 'error');
  });
});

it('the sign-out page says which application asks, needs no script, and ends on the signed-out page; both fit a phone', async () => {
  const instance = await brandedInstance();
  await withChromium('https://localhost/', async (browser) => {
    const { page } = browser;
    await serveLogo(page);
    await page.goto((await authorizationRequest(instance)).url.href);
    await page.getByLabel('Username').fill(e2e.user.username);
    await page.getByLabel('Password').fill(e2e.user.password);
    const [callback] = await Promise.all([browser.nextCallback(), page.getByRole('button', { name: 'Sign in' }).click()]);
    expect(callback.searchParams.get('code')).toBeTruthy();

    await page.goto(client.buildEndSessionUrl(instance).href);
    expect(await page.title()).toBe('Sign out?');
    expect(await page.locator('main').textContent()).toContain('Field Service asks you to sign out of this sign-in service.');
    await capture(page, 'logout');
    await page.getByRole('button', { name: 'Sign out' }).click();
    expect(await page.locator('h1').textContent()).toBe('You are signed out');
    await capture(page, 'signed-out');

    // Signed out: the next authorization request asks for the password again.
    await page.goto((await authorizationRequest(instance)).url.href);
    expect(await page.getByLabel('Password').count()).toBe(1);
  });
});
