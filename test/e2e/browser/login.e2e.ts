import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { expect, it } from 'vitest';
import * as client from 'openid-client';
import { REDIRECT_URI, createTemplate, e2e } from '../context';
import { authorizationRequest, registerInstance } from '../openid-client-setup';
import { withChromium } from './chromium';

/** docs/flow.md's template-client belongs to the console test (console.e2e.ts), which makes it anew: these sign in with their own. */
const appTemplate = () =>
  createTemplate('login', { capabilities: ['code', 'refresh'], redirect_uris: [REDIRECT_URI], scopes: ['openid'] }).then((t) => t.name);

/** Kept for people to look at (git-ignored; CI can publish the folder). */
const SCREENSHOT = resolve(import.meta.dirname, '../../../test-results/login-page.png');

it('Chromium signs in on the login page, gets a code, and is not asked again while its session lasts', async () => {
  const instance = await registerInstance(await appTemplate());
  await withChromium(REDIRECT_URI, async (browser) => {
    const { page } = browser;
    const first = await authorizationRequest(instance);
    const loginPage = await page.goto(first.url.href);
    expect(loginPage?.status()).toBe(200);
    expect(await page.title()).toBe('Sign in');
    await mkdir(resolve(SCREENSHOT, '..'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    // A wrong password: the same page again, with a message that does not say which field was wrong.
    await page.getByLabel('Username').fill(e2e.user.username);
    await page.getByLabel('Password').fill(`${e2e.user.password}-wrong`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await page.getByRole('alert').textContent()).toBe('The username or password is not correct.');

    await page.getByLabel('Username').fill(e2e.user.username);
    await page.getByLabel('Password').fill(e2e.user.password);
    const [callback] = await Promise.all([browser.nextCallback(), page.getByRole('button', { name: 'Sign in' }).click()]);
    const tokens = await client.authorizationCodeGrant(instance, callback, first.checks);
    const { sub } = tokens.claims()!;

    // Same browser, new request: the session cookie answers it, the authorize URL redirects at once.
    const second = await authorizationRequest(instance);
    const [silentCallback, landing] = await Promise.all([browser.nextCallback(), page.goto(second.url.href)]);
    expect(landing?.request().redirectedFrom()?.url()).toBe(second.url.href);
    expect(page.url()).toBe(silentCallback.href);
    expect((await client.authorizationCodeGrant(instance, silentCallback, second.checks)).claims()!.sub).toBe(sub);
  });
});

it('Chromium stays on the server’s error page when the redirect URI is not the registered one', async () => {
  const instance = await registerInstance(await appTemplate());
  await withChromium(REDIRECT_URI, async (browser) => {
    const { url } = await authorizationRequest(instance, 'openid', 'https://attacker.example/callback');
    const answer = await browser.page.goto(url.href);
    expect(answer?.status()).toBe(400);
    expect(new URL(browser.page.url()).origin).toBe(e2e.issuer);
    expect(answer?.request().redirectedFrom()).toBeNull();
  });
});
