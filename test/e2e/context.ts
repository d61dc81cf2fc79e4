import { inject } from 'vitest';

/** The running e2e server (see global-setup.ts), as the tests see it. */
export const e2e = inject('e2e');
export const issuer = new URL(e2e.issuer);

/** SPEC.md's fixed names, seeded by server.ts. */
export const REGISTRAR = 'server';
export const TEMPLATE = 'template-client';
export const REDIRECT_URI = 'https://localhost/callback';

/** A call to the admin API; the body is JSON. */
export function admin(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${e2e.issuer}/admin/v1${path}`, {
    method,
    headers: { Authorization: `Bearer ${e2e.adminToken}`, 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}
