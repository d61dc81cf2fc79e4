import type { MiddlewareHandler } from 'hono';
import type { z } from 'zod';
import type { AppEnv } from './types';
import { OAuthError, invalidRequest, invalidToken } from '../errors';
import { bearerToken } from '../http';
import { secretsEqual } from '../tokens/secrets';
import { describeIssues } from '../admin/schemas';

/** Pieces every admin sub-app shares: the admin token check, body validation, 404 and 409 answers. */

export const requireAdminToken: MiddlewareHandler<AppEnv> = async (c, next) => {
  // ADMIN_TOKEN is present and long enough: checked with the rest of the configuration (src/configuration.ts).
  if (!(await secretsEqual(bearerToken(c), c.env.ADMIN_TOKEN))) throw invalidToken('admin token required');
  await next();
};

export const notFound = (what: string) => new OAuthError('not_found', `${what} does not exist`, 404);
export const conflict = (what: string) => new OAuthError('conflict', `${what} exists already`, 409);

/** The body validated by `schema`; a mismatched path/body key is refused rather than silently ignored. */
export async function validBody<S extends z.ZodTypeAny>(
  body: Promise<Record<string, unknown>>,
  schema: S,
  key?: { field: string; value: string },
): Promise<z.infer<S>> {
  const input = await body;
  if (key) {
    if (input[key.field] !== undefined && input[key.field] !== key.value) {
      throw invalidRequest(`${key.field}: must match the path ("${key.value}")`);
    }
    input[key.field] = key.value;
  }
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw invalidRequest(describeIssues(parsed.error));
  return parsed.data;
}
