import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import * as client from 'openid-client';
import { REDIRECT_URI, REGISTRAR, TEMPLATE, admin, e2e } from '../context';
import { refusal, registerInstance, signedInInstance } from '../openid-client-setup';
import { withChromium } from './chromium';

/** Screenshots of every console page at a phone's and a laptop's width, kept for people to look at (git-ignored). */
const SHOTS = resolve(import.meta.dirname, '../../../test-results/console');
const WIDTHS = { phone: { width: 375, height: 812 }, desktop: { width: 1280, height: 800 } };

async function shoot(page: Page, name: string) {
  await mkdir(SHOTS, { recursive: true });
  for (const [device, size] of Object.entries(WIDTHS)) {
    await page.setViewportSize(size);
    // Two frames, so that the page is laid out again at the new width before the full-page capture measures it.
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
    await page.screenshot({ path: resolve(SHOTS, `${name}-${device}.png`), fullPage: true });
  }
  await page.setViewportSize(WIDTHS.desktop);
}

/** A section of the console, by its link in the navigation bar. */
const section = (page: Page, name: string) => page.getByRole('navigation').getByRole('link', { name, exact: true }).click();

const consoleUrl = (path = '') => `${e2e.issuer}/admin/${path}`;

it('an admin signs in, makes template-client as docs/flow.md step 1 says, sees its instance, removes openid, and revokes all', async () => {
  await withChromium(REDIRECT_URI, async ({ page }) => {
    await page.setViewportSize(WIDTHS.desktop);

    // Signed out, every console page leads to the sign-in page.
    await page.goto(consoleUrl('templates'));
    expect(new URL(page.url()).pathname).toBe('/admin/sign-in');
    await shoot(page, 'sign-in');
    await page.getByLabel(/^Admin token/).fill(`${e2e.adminToken}-wrong`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await page.getByRole('alert').textContent()).toBe('That is not the admin token.');
    await page.getByLabel(/^Admin token/).fill(e2e.adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Overview');
    expect(await page.getByRole('row', { name: /Templatized registration/ }).textContent()).toContain('on');
    await shoot(page, 'overview');

    // The seeded template-client goes first (its delete is confirmed on a page that counts its instances) ...
    await section(page, 'Templates');
    await shoot(page, 'templates');
    await page.getByRole('link', { name: TEMPLATE, exact: true }).click();
    await page.getByRole('link', { name: 'Delete' }).click();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(`Delete template ${TEMPLATE}?`);
    await shoot(page, 'confirm-delete');
    await page.getByRole('button', { name: /^Delete template-client and 0 instance/ }).click();
    expect((await admin('GET', `/templates/${TEMPLATE}`)).status).toBe(404);

    // ... and is made again by filling the form: code flow (and refresh), the redirect URI, openid, username and
    // password, the secret methods, and registration by authenticated clients with `server` allowed.
    await page.getByRole('link', { name: 'New template' }).click();
    await page.getByLabel(/^Name/).fill(TEMPLATE);
    await page.getByRole('checkbox', { name: /Authorization code flow/ }).check();
    await page.getByRole('checkbox', { name: /Refresh tokens/ }).check();
    await page.getByLabel(/^Redirect URIs/).fill(REDIRECT_URI);
    await page.getByLabel(/^Scopes/).fill('openid');
    expect(await page.getByRole('checkbox', { name: /Username and password/ }).isChecked()).toBe(true);
    expect(await page.getByRole('checkbox', { name: /client_secret_basic/ }).isChecked()).toBe(true);
    expect(await page.getByRole('checkbox', { name: /client_secret_post/ }).isChecked()).toBe(true);
    await page.getByRole('radio', { name: /Clients must authenticate/ }).check();
    await page.getByLabel(/^Registrars/).fill(REGISTRAR);
    expect(await page.getByLabel(/^Sign-in clients/).isHidden()).toBe(true);
    await shoot(page, 'template-new');
    await page.getByRole('button', { name: 'Create template' }).click();
    expect(new URL(page.url()).pathname).toBe(`/admin/templates/${TEMPLATE}`);
    expect(await (await admin('GET', `/templates/${TEMPLATE}`)).json()).toMatchObject({
      name: TEMPLATE,
      capabilities: ['code', 'refresh'],
      redirect_uris: [REDIRECT_URI],
      scopes: ['openid'],
      authenticators: ['username-password'],
      token_endpoint_auth_methods: ['client_secret_basic', 'client_secret_post'],
      registration: { mode: 'clients', allowed_clients: [REGISTRAR] },
      enabled: true,
      version: 1,
    });

    // docs/flow.md steps 2 to 4 with openid-client: an IAT, an instance, a user's sign-in and tokens.
    const { instance, tokens } = await signedInInstance(TEMPLATE);
    const { client_id: clientId } = instance.clientMetadata();
    await page.getByRole('link', { name: /^Instances/ }).click();
    const row = page.getByRole('row', { name: new RegExp(clientId) });
    expect(await row.textContent()).toContain(REGISTRAR);
    await page.getByLabel(/Client id starts with/).fill(clientId.slice(0, 8));
    await page.getByRole('button', { name: 'Search' }).click();
    expect(await page.getByRole('row').count()).toBe(2);
    await shoot(page, 'instances');

    // Step 5: openid removed in the console; the instance's next request for it is refused.
    await page.getByRole('link', { name: TEMPLATE }).first().click();
    await page.getByRole('link', { name: 'Edit' }).click();
    await shoot(page, 'template-edit');
    await page.getByLabel(/^Scopes/).fill('profile');
    await page.getByRole('button', { name: 'Save changes' }).click();
    expect(await refusal(client.refreshTokenGrant(instance, tokens.refresh_token!))).toEqual({ status: 400, error: 'invalid_scope' });
    const change = page.getByRole('row', { name: /^2 / });
    expect(await change.getByRole('deletion').textContent()).toBe('openid');
    expect(await change.getByRole('insertion').textContent()).toBe('profile');
    await shoot(page, 'template');

    // All secrets rotated (shown once, downloadable), then every instance revoked.
    const second = await registerInstance(TEMPLATE);
    await page.getByRole('link', { name: /^Instances/ }).click();
    await page.getByRole('link', { name: 'Rotate all secrets' }).click();
    await shoot(page, 'confirm-rotate');
    await page.getByRole('button', { name: 'Rotate all secrets' }).click();
    expect(await page.getByRole('row').count()).toBe(3);
    const download = page.getByRole('link', { name: 'Download as JSON' });
    const saved = JSON.parse(
      decodeURIComponent((await download.getAttribute('href'))!.replace(/^data:application\/json;charset=utf-8,/, '')),
    );
    expect(saved.map((s: { client_id: string }) => s.client_id).sort()).toEqual([clientId, second.clientMetadata().client_id].sort());
    await shoot(page, 'secrets');
    await page.getByRole('link', { name: 'Done' }).click();
    await page.getByRole('link', { name: 'Revoke all' }).click();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(`Revoke all instances of ${TEMPLATE}?`);
    await shoot(page, 'confirm-revoke-all');
    await page.getByRole('button', { name: 'Revoke 2 instance(s)' }).click();
    expect(await page.getByText('No instances.').isVisible()).toBe(true);
    const renewed = new client.Configuration(
      instance.serverMetadata(),
      clientId,
      saved.find((s: { client_id: string }) => s.client_id === clientId).client_secret,
    );
    client.allowInsecureRequests(renewed);
    expect(await refusal(client.refreshTokenGrant(renewed, tokens.refresh_token!))).toEqual({ status: 401, error: 'invalid_client' });

    // All of it is in the activity trail, newest first.
    await section(page, 'Activity');
    await page.getByLabel('Template', { exact: true }).fill(TEMPLATE);
    await page.getByRole('button', { name: 'Filter' }).click();
    const events = await page.locator('tbody td:nth-child(2) code').allTextContents();
    expect(events.filter((type) => type.startsWith('template.')).slice(0, 3)).toEqual([
      'template.instances_deleted',
      'template.instance_secrets_rotated',
      'template.updated',
    ]);
    await shoot(page, 'activity');
  });
});

it('static clients and users: made in the console, their secret shown once', async () => {
  await withChromium(REDIRECT_URI, async ({ page }) => {
    await page.setViewportSize(WIDTHS.desktop);
    await page.goto(consoleUrl());
    await page.getByLabel(/^Admin token/).fill(e2e.adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();

    await section(page, 'Static clients');
    await shoot(page, 'clients');
    await page.getByRole('link', { name: 'New static client' }).click();
    await page.getByLabel(/^Client id/).fill('reporting');
    await page.getByLabel(/^Scopes/).fill('read');
    await shoot(page, 'client-new');
    await page.getByRole('button', { name: 'Create' }).click();
    const secret = await page.locator('[data-secret]').textContent();
    await shoot(page, 'client-secret');
    const config = new client.Configuration(
      { issuer: e2e.issuer, token_endpoint: `${e2e.issuer}/oauth/v2/oauth-token` },
      'reporting',
      secret!,
    );
    client.allowInsecureRequests(config);
    expect((await client.clientCredentialsGrant(config, { scope: 'read' })).scope).toBe('read');
    await page.getByRole('link', { name: 'Done' }).click();
    await shoot(page, 'client');
    await page.getByRole('link', { name: 'Delete' }).click();
    await page.getByRole('button', { name: 'Delete reporting' }).click();
    expect(await page.getByRole('link', { name: 'reporting' }).count()).toBe(0);
    expect(await refusal(client.clientCredentialsGrant(config, { scope: 'read' }))).toEqual({ status: 401, error: 'invalid_client' });

    await section(page, 'Users');
    await page.getByRole('link', { name: 'New user' }).click();
    await page.getByLabel(/^Username/).fill('grace');
    await page.getByLabel(/^Name/).first().fill('Grace Hopper');
    await page
      .getByLabel(/^Email/)
      .first()
      .fill('grace@example.com');
    await shoot(page, 'user-new');
    await page.getByRole('button', { name: 'Create' }).click();
    expect(await page.locator('[data-secret]').textContent()).toMatch(/^[A-Za-z0-9_-]{16}$/);
    await shoot(page, 'user-password');
    await page.getByRole('link', { name: 'Done' }).click();
    expect(await page.getByRole('row', { name: /grace/ }).textContent()).toContain('grace@example.com');
    await shoot(page, 'users');
    await page.getByRole('link', { name: 'grace', exact: true }).click();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('grace');
    await shoot(page, 'user');
    expect(await (await admin('GET', '/users/grace')).json()).toMatchObject({
      claims: { name: 'Grace Hopper', email: 'grace@example.com' },
    });

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.goto(consoleUrl('users'));
    expect(new URL(page.url()).pathname).toBe('/admin/sign-in');
  });
});
