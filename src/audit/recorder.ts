import type { AuditEvent, AuditEventType, AuditSubjects } from '../model';
import type { AuditStore, KeyActivation } from '../store/store';
import { auditEventView } from '../admin/views';
import { logLine } from '../log';

/**
 * The audit events of one request (README "Operating"). Each is logged when it happens and stored with the others in
 * one D1 write after the response, off its path (docs/architecture.md, "Round trips"): no endpoint waits for the trail.
 */
export interface AuditRecorder {
  record(type: AuditEventType, subjects?: AuditSubjects): void;
  /** A token is being signed with this key: the first signature anywhere is `signing_key.activated`. */
  signedWith(key: { kid: string; alg: string }): void;
}

export interface RequestAudit extends AuditRecorder {
  /** Stores what the request recorded; called once, when the response is ready. */
  flush(): void;
}

const DAY_MS = 86_400_000;

/**
 * Keys this isolate has put forward as activated. The store records each key once ever; this only saves the write
 * for every later signature. Should that write fail, another isolate records the key.
 */
const keysPutForward = new Set<string>();

export function requestAudit(context: {
  store: AuditStore;
  requestId: string;
  ip: string | null;
  now: number;
  retentionDays: number;
  background(what: string, work: Promise<unknown>): void;
}): RequestAudit {
  const events: AuditEvent[] = [];
  const activations: KeyActivation[] = [];
  const eventOf = (type: AuditEventType, subjects: AuditSubjects = {}): AuditEvent => ({
    type,
    at: context.now,
    requestId: context.requestId,
    ip: context.ip,
    clientId: subjects.clientId ?? null,
    template: subjects.template ?? null,
    username: subjects.username ?? null,
    subject: subjects.subject ?? null,
    details: subjects.details ?? {},
  });
  return {
    record(type, subjects) {
      const event = eventOf(type, subjects);
      events.push(event);
      logEvent(event);
    },
    signedWith({ kid, alg }) {
      if (keysPutForward.has(kid)) return;
      keysPutForward.add(kid);
      activations.push({ kid, alg, event: eventOf('signing_key.activated', { details: { kid, alg } }) });
    },
    flush() {
      if (events.length === 0 && activations.length === 0) return;
      const retainAfter = context.now - context.retentionDays * DAY_MS;
      const stored = context.store.append(events, activations, retainAfter).then((activated) => activated.forEach(logEvent));
      context.background('storing audit events', stored);
    },
  };
}

const logEvent = (event: AuditEvent) => logLine('audit', auditEventView(event));
