import type { Client } from '../oauth/client';
import type { Form } from '../oauth/form';
import type { Settings } from '../env';
import type { KeySet } from '../tokens/keys';
import type { OneTimeLedger } from '../ledger/client';
import type { StoredUser } from '../model';
import type { AuditRecorder } from '../audit/recorder';
import type { Limits } from '../limits/rate-limits';
import type { Subjects } from '../oauth/subjects';

/** What every grant handler gets: plain values, no HTTP framework. */
export interface GrantDeps {
  keys: KeySet;
  ledger: OneTimeLedger;
  settings: Settings;
  issuer: string;
  now: number;
  audit: AuditRecorder;
  limits: Limits;
  subjects: Subjects;
}

export interface TokenResponse {
  access_token: string;
  /** `DPoP` for a token bound to the key of the request's proof (RFC 9449 5). */
  token_type: 'bearer' | 'DPoP';
  expires_in: number;
  scope?: string;
  refresh_token?: string;
  id_token?: string;
}

export interface GrantHandler {
  /**
   * The user a grant names before the ledger is asked (a refresh token carries its subject), read together with the
   * client in the token endpoint's one storage round trip (a pairwise `sub` opened first: no storage).
   */
  userSubject?: (form: Form, subjects: Subjects) => Promise<string | undefined>;
  /**
   * `user`: the one `userSubject` named, or null when it named none or no such user exists. `dpopJkt`: the thumbprint
   * of the key of the request's DPoP proof (checked and spent), which the access token is then bound to.
   */
  issue(deps: GrantDeps, client: Client, form: Form, user: StoredUser | null, dpopJkt?: string): Promise<TokenResponse>;
}
