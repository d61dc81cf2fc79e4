import type { z } from 'zod';
import { OAuthError } from '../errors';

/** One problem with admin input: the field's dotted path ("" for the whole body) and what is wrong. */
export interface InputIssue {
  path: string;
  message: string;
}

/** `400 invalid_request` naming each bad field; the console shows each issue next to its field. */
export class InvalidInput extends OAuthError {
  constructor(readonly issues: InputIssue[]) {
    super('invalid_request', issues.map((i) => `${i.path || 'body'}: ${i.message}`).join('; '));
  }
}

/** `input` as `schema` parses it, or InvalidInput. */
export function validated<S extends z.ZodTypeAny>(schema: S, input: unknown): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new InvalidInput(parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })));
  }
  return parsed.data;
}

export const notFound = (what: string) => new OAuthError('not_found', `${what} does not exist`, 404);
export const conflict = (what: string) => new OAuthError('conflict', `${what} exists already`, 409);
export const changedMeanwhile = (what: string) => new OAuthError('conflict', `${what} changed meanwhile; read it again`, 409);
export const preconditionFailed = (what: string) =>
  new OAuthError('precondition_failed', `${what} is not at the version If-Match names; read it again`, 412);
