import type { Env, Settings } from './env';
import { issuerFor, type Configuration } from './configuration';
import { durableLedger, type LedgerPlacement, type OneTimeLedger } from './ledger/client';
import { regionOf, type RequestLocation } from './ledger/shards';
import type { Store } from './store/store';
import { d1Store } from './store/d1';
import type { KeySet } from './tokens/keys';
import { requestAudit, type AuditRecorder, type RequestAudit } from './audit/recorder';
import { requestLimits, type Limits } from './limits/rate-limits';
import type { JWTVerifyGetKey } from 'jose';
import { accessKeySet } from './admin/access';
import { outboundDocuments, type OutboundDocuments } from './outbound/documents';
import { subjectsFor, type Subjects } from './oauth/subjects';
import { dpopNonces, type DPoPNonces } from './oauth/dpop-nonces';

/**
 * Seams for tests: an injected clock, fault injection at the ledger, the outbound fetch (Workers-runtime tests cannot
 * run an HTTP server for client metadata documents; the end-to-end tests use a real one), and Cloudflare Access's keys.
 * Production uses the defaults.
 */
export interface AppOptions {
  clock?: () => number;
  ledger?: (env: Env, placement: LedgerPlacement) => OneTimeLedger;
  /** Cloudflare Access's signing keys; by default the team's published ones, fetched at first use. */
  accessKeys?: JWTVerifyGetKey;
  outboundFetch?: typeof fetch;
}

/** Per-request services. `now` is read once, so every expiry decision in a request uses one clock reading. */
export interface RequestDeps {
  env: Env;
  /** The id of the request's log lines (src/request-log.ts). */
  requestId: string;
  /** The caller's address as Cloudflare saw it; null where there is none (local runs, tests that do not set it). */
  clientIp: string | null;
  /** Runs `work` off the response's path (waitUntil); a failure is logged with the request id, never answered. */
  background(what: string, work: Promise<unknown>): void;
  store: Store;
  settings: Settings;
  issuer: string;
  now: number;
  ledger: OneTimeLedger;
  /** The signing keys; signing with one tells the audit trail (`signing_key.activated`). */
  keys: () => Promise<KeySet>;
  /** The keys Cloudflare Access assertions are checked with, when Access is configured. */
  accessKeys: JWTVerifyGetKey | null;
  audit: RequestAudit;
  limits: Limits;
  /** Documents clients publish (metadata documents, JWK Sets, sector identifiers), fetched and cached per isolate. */
  documents: OutboundDocuments;
  /** The `sub` each client knows a user by: public, or pairwise for its sector. */
  subjects: Subjects;
  /** The server's DPoP nonces at this request's time (RFC 9449 8), stateless. */
  dpopNonces: DPoPNonces;
}

/** Where no location is known (local runs), new tokens go to eastern North America's shards. */
const FALLBACK_REGION = 'enam';

export interface RequestContext {
  env: Env;
  request: Request;
  requestId: string;
  background: RequestDeps['background'];
}

/** Throws a ConfigurationError when the request's host may not stand in for an unset ISSUER. */
export function requestDeps(context: RequestContext, options: AppOptions, { settings, keys }: Configuration): RequestDeps {
  const { env, request, requestId, background } = context;
  const now = (options.clock ?? Date.now)();
  const clientIp = request.headers.get('CF-Connecting-IP');
  const store = d1Store(env.DB, { readReplicas: settings.readReplicas, lookupCacheSeconds: settings.clientCacheSeconds, now });
  const audit = requestAudit({ store: store.audit, requestId, ip: clientIp, now, retentionDays: settings.auditRetentionDays, background });
  return {
    env,
    requestId,
    clientIp,
    background,
    store,
    settings,
    issuer: issuerFor(settings, new URL(request.url)),
    now,
    ledger: requestLedger(env, request, options, settings.ledgerShards),
    keys: async () => reportingSigner(keys, audit),
    audit,
    limits: requestLimits(env, audit, now),
    accessKeys: settings.access ? (options.accessKeys ?? accessKeySet(settings.access.teamDomain)) : null,
    documents: outboundDocuments(options.outboundFetch ?? ((input, init) => fetch(input, init))),
    subjects: subjectsFor(env.PAIRWISE_SECRET),
    dpopNonces: dpopNonces(env.SESSION_SECRET, now),
  };
}

/** The key set, telling the audit trail which key signs each time one does. */
function reportingSigner(keys: KeySet, audit: AuditRecorder): KeySet {
  return {
    ...keys,
    signer(alg) {
      const key = keys.signer(alg);
      audit.signedWith(key);
      return key;
    },
  };
}

/** The ledger as this request reaches it: new ids go to the shards of the request's region. */
export function requestLedger(env: Env, request: Request, options: AppOptions, shardCount: number): OneTimeLedger {
  const placement = { region: regionOf(request.cf as RequestLocation | undefined, FALLBACK_REGION), shardCount };
  return (options.ledger ?? ((e: Env, p: LedgerPlacement) => durableLedger(e.LEDGER, p)))(env, placement);
}
