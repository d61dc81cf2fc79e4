import { invalidRequest } from '../errors';

/** A parsed application/x-www-form-urlencoded body. */
export type Form = ReadonlyMap<string, string>;

/**
 * RFC 6749 3.1/3.2: parameters must not be included more than once; a repeated one is refused rather than guessed
 * at, empty copies included (`client_secret=&client_secret=...`). Empty values count as absent (RFC 6749 3.1).
 */
export function parseForm(body: string): Form {
  const form = new Map<string, string>();
  const seen = new Set<string>();
  for (const [key, value] of new URLSearchParams(body)) {
    if (seen.has(key)) throw invalidRequest(`parameter "${key}" is repeated`);
    seen.add(key);
    if (value !== '') form.set(key, value);
  }
  return form;
}

export function requireParam(form: Form, name: string): string {
  const value = form.get(name);
  if (value === undefined) throw invalidRequest(`parameter "${name}" is required`);
  return value;
}
