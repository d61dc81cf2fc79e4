import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { countInstances, expectOAuthError, manualClock, registerWith, requestIat, setUpTemplate, testServer } from './helpers';

describe('the initial access token is single-use', () => {
  const fetch = testServer();

  it('a second registration with the same IAT gets 401 invalid_token', async () => {
    const { registrar, templateName } = await setUpTemplate(fetch);
    const iat = await requestIat(fetch, registrar);
    expect((await registerWith(fetch, iat, { software_id: templateName })).status).toBe(201);
    const again = await registerWith(fetch, iat, { software_id: templateName });
    await expectOAuthError(again, 401, 'invalid_token');
    expect(again.headers.get('WWW-Authenticate')).toMatch(/^Bearer .*error="invalid_token"/);
    expect(await countInstances(templateName)).toBe(1);
  });

  it('200 concurrent registrations with one IAT give exactly one 201 and one client row', async () => {
    // Without the registration limits, which would refuse most of the 200 before they reach the ledger.
    const unlimited = testServer({}, { REGISTRATION_REGISTRAR_LIMITER: undefined, REGISTRATION_TEMPLATE_LIMITER: undefined });
    const { registrar, templateName } = await setUpTemplate(unlimited);
    const iat = await requestIat(unlimited, registrar);
    const answers = await Promise.all(Array.from({ length: 200 }, () => registerWith(unlimited, iat, { software_id: templateName })));
    const statuses = answers.map((res) => res.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 401)).toHaveLength(199);
    expect(await countInstances(templateName)).toBe(1);
  });

  it('two IATs of one registrar make two instances, each with its own credentials', async () => {
    const { registrar, templateName } = await setUpTemplate(fetch);
    const [a, b] = await Promise.all(
      [0, 1].map(
        async () =>
          (await (await registerWith(fetch, await requestIat(fetch, registrar), { software_id: templateName })).json()) as Record<
            string,
            string
          >,
      ),
    );
    expect(a!.client_id).not.toBe(b!.client_id);
    expect(a!.client_secret).not.toBe(b!.client_secret);
    expect(await countInstances(templateName)).toBe(2);
  });

  it('storage holds the invariant too: a second client row for one IAT is refused', async () => {
    const { registrar, templateName } = await setUpTemplate(fetch);
    const iat = await requestIat(fetch, registrar);
    const { client_id } = (await (await registerWith(fetch, iat, { software_id: templateName })).json()) as { client_id: string };
    const { created_by_iat } = (await env.DB.prepare('SELECT created_by_iat FROM clients WHERE client_id = ?')
      .bind(client_id)
      .first<{ created_by_iat: string }>())!;
    await expect(
      env.DB.prepare(
        `INSERT INTO clients (client_id, kind, template_name, secret_hash, config, created_by_iat, created_by_client, issued_at, registration_token_hash)
         VALUES ('second', 'instance', ?, 'x', '{}', ?, 'server', 0, 'y')`,
      )
        .bind(templateName, created_by_iat)
        .run(),
    ).rejects.toThrow(/UNIQUE constraint failed: clients.created_by_iat/);
  });
});

describe('the initial access token expires after 300 s, on the server clock', () => {
  const secondsLater = async (seconds: number) => {
    const clock = manualClock();
    const fetch = testServer({ clock: () => clock.now });
    const { registrar, templateName } = await setUpTemplate(fetch);
    const iat = await requestIat(fetch, registrar);
    clock.advance(seconds * 1000);
    return { res: await registerWith(fetch, iat, { software_id: templateName }), templateName };
  };

  it('is accepted at 299 s', async () => {
    expect((await secondsLater(299)).res.status).toBe(201);
  });

  it.each([300, 301])('is refused at %i s, and no client is made', async (seconds) => {
    const { res, templateName } = await secondsLater(seconds);
    const body = await expectOAuthError(res, 401, 'invalid_token');
    expect(body.error_description).toMatch(/expired/);
    expect(await countInstances(templateName)).toBe(0);
  });
});
