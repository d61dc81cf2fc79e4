import type { Context } from 'hono';
import type { AppEnv } from './types';
import { OAuthError } from '../errors';
import { InvalidInput, type InputIssue } from '../admin/input';
import type { Resource, View } from '../admin/resources';
import { etagOf } from './admin-http';

/** How console form posts turn into admin operations, and refusals back into the form. */

export type Attempt<T> = { done: T } | { refused: { issues: InputIssue[]; message?: string; status: 400 | 404 | 409 } };

/** Runs an operation from a form; invalid input and conflicts come back to show with the form. */
export async function attempt<T>(operation: () => Promise<T>): Promise<Attempt<T>> {
  try {
    return { done: await operation() };
  } catch (error) {
    if (error instanceof InvalidInput) return { refused: { issues: error.issues, status: 400 } };
    if (error instanceof OAuthError && (error.status === 409 || error.status === 404)) {
      return { refused: { issues: [], message: error.description, status: error.status } };
    }
    throw error;
  }
}

/** The form's hidden `etag`: the version the admin saw when the edit form was drawn. */
export const ETAG_FIELD = 'etag';

/**
 * Replaces a resource from a posted edit form, if it is still the version the form was drawn from (the console's
 * If-Match): otherwise a conflict, and nothing is written.
 */
export async function replaceSeen<S>(c: Context<AppEnv>, resource: Resource<S>, key: string, input: View): Promise<S> {
  const deps = c.get('deps');
  const current = await resource.read(deps, key);
  const changed = () =>
    new OAuthError('conflict', `${resource.what(key)} was changed by someone else since this form was opened; reload it`, 409);
  if (!current) throw new OAuthError('not_found', `${resource.what(key)} does not exist any more`, 404);
  if ((await etagOf(resource, resource.view(current))) !== c.get('form').get(ETAG_FIELD)) throw changed();
  const result = await resource.replace(deps, { ...input, [resource.keyField]: key }, current);
  if (!('written' in result)) throw changed();
  return result.written;
}
