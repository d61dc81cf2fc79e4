import { DurableObject } from 'cloudflare:workers';

/** After expiry a token is refused by its own `exp`; keep the record a little longer to cover clock skew. */
const RETENTION_AFTER_EXPIRY_MS = 60_000;

/**
 * The one-time ledger: one object per one-time token (named by the caller, e.g. `iat:<jti>`).
 * Its RPC interface is append-only: a newly deployed Worker may talk to an older object for a while.
 */
export class Ledger extends DurableObject {
  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env as never);
    ctx.storage.sql.exec(
      'CREATE TABLE IF NOT EXISTS consumption (id INTEGER PRIMARY KEY CHECK (id = 1), consumed_at INTEGER NOT NULL)',
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
    await this.ctx.storage.setAlarm(expiresAt + RETENTION_AFTER_EXPIRY_MS);
    return true;
  }

  /** Past expiry the token is dead anyway: drop the object's state. */
  override async alarm(): Promise<void> {
    await this.ctx.storage.deleteAll();
  }
}
