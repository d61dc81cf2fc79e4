import { DurableObject } from 'cloudflare:workers';

/** After expiry a token is refused by its own `exp`; keep the record a little longer to cover clock skew. */
const RETENTION_AFTER_EXPIRY_MS = 60_000;
/** A redeemed code is remembered well past its expiry, so that a late replay still revokes what it issued. */
const CODE_RETENTION_MS = 60 * 60_000;

export type CodeRedemption =
  | { outcome: 'redeemed'; record: string }
  | { outcome: 'reused'; record: string }
  | { outcome: 'expired' | 'unknown' };

export type FamilyState = { state: 'active'; grant: string; expiresAt: number } | { state: 'revoked' | 'expired' | 'unknown' };

export type Rotation = 'rotated' | 'replayed' | 'revoked' | 'expired' | 'unknown';

interface FamilyRow extends Record<string, SqlStorageValue> {
  token_hash: string;
  revoked: number;
  grant: string;
  expires_at: number;
  retain_until: number;
}

/**
 * The one-time ledger. Each object serves one purpose, named by the caller: an initial access token
 * (`iat:<jti>`), an authorization code (`code:<hash>`) or a refresh-token family (`family:<id>`).
 * Every check-and-write is synchronous SQLite work with no `await` in between, so requests to one object
 * never interleave inside it. The RPC interface is append-only: a newly deployed Worker may talk to an
 * older object for a while.
 */
