import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';

/** The running e2e server (see global-setup.ts), as the tests see it. */
export const e2e = inject('e2e');
export const issuer = new URL(e2e.issuer);

/** The fixed names of docs/flow.md, seeded by server.ts. */
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

/**
 * A new template that `server` may register instances of, under a unique name: tests that change a template
 * use their own, since docs/flow.md's template-client is shared by tests running at the same time.
 */
export async function createTemplate(kind: string, config: Record<string, unknown>) {
  const template = {
    name: `${kind}-${randomUUID().slice(0, 8)}`,
    registration: { mode: 'clients', allowed_clients: [REGISTRAR] },
    ...config,
  };
  const res = await admin('POST', '/templates', template);
  if (res.status !== 201) throw new Error(`creating template ${template.name} answered ${res.status}: ${await res.text()}`);
  return template;
}
