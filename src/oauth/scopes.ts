import { invalidScope } from '../errors';

/** RFC 6749 3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ) */
export const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/** The scope of an initial access token: lets its holder register one instance. */
export const DCR_SCOPE = 'dcr';

/** Parses a `scope` parameter into distinct tokens, in order. */
export function parseScope(scope: string): string[] {
  const tokens = scope.split(' ');
  if (tokens.some((token) => !SCOPE_TOKEN.test(token))) {
    throw invalidScope('scope must be scope tokens separated by single spaces');
  }
  return [...new Set(tokens)];
}

/** The requested scopes when all are allowed, else `invalid_scope` naming the first that is not. */
export function requireAllowed(requested: readonly string[], allowed: readonly string[]): string[] {
  const refused = requested.find((scope) => !allowed.includes(scope));
  if (refused !== undefined) throw invalidScope(`scope "${refused}" is not allowed for this client`);
  return [...requested];
}
