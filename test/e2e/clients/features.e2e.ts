import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { e2e } from '../context';

/**
 * README's "What it speaks" table against the built Worker's discovery document: every metadata name the table
 * gives is announced, and what the rows claim of their values holds.
 */
const README = readFileSync(resolve(import.meta.dirname, '../../../README.md'), 'utf8');

function featureRows(): { standard: string; names: string[] }[] {
  const table = /<!-- features: begin -->\n([\s\S]*?)<!-- features: end -->/.exec(README)?.[1];
  if (!table) throw new Error('README has no features table');
  return table
    .trim()
    .split('\n')
    .slice(2)
    .map((line) => {
      const [, standard, , discovery] = line.split('|').map((cell) => cell.trim());
      return { standard: standard!, names: [...discovery!.matchAll(/`([a-z_]+)`/g)].map((match) => match[1]!) };
    });
}

describe("README's feature table", () => {
  it('names only metadata that discovery announces, for every line', async () => {
    const metadata = (await (await fetch(`${e2e.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    const rows = featureRows();
    expect(rows.length).toBeGreaterThan(10);
    const unannounced = rows.flatMap(({ standard, names }) =>
      names.filter((name) => metadata[name] === undefined || metadata[name] === false).map((name) => `${standard}: ${name}`),
    );
    expect(unannounced).toEqual([]);

    // What the rows say of the values.
    expect(metadata.response_types_supported).toEqual(['code']);
    expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
    expect(metadata.token_endpoint_auth_methods_supported).toContain('private_key_jwt');
    expect(metadata.subject_types_supported).toEqual(['public', 'pairwise']);
    expect(metadata.claims_supported).toEqual(expect.arrayContaining(['acr', 'amr']));
    expect(metadata.grant_types_supported).toEqual(['client_credentials', 'authorization_code', 'refresh_token']);
  });
});
