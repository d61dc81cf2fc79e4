/**
 * Structured logs, one JSON object a line (Workers Logs indexes their fields; README "Operating"): one `request` line
 * per request (src/request-log.ts), one `error` line per failure the operator must see, `audit` lines for audit events.
 * They carry identifiers only (request, client, user), never a secret, token, code or password.
 */

export function logLine(kind: 'request' | 'error' | 'audit', fields: Record<string, unknown>): void {
  const line = JSON.stringify({ kind, ...fields });
  if (kind === 'error') console.error(line);
  else console.log(line);
}

/** An error with its cause chain, as far as a log line can carry it. */
function describe(error: unknown): unknown {
  if (!(error instanceof Error)) return String(error);
  return {
    name: error.name,
    message: error.message,
    stack: error.stack,
    ...(error.cause === undefined ? {} : { cause: describe(error.cause) }),
  };
}

export function logError(requestId: string, fields: Record<string, unknown>, error?: unknown): void {
  logLine('error', { request_id: requestId, ...fields, ...(error === undefined ? {} : { cause: describe(error) }) });
}
