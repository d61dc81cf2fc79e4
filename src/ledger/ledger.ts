import { DurableObject } from 'cloudflare:workers';
import {
  codeExchangeProblem,
  familyOf,
  redeemedCode,
  refreshProblem,
  type CodeGrant,
  type FamilyGrant,
  type GrantError,
  type PresentedCode,
  type PresentedRefresh,
  type RequestedClaims,
} from '../grant-rules';

/**
 * One ledger shard (src/ledger/shards.ts): a long-lived Durable Object holding the one-time state of many tokens, one
 * row per token or grant. Every check-and-write below is synchronous SQLite work with no `await` between the check
 * and the write, so requests to one shard never interleave inside it: exactly-once per row. A presented token that
 * was never issued finds no row and writes nothing. An alarm sweeps rows past their retention.
 *
 * The RPC interface is append-only: a newly deployed Worker may talk to an older shard for a while, so methods and
 * request fields are only ever added (new fields optional), never changed or removed.
 */

/** A redeemed code is remembered well past its expiry, so that a late replay still revokes what it issued. */
const CODE_MEMORY_MS = 60 * 60_000;
/** A spent or rotated token is kept a little past its expiry, to cover clock skew between isolates. */
const SKEW_MS = 60_000;
/** How often a shard with rows sweeps the expired ones. */
const SWEEP_INTERVAL_MS = 15 * 60_000;
/** Every table of a shard; each row carries `retain_until`, which the sweep goes by. */
const TABLES = ['spent_tokens', 'grants', 'rotated_tokens', 'single_use', 'pushed_requests'] as const;

export type IatConsumption = 'consumed' | 'used' | 'revoked' | 'proof-replayed';

/**
 * A value that must be seen at most once while it is valid, which the server did not mint and so cannot route by
 * (a client assertion's or a DPoP proof's `jti`): its key is a hash that names the shard (src/ledger/shards.ts).
 */
export interface SingleUseRequest {
  /** Hex SHA-256 of the value with its namespace (src/ledger/client.ts). */
  keyHash: string;
  /** The value is refused anyway after this (ms since epoch); its row is kept a little longer. */
  expiresAt: number;
}

export type SingleUse = 'first' | 'replayed';

/** A pushed authorization request (RFC 9126): its parameters, kept until its `request_uri` is used once or expires. */
export interface PushedRequestStorage {
  requestId: string;
  /** Hex SHA-256 of the secret half of the `request_uri`. */
  secretHash: string;
  /** The client that pushed it: the only one that may use it. */
  clientId: string;
  params: [string, string][];
  expiresAt: number;
}

export interface PushedRequestTaking {
  requestId: string;
  secretHash: string;
  clientId: string;
  now: number;
}

/** `other-client` leaves the request as it was: only its own client's use spends it. */
export type PushedRequestTake =
  | { outcome: 'taken'; params: [string, string][] }
  | { outcome: 'other-client' }
  | { outcome: 'used' }
  | { outcome: 'expired' }
  | { outcome: 'unknown' };

interface PushedRequestRow extends Record<string, SqlStorageValue> {
  secret_hash: string;
  client_id: string;
  params: string;
  expires_at: number;
  used_at: number | null;
}

export interface IatConsumptionRequest {
  jti: string;
  /** The grant the token belongs to: revoking it (RFC 7009) kills the token before its first use too. */
  grantId: string;
  now: number;
  expiresAt: number;
  /**
   * The DPoP proof presented with a DPoP-bound IAT, spent in the same step (its `ath` names this IAT, so it can only
   * ever be replayed to this shard): a replayed proof spends nothing.
   */
  proof?: SingleUseRequest;
}

export interface CodeIssueRequest {
  grantId: string;
  codeHash: string;
  code: CodeGrant;
  expiresAt: number;
}

export interface CodeRedemptionRequest extends PresentedCode {
  grantId: string;
  codeHash: string;
  now: number;
  /**
   * The family the code starts: its first refresh token (null when the client has no refresh capability), and the
   * thumbprint of the DPoP key its refresh tokens are bound to, if they are.
   */
  family: { tokenHash: string | null; expiresAt: number; retainUntil: number; jkt?: string };
}

export type CodeRedemption =
  | { outcome: 'redeemed'; code: CodeGrant }
  /** Its own client presented a redeemed code again: the grant is revoked now. */
  | { outcome: 'reused' }
  | ({ outcome: 'refused' } & GrantError)
  | { outcome: 'unknown' };

export interface RotationRequest extends PresentedRefresh {
  grantId: string;
  presentedHash: string;
  nextHash: string;
  now: number;
  expiresAt: number;
  retainUntil: number;
}

