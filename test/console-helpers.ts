import { env } from 'cloudflare:test';
import { expect } from 'vitest';
import type { Fetch } from './helpers';

/** The `name=value` pairs of a response's Set-Cookie headers, ready for a Cookie header. */
export function cookiesOf(res: Response): string[] {
  return res.headers.getSetCookie().map((line) => line.split(';')[0]!);
}

/** The value of the form field `name` in an HTML page (the CSRF token, most often). */
export function fieldValue(html: string, name: string): string {
  const match = new RegExp(`name="${name}"[^>]*value="([^"]*)"|value="([^"]*)"[^>]*name="${name}"`).exec(html);
  if (!match) throw new Error(`no field ${name} in the page`);
  return match[1] ?? match[2]!;
}

export interface ConsoleSession {
  /** The Cookie header a signed-in browser sends. */
  cookie: string;
  /** The CSRF token every console form carries for this session. */
  csrf: string;
}

/** Signs in to the console with the admin token, as the sign-in form does. */
export async function signInToConsole(fetch: Fetch, token = env.ADMIN_TOKEN): Promise<ConsoleSession> {
  const page = await fetch('/admin/sign-in');
  expect(page.status).toBe(200);
  const preCookies = cookiesOf(page);
  const signedIn = await fetch('/admin/sign-in', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: preCookies.join('; ') },
    body: new URLSearchParams({ admin_token: token, csrf_token: fieldValue(await page.text(), 'csrf_token') }).toString(),
    redirect: 'manual',
  });
  expect(signedIn.status).toBe(303);
  const cookie = cookiesOf(signedIn).join('; ');
  const overview = await fetch('/admin/', { headers: { Cookie: cookie } });
  expect(overview.status).toBe(200);
  return { cookie, csrf: fieldValue(await overview.text(), 'csrf_token') };
}

/** A console form post, signed in. */
export const consolePost = (fetch: Fetch, session: ConsoleSession, path: string, fields: Record<string, string> | [string, string][]) =>
  fetch(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: session.cookie },
    body: new URLSearchParams([...(Array.isArray(fields) ? fields : Object.entries(fields)), ['csrf_token', session.csrf]]).toString(),
    redirect: 'manual',
  });