export class Ledger extends DurableObject {
  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env as never);
    this.createTables();
  }

  private createTables(): void {
    const sql = this.ctx.storage.sql;
    sql.exec('CREATE TABLE IF NOT EXISTS consumption (id INTEGER PRIMARY KEY CHECK (id = 1), consumed_at INTEGER NOT NULL)');
    sql.exec(
      `CREATE TABLE IF NOT EXISTS code (id INTEGER PRIMARY KEY CHECK (id = 1), code_hash TEXT NOT NULL, record TEXT NOT NULL,
         expires_at INTEGER NOT NULL, redeemed_at INTEGER)`,
    );
    sql.exec(
      `CREATE TABLE IF NOT EXISTS family (id INTEGER PRIMARY KEY CHECK (id = 1), token_hash TEXT NOT NULL,
         generation INTEGER NOT NULL, revoked INTEGER NOT NULL, grant TEXT NOT NULL,
         expires_at INTEGER NOT NULL, retain_until INTEGER NOT NULL)`,
    );
  }

  /**
   * Marks the token used. Returns true to exactly one caller ever; every other call gets false.
   * The check and the write are one synchronous SQLite statement, so no other request interleaves.
   */
  async consume(now: number, expiresAt: number): Promise<boolean> {
    const { rowsWritten } = this.ctx.storage.sql.exec(
      'INSERT INTO consumption (id, consumed_at) VALUES (1, ?) ON CONFLICT (id) DO NOTHING',
      now,
    );
    if (rowsWritten !== 1) return false;
    await this.extendAlarm(expiresAt + RETENTION_AFTER_EXPIRY_MS);
    return true;
  }

  /**
   * Stores an authorization code (its hash) and its grant in the grant's object, which later holds the grant's
   * refresh-token family too: the code exchange then finds its object made. False if this grant has a code already.
   */
  async issueCode(codeHash: string, record: string, expiresAt: number): Promise<boolean> {
    const { rowsWritten } = this.ctx.storage.sql.exec(
      'INSERT INTO code (id, code_hash, record, expires_at) VALUES (1, ?, ?, ?) ON CONFLICT (id) DO NOTHING',
      codeHash,
      record,
      expiresAt,
    );
    if (rowsWritten !== 1) return false;
    await this.extendAlarm(expiresAt + CODE_RETENTION_MS);
    return true;
  }

  /**
   * Redeems the code: `redeemed` exactly once; later calls learn it was `reused` (and what it granted).
   * A wrong code for this grant is `unknown` and changes nothing.
   */
  async redeemCode(presentedHash: string, now: number): Promise<CodeRedemption> {
    const sql = this.ctx.storage.sql;
    const row = sql
      .exec<{ code_hash: string; record: string; expires_at: number; redeemed_at: number | null }>('SELECT * FROM code')
      .toArray()[0];
    if (!row || row.code_hash !== presentedHash) return { outcome: 'unknown' };
    if (row.redeemed_at !== null) return { outcome: 'reused', record: row.record };
    if (now >= row.expires_at) return { outcome: 'expired' };
    sql.exec('UPDATE code SET redeemed_at = ?', now);
    return { outcome: 'redeemed', record: row.record };
  }

  /**
   * Starts a refresh-token family with its first token. False when the family was revoked first (a replayed
   * code can revoke it before the first redemption has finished issuing).
   */
  async startFamily(tokenHash: string, grant: string, expiresAt: number, retainUntil: number): Promise<boolean> {
    const { rowsWritten } = this.ctx.storage.sql.exec(
      `INSERT INTO family (id, token_hash, generation, revoked, grant, expires_at, retain_until)
       VALUES (1, ?, 1, 0, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
      tokenHash,
      grant,
      expiresAt,
      retainUntil,
    );
    if (rowsWritten !== 1) return false;
    await this.extendAlarm(retainUntil);
    return true;
  }

  async familyState(now: number): Promise<FamilyState> {
    const row = this.family();
    if (!row) return { state: 'unknown' };
    if (row.revoked) return { state: 'revoked' };
    if (now >= row.expires_at) return { state: 'expired' };
    return { state: 'active', grant: row.grant, expiresAt: row.expires_at };
  }

  /** The family as seen through one refresh token: `unknown` unless that token is the current one. */
  async refreshTokenState(presentedHash: string, now: number): Promise<FamilyState> {
    const row = this.family();
    if (row && !row.revoked && row.token_hash !== presentedHash) return { state: 'unknown' };
    return this.familyState(now);
  }

  /**
   * Compare-and-swap of the family's current refresh token. Presenting anything but the current token
   * (a rotated one replayed, or the loser of two concurrent uses) revokes the whole family.
   */
  async rotateRefreshToken(
    presentedHash: string,
    nextHash: string,
    now: number,
    expiresAt: number,
    retainUntil: number,
  ): Promise<Rotation> {
    const row = this.family();
    if (!row) return 'unknown';
    if (row.revoked) return 'revoked';
    if (row.token_hash !== presentedHash) {
      this.ctx.storage.sql.exec('UPDATE family SET revoked = 1');
      return 'replayed';
    }
    if (now >= row.expires_at) return 'expired';
    const retain = Math.max(row.retain_until, retainUntil);
    this.ctx.storage.sql.exec(
      'UPDATE family SET token_hash = ?, generation = generation + 1, expires_at = ?, retain_until = ?',
      nextHash,
      expiresAt,
      retain,
    );
    await this.extendAlarm(retain);
    return 'rotated';
  }

  /** Revokes the family, leaving a tombstone until `retainUntil` if it had not started yet. */
  async revokeFamily(retainUntil: number): Promise<void> {
    this.ctx.storage.sql.exec(
      `INSERT INTO family (id, token_hash, generation, revoked, grant, expires_at, retain_until)
       VALUES (1, '', 0, 1, '{}', 0, ?)
       ON CONFLICT (id) DO UPDATE SET revoked = 1, retain_until = max(retain_until, excluded.retain_until)`,
      retainUntil,
    );
    await this.extendAlarm(this.family()!.retain_until);
  }

  /** Past expiry the token is dead anyway: drop the object's state. */
  override async alarm(): Promise<void> {
    await this.ctx.storage.deleteAll();
    // deleteAll drops the tables too, and this instance may still get a late call: answer it with "unknown".
    this.createTables();
  }

  /** One object may hold a code and a family: clean up only when the last of them may go. */
  private async extendAlarm(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current < at) await this.ctx.storage.setAlarm(at);
  }

  private family(): FamilyRow | undefined {
    return this.ctx.storage.sql.exec<FamilyRow>('SELECT * FROM family').toArray()[0];
  }
}
