import type { Context } from 'hono';
import { z } from 'zod';
import type { AppEnv } from './types';
import { OAuthError, invalidRequest } from '../errors';
import { mediaType, parsedJsonObject } from '../http';
import { base64url, sha256 } from '../tokens/secrets';
import { mergePatch } from '../admin/merge-patch';
import { preconditionFailed } from '../admin/input';
import type { Resource, View } from '../admin/resources';
import type { InstancePageRequest, Page, PageRequest } from '../store/store';
import type { InstanceClient } from '../model';

/** HTTP around the admin resources: ETag and If-Match (RFC 9110 13.1.1), merge-patch bodies, cursor pages. */

type Ctx = Context<AppEnv>;

/** A strong validator of what a resource shows, volatile bookkeeping aside (it changes by use, not by an admin). */
export async function etagOf(resource: Pick<Resource<never>, 'volatile'>, view: View): Promise<string> {
  const stable = Object.fromEntries(Object.entries(view).filter(([field]) => !resource.volatile.includes(field)));
  return `"${base64url((await sha256(JSON.stringify(stable))).slice(0, 18))}"`;
}

/**
 * Whether the request was conditional: with If-Match, `current` must exist and (unless `*`) carry one of the named
 * ETags, else 412 Precondition Failed.
 */
export async function checkIfMatch(
  c: Ctx,
  resource: Pick<Resource<never>, 'volatile' | 'what'>,
  key: string,
  current: View | null,
): Promise<boolean> {
  const header = c.req.header('If-Match');
  if (header === undefined) return false;
  if (current === null) throw preconditionFailed(resource.what(key));
  if (header.trim() === '*') return true;
  const tags = header.split(',').map((tag) => tag.trim());
  if (!tags.includes(await etagOf(resource, current))) throw preconditionFailed(resource.what(key));
  return true;
}

/** The resource's representation with its ETag. */
export async function viewWithEtag<S>(c: Ctx, resource: Resource<S>, stored: S, status: 200 | 201 = 200, extra: View = {}) {
  const view = resource.view(stored);
  return c.json({ ...view, ...extra }, status, { ETag: await etagOf(resource, view) });
}

/** An RFC 7396 merge patch body, which must be a JSON object here (every admin resource is one). */
export async function mergePatchBody(c: Ctx): Promise<Record<string, unknown>> {
  if (mediaType(c) !== 'application/merge-patch+json') {
    throw new OAuthError('invalid_request', 'PATCH takes a JSON merge patch (RFC 7396): Content-Type: application/merge-patch+json', 415, {
      'Accept-Patch': 'application/merge-patch+json',
    });
  }
  return parsedJsonObject(c);
}

export const applyPatch = (current: View, patch: Record<string, unknown>) => mergePatch(current, patch) as View;

export const PAGE_LIMIT = { default: 50, max: 200 };

const limitSchema = z.coerce.number().int().min(1).max(PAGE_LIMIT.max).default(PAGE_LIMIT.default);

const encodeCursor = (key: unknown) => base64url(new TextEncoder().encode(JSON.stringify(key)));

function decodeCursor(cursor: string): unknown {
  try {
    const binary = atob(cursor.replace(/-/g, '+').replace(/_/g, '/'));
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (ch) => ch.charCodeAt(0))));
  } catch {
    return undefined;
  }
}

/** `?limit=` (1 to 200, default 50) and `?cursor=` (a page's `next_cursor`, opaque) as a store page request. */
export function pageRequest<K>(c: Ctx, keySchema: z.ZodType<K>): PageRequest<K> {
  const limit = limitSchema.safeParse(c.req.query('limit'));
  if (!limit.success) throw invalidRequest(`limit: must be a whole number from 1 to ${PAGE_LIMIT.max}`);
  const cursor = c.req.query('cursor');
  if (cursor === undefined || cursor === '') return { limit: limit.data };
  const after = keySchema.safeParse(decodeCursor(cursor));
  if (!after.success) throw invalidRequest('cursor: not one this list gave out');
  return { limit: limit.data, after: after.data };
}

/** `{"items": [...], "next_cursor": "..." | null}`: the next page starts after this page's last item. */
export function pageAnswer<T, K, V>(
  page: Page<T>,
  keyOf: (item: T) => K,
  view: (item: T) => V,
): { items: V[]; next_cursor: string | null } {
  const last = page.items.at(-1);
  return { items: page.items.map(view), next_cursor: page.more && last !== undefined ? encodeCursor(keyOf(last)) : null };
}

/**
 * A page of a template's instances: in issue order (the cursor carries issue time and client id), or while searching
 * (`?q=` a client id prefix) in client id order.
 */
export function instancePageRequest(c: Ctx): { search: string; request: InstancePageRequest; keyOf: (i: InstanceClient) => unknown } {
  const search = c.req.query('q')?.trim() ?? '';
  if (search) return { search, request: { ...pageRequest(c, z.string()), clientIdPrefix: search }, keyOf: (i) => i.clientId };
  const { limit, after } = pageRequest(c, z.tuple([z.number().int(), z.string()]));
  return {
    search,
    request: { limit, ...(after ? { after: { issuedAt: after[0], clientId: after[1] } } : {}) },
    keyOf: (i) => [i.issuedAt, i.clientId],
  };
}
