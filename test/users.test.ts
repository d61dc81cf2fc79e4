import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { adminCall, adminList, expectOAuthError, testServer, unique } from './helpers';
import { hashPassword, verifyPassword } from '../src/users/password';

const fetch = testServer();

describe('admin API for users', () => {
  it('creates, lists, reads, updates and deletes a user without ever showing the password hash', async () => {
    const username = unique('alice');
    const created = await adminCall(fetch, 'POST', '/users', {
      username,
      password: 'correct horse battery',
      claims: { name: 'Alice', email: 'alice@example.com', email_verified: true },
    });
    expect(created.status).toBe(201);
    const user = (await created.json()) as Record<string, any>;
    expect(user).toMatchObject({ username, claims: { name: 'Alice', email: 'alice@example.com', email_verified: true } });
    expect(user.sub).toMatch(/^[A-Za-z0-9_-]{22,}$/);
    expect(JSON.stringify(user)).not.toContain('pbkdf2');

    await expectOAuthError(await adminCall(fetch, 'POST', '/users', { username, password: 'another password' }), 409, 'conflict');

    const list = await adminList(fetch, '/users');
    expect(list.find((u) => u.username === username)).toMatchObject({ sub: user.sub });
    expect(JSON.stringify(list)).not.toContain('password');
    expect(await (await adminCall(fetch, 'GET', `/users/${username}`)).json()).toMatchObject({ username, sub: user.sub });

    const before = await env.DB.prepare('SELECT password_hash FROM users WHERE username = ?')
      .bind(username)
      .first<{ password_hash: string }>();
    const updated = await adminCall(fetch, 'PUT', `/users/${username}`, { claims: { name: 'Alice B.' } });
    expect(updated.status).toBe(200);
    expect(await updated.json()).toMatchObject({ sub: user.sub, claims: { name: 'Alice B.' } });
    const unchanged = await env.DB.prepare('SELECT password_hash FROM users WHERE username = ?')
      .bind(username)
      .first<{ password_hash: string }>();
    expect(unchanged!.password_hash).toBe(before!.password_hash);

    expect((await adminCall(fetch, 'PUT', `/users/${username}`, { password: 'a brand new password' })).status).toBe(200);
    const after = await env.DB.prepare('SELECT password_hash FROM users WHERE username = ?')
      .bind(username)
      .first<{ password_hash: string }>();
    expect(await verifyPassword('a brand new password', after!.password_hash)).toBe(true);
    expect(await verifyPassword('correct horse battery', after!.password_hash)).toBe(false);

    expect((await adminCall(fetch, 'DELETE', `/users/${username}`)).status).toBe(204);
    await expectOAuthError(await adminCall(fetch, 'GET', `/users/${username}`), 404, 'not_found');
    await expectOAuthError(await adminCall(fetch, 'DELETE', `/users/${username}`), 404, 'not_found');
    await expectOAuthError(await adminCall(fetch, 'PUT', `/users/${username}`, { password: 'whatever-password' }), 404, 'not_found');
  });

  it('refuses bad input with invalid_request naming the field', async () => {
    for (const body of [
      { username: '', password: 'long enough password' },
      { username: unique('u'), password: 'short' },
      { username: unique('u'), password: 'long enough password', claims: { email: 'not an email' } },
      { username: unique('u'), password: 'long enough password', claims: { unknown_claim: 1 } },
      { username: unique('u'), password: 'long enough password', is_admin: true },
    ]) {
      await expectOAuthError(await adminCall(fetch, 'POST', '/users', body), 400, 'invalid_request');
    }
    const username = unique('bob');
    await adminCall(fetch, 'POST', '/users', { username, password: 'long enough password' });
    await expectOAuthError(await adminCall(fetch, 'PUT', `/users/${username}`, {}), 400, 'invalid_request');
  });

  it('needs the admin token', async () => {
    await expectOAuthError(await fetch('/admin/v1/users'), 401, 'invalid_token');
    await expectOAuthError(await fetch('/admin/v1/users', { headers: { Authorization: 'Bearer wrong' } }), 401, 'invalid_token');
  });
});

describe('password hashing', () => {
  it('uses PBKDF2-SHA256 with 100,000 iterations and a salt per hash', async () => {
    const [a, b] = [await hashPassword('same password'), await hashPassword('same password')];
    expect(a).toMatch(/^pbkdf2-sha256\$100000\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('same password', a)).toBe(true);
    expect(await verifyPassword('same passwore', a)).toBe(false);
    expect(await verifyPassword('same password', 'garbage')).toBe(false);
  });
});
