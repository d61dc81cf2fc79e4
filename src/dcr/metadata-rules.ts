import { OAuthError, invalidClientMetadata } from '../errors';

/** Rules that templatized and non-templatized registration share (RFC 7591 2 and 3.2.2). */

const SERVER_ASSIGNED = [
  'client_id',
  'client_secret',
  'client_id_issued_at',
  'client_secret_expires_at',
  'registration_access_token',
  'registration_client_uri',
];

/** Fields only the server sets, and software statements, which we do not take. */
export function rejectServerAssigned(metadata: Record<string, unknown>): void {
  for (const field of SERVER_ASSIGNED) {
    if (field in metadata) throw invalidClientMetadata(`${field} is assigned by the server`);
  }
  if ('software_statement' in metadata) {
    throw new OAuthError('invalid_software_statement', 'software statements are not accepted');
  }
}

export function clientNameFrom(metadata: Record<string, unknown>): string | undefined {
  const { client_name } = metadata;
  if (client_name === undefined) return undefined;
  if (typeof client_name !== 'string' || client_name.length === 0 || client_name.length > 200) {
    throw invalidClientMetadata('client_name must be a string of 1 to 200 characters');
  }
  return client_name;
}

export const invalidRedirectUri = (description: string) => new OAuthError('invalid_redirect_uri', description);

export const isStringArray = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === 'string');

export const sameSet = (a: readonly string[], b: readonly string[]) => {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((item) => right.has(item));
};
