import type { Client } from '../oauth/client';
import type { Form } from '../oauth/form';
import type { Settings } from '../env';
import type { KeySet } from '../tokens/keys';
import type { OneTimeLedger } from '../ledger/client';

/** What every grant handler gets: plain values, no HTTP framework. */
export interface GrantDeps {
  db: D1Database;
  keys: KeySet;
  ledger: OneTimeLedger;
  settings: Settings;
  issuer: string;
  now: number;
}

export interface TokenResponse {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
  scope?: string;
  refresh_token?: string;
  id_token?: string;
}

export type GrantHandler = (deps: GrantDeps, client: Client, form: Form) => Promise<TokenResponse>;