export type Rotation =
  | { outcome: 'rotated'; grant: FamilyGrant; scope: string[] }
  /** A token rotated out of this family came back: the family is revoked now. */
  | { outcome: 'replayed' }
  | ({ outcome: 'refused' } & GrantError)
  | { outcome: 'unknown' };

/** What userinfo needs of an access token's grant: whether it is revoked, and the claims it asked for by name. */
export interface GrantStatus {
  revoked: boolean;
  claims?: RequestedClaims;
}

export type RefreshTokenStatus = { active: true; grant: FamilyGrant; expiresAt: number } | { active: false };

export type RefreshTokenRevocation = 'revoked' | 'other-client' | 'unknown';

interface GrantRow extends Record<string, SqlStorageValue> {
  grant_id: string;
  code_hash: string | null;
  code: string | null;
  code_expires_at: number | null;
  code_redeemed_at: number | null;
  family: string | null;
  token_hash: string | null;
  expires_at: number | null;
  revoked: number;
  retain_until: number;
}

export class Ledger extends DurableObject {
  private sweepScheduled = false;

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env as never);
    const sql = ctx.storage.sql;
    sql.exec('CREATE TABLE IF NOT EXISTS spent_tokens (jti TEXT PRIMARY KEY, retain_until INTEGER NOT NULL)');
    sql.exec(
      `CREATE TABLE IF NOT EXISTS grants (
         grant_id TEXT PRIMARY KEY, code_hash TEXT, code TEXT, code_expires_at INTEGER, code_redeemed_at INTEGER,
         family TEXT, token_hash TEXT, expires_at INTEGER, revoked INTEGER NOT NULL DEFAULT 0, retain_until INTEGER NOT NULL)`,
    );
    sql.exec(
      'CREATE TABLE IF NOT EXISTS rotated_tokens (token_hash TEXT PRIMARY KEY, grant_id TEXT NOT NULL, retain_until INTEGER NOT NULL)',
    );
    sql.exec('CREATE TABLE IF NOT EXISTS single_use (key_hash TEXT PRIMARY KEY, retain_until INTEGER NOT NULL)');
    sql.exec(
      `CREATE TABLE IF NOT EXISTS pushed_requests (
         request_id TEXT PRIMARY KEY, secret_hash TEXT NOT NULL, client_id TEXT NOT NULL, params TEXT NOT NULL,
         expires_at INTEGER NOT NULL, used_at INTEGER, retain_until INTEGER NOT NULL)`,
    );
    for (const table of TABLES) {
      sql.exec(`CREATE INDEX IF NOT EXISTS ${table}_by_retention ON ${table} (retain_until)`);
    }
  }

  /** Spends an initial access token: `consumed` exactly once per `jti`, unless its grant was revoked first. */
  async consumeInitialAccessToken(request: IatConsumptionRequest): Promise<IatConsumption> {
    if (this.grant(request.grantId)?.revoked) return 'revoked';
    if (request.proof && !this.firstUse(request.proof)) return 'proof-replayed';
    const inserted = this.ctx.storage.sql.exec(
      'INSERT INTO spent_tokens (jti, retain_until) VALUES (?, ?) ON CONFLICT DO NOTHING RETURNING jti',
      request.jti,
      request.expiresAt + SKEW_MS,
    );
    // RETURNING, not rowsWritten: that counts the index entries written too.
    if (inserted.toArray().length !== 1) return 'used';
    await this.scheduleSweep();
    return 'consumed';
  }

  /** Records a value's first use: `first` exactly once per key while its row is kept, `replayed` after. */
  async useOnce(request: SingleUseRequest): Promise<SingleUse> {
    if (!this.firstUse(request)) return 'replayed';
    await this.scheduleSweep();
    return 'first';
  }

  /** Stores a new grant's authorization code (its hash). False when the grant id is taken. */
  async issueCode(request: CodeIssueRequest): Promise<boolean> {
    const inserted = this.ctx.storage.sql.exec(
      `INSERT INTO grants (grant_id, code_hash, code, code_expires_at, retain_until) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT DO NOTHING RETURNING grant_id`,
      request.grantId,
      request.codeHash,
      JSON.stringify(request.code),
      request.expiresAt,
      request.expiresAt + CODE_MEMORY_MS,
    );
    if (inserted.toArray().length !== 1) return false;
    await this.scheduleSweep();
    return true;
  }

  /**
   * Redeems a code and starts its family, in one step. Only the code's own client presenting it again counts as
   * reuse (and revokes the grant); every other refusal leaves the code as it was.
   */
  async redeemCode(request: CodeRedemptionRequest): Promise<CodeRedemption> {
    const row = this.grant(request.grantId);
    if (!row || row.code_hash === null || row.code_hash !== request.codeHash) return { outcome: 'unknown' };
    const code = JSON.parse(row.code!) as CodeGrant;
    if (code.clientId !== request.clientId)
      return { outcome: 'refused', error: 'invalid_grant', description: 'the authorization code was issued to another client' };
    if (row.code_redeemed_at !== null) {
      this.ctx.storage.sql.exec('UPDATE grants SET revoked = 1 WHERE grant_id = ?', request.grantId);
      return { outcome: 'reused' };
    }
    if (row.revoked || request.now >= row.code_expires_at!) return { outcome: 'unknown' };
    const problem = codeExchangeProblem(code, request);
    if (problem) return { outcome: 'refused', ...problem };

    const { family } = request;
    const retainUntil = Math.max(row.retain_until, family.retainUntil);
    this.ctx.storage.sql.exec(
      `UPDATE grants SET code_redeemed_at = ?, code = ?, family = ?, token_hash = ?, expires_at = ?, retain_until = ? WHERE grant_id = ?`,
      request.now,
      JSON.stringify(redeemedCode(code)),
      JSON.stringify(familyOf(code, family.jkt)),
      family.tokenHash,
      family.expiresAt,
      retainUntil,
      request.grantId,
    );
    await this.scheduleSweep();
    return { outcome: 'redeemed', code };
  }

  /**
   * Compare-and-swap of the family's current refresh token. A token rotated out of this family coming back from its
   * own client revokes the family (RFC 9700 4.14.2); anything never issued for it changes nothing.
   */
  async rotateRefreshToken(request: RotationRequest): Promise<Rotation> {
    const row = this.grant(request.grantId);
    if (!row || row.family === null) return { outcome: 'unknown' };
    const current = row.token_hash !== null && row.token_hash === request.presentedHash;
    if (!current && !this.rotatedOut(request.grantId, request.presentedHash)) return { outcome: 'unknown' };
    const family = JSON.parse(row.family) as FamilyGrant;
    if (family.clientId !== request.clientId) {
      return { outcome: 'refused', error: 'invalid_grant', description: 'the refresh token was issued to another client' };
    }
    if (row.revoked) return { outcome: 'unknown' };
    if (!current) {
      this.ctx.storage.sql.exec('UPDATE grants SET revoked = 1 WHERE grant_id = ?', request.grantId);
      return { outcome: 'replayed' };
    }
    if (request.now >= row.expires_at!) return { outcome: 'unknown' };
    const checked = refreshProblem(family, request);
    if ('error' in checked) return { outcome: 'refused', ...checked };

    const retainUntil = Math.max(row.retain_until, request.retainUntil);
    const sql = this.ctx.storage.sql;
    sql.exec(
      'INSERT INTO rotated_tokens (token_hash, grant_id, retain_until) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
      request.presentedHash,
      request.grantId,
      row.expires_at! + SKEW_MS,
    );
    sql.exec(
      'UPDATE grants SET token_hash = ?, expires_at = ?, retain_until = ? WHERE grant_id = ?',
      request.nextHash,
      request.expiresAt,
      retainUntil,
      request.grantId,
    );
    await this.scheduleSweep();
    return { outcome: 'rotated', grant: family, scope: checked.scope };
  }

  /** Stores a pushed authorization request (the secret's hash only). False when the id is taken. */
  async pushAuthorizationRequest(request: PushedRequestStorage): Promise<boolean> {
    const inserted = this.ctx.storage.sql.exec(
      `INSERT INTO pushed_requests (request_id, secret_hash, client_id, params, expires_at, retain_until) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT DO NOTHING RETURNING request_id`,
      request.requestId,
      request.secretHash,
      request.clientId,
      JSON.stringify(request.params),
      request.expiresAt,
      request.expiresAt + SKEW_MS,
    );
    if (inserted.toArray().length !== 1) return false;
    await this.scheduleSweep();
    return true;
  }

  /**
   * Takes a pushed request for its own client, once (RFC 9126 4: single use). The row stays, marked used, until it is
   * swept, so that a second use is told apart from a guess.
   */
  async takePushedRequest(request: PushedRequestTaking): Promise<PushedRequestTake> {
    const row = this.ctx.storage.sql
      .exec<PushedRequestRow>('SELECT * FROM pushed_requests WHERE request_id = ?', request.requestId)
      .toArray()[0];
    if (!row || row.secret_hash !== request.secretHash) return { outcome: 'unknown' };
    if (row.client_id !== request.clientId) return { outcome: 'other-client' };
    if (row.used_at !== null) return { outcome: 'used' };
    if (request.now >= row.expires_at) return { outcome: 'expired' };
    this.ctx.storage.sql.exec('UPDATE pushed_requests SET used_at = ? WHERE request_id = ?', request.now, request.requestId);
    return { outcome: 'taken', params: JSON.parse(row.params) as [string, string][] };
  }

  /** Whether the grant has been revoked; its access tokens are dead then. */
  async isGrantRevoked(request: { grantId: string }): Promise<boolean> {
    return this.grant(request.grantId)?.revoked === 1;
  }

  /** Whether the grant is revoked, and the claims its family asked for (a grant without a family asked for none). */
  async grantStatus(request: { grantId: string }): Promise<GrantStatus> {
    const row = this.grant(request.grantId);
    const claims = row?.family ? (JSON.parse(row.family) as FamilyGrant).claims : undefined;
    return { revoked: row?.revoked === 1, ...(claims === undefined ? {} : { claims }) };
  }

  /** The grant behind a refresh token while that token is its family's current one and neither expired nor revoked. */
  async refreshTokenStatus(request: { grantId: string; tokenHash: string; now: number }): Promise<RefreshTokenStatus> {
    const row = this.grant(request.grantId);
    if (!row || row.revoked || row.family === null || row.token_hash !== request.tokenHash || request.now >= row.expires_at!) {
      return { active: false };
    }
    return { active: true, grant: JSON.parse(row.family), expiresAt: row.expires_at! };
  }

  /**
   * Revokes a grant named by one of its access tokens (signed, so issued by us): a grant that has no row yet (a
   * client_credentials token's) gets a tombstone that lasts as long as its tokens might.
   */
  async revokeGrant(request: { grantId: string; retainUntil: number }): Promise<void> {
    this.ctx.storage.sql.exec(
      `INSERT INTO grants (grant_id, revoked, retain_until) VALUES (?, 1, ?)
       ON CONFLICT (grant_id) DO UPDATE SET revoked = 1, retain_until = max(retain_until, excluded.retain_until)`,
      request.grantId,
      request.retainUntil,
    );
    await this.scheduleSweep();
  }

  /** RFC 7009 for a refresh token: revokes its grant if it is the family's current token and the caller's. */
  async revokeRefreshToken(request: { grantId: string; tokenHash: string; clientId: string }): Promise<RefreshTokenRevocation> {
    const row = this.grant(request.grantId);
    if (!row || row.revoked || row.family === null || row.token_hash !== request.tokenHash) return 'unknown';
    if ((JSON.parse(row.family) as FamilyGrant).clientId !== request.clientId) return 'other-client';
    this.ctx.storage.sql.exec('UPDATE grants SET revoked = 1 WHERE grant_id = ?', request.grantId);
    return 'revoked';
  }

  /** Readiness (GET /health/ready): the shard answers. Reads and writes nothing. */
  async ping(): Promise<void> {}

  /** Drops every row past its retention; keeps sweeping while rows remain. */
  override async alarm(): Promise<void> {
    const sql = this.ctx.storage.sql;
    const now = Date.now();
    let remaining = 0;
    for (const table of TABLES) {
      sql.exec(`DELETE FROM ${table} WHERE retain_until < ?`, now);
      remaining += sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`).one().n;
    }
    this.sweepScheduled = remaining > 0;
    if (this.sweepScheduled) await this.ctx.storage.setAlarm(now + SWEEP_INTERVAL_MS);
  }

  /** One alarm per shard, set by the first write after a sweep found the shard empty. */
  private async scheduleSweep(): Promise<void> {
    if (this.sweepScheduled) return;
    this.sweepScheduled = true;
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + SWEEP_INTERVAL_MS);
  }

  /** Inserts a single-use key: true the first time. */
  private firstUse(request: SingleUseRequest): boolean {
    const inserted = this.ctx.storage.sql.exec(
      'INSERT INTO single_use (key_hash, retain_until) VALUES (?, ?) ON CONFLICT DO NOTHING RETURNING key_hash',
      request.keyHash,
      request.expiresAt + SKEW_MS,
    );
    return inserted.toArray().length === 1;
  }

  private grant(grantId: string): GrantRow | undefined {
    return this.ctx.storage.sql.exec<GrantRow>('SELECT * FROM grants WHERE grant_id = ?', grantId).toArray()[0];
  }

  private rotatedOut(grantId: string, tokenHash: string): boolean {
    return (
      this.ctx.storage.sql.exec('SELECT 1 FROM rotated_tokens WHERE token_hash = ? AND grant_id = ?', tokenHash, grantId).toArray().length >
      0
    );
  }
}
