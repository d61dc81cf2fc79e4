/**
 * The server's only outbound calls: small JSON documents that clients publish at https URLs (client metadata
 * documents, a client's `jwks_uri`, a `sector_identifier_uri`). Each is fetched with size and time limits, never
 * following redirects, and cached per isolate for as long as its Cache-Control says, within bounds. The fetch function
 * is a dependency: Workers-runtime tests answer it themselves, the end-to-end tests with a real local server.
 */

import { BoundedMap } from '../bounded-map';

const FETCH_TIMEOUT_MS = 5_000;
/** Cache-Control is honoured within these bounds: a document is re-read at most once a minute, at least once a day. */
const MIN_CACHE_SECONDS = 60;
const MAX_CACHE_SECONDS = 86_400;
const MAX_CACHED = 1_000;

/** Why a document cannot be used, in words for the client or the page that shows it. */
export class OutboundDocumentError extends Error {
  constructor(readonly description: string) {
    super(description);
    this.name = 'OutboundDocumentError';
  }
}

/** What kind of document is fetched, and its rules. */
export interface DocumentKind {
  /** How the errors name it: "the client metadata document", "the jwks_uri document". */
  name: string;
  maxBytes: number;
  /** Why the URL may not be fetched, or null when it may. */
  urlProblem(url: string): string | null;
  /**
   * Kinds whose URLs anyone may name (a `jwks_uri`) remember a failed fetch for this long and answer it again without
   * fetching, so that requests naming a dead or slow URL cannot make this server call out at every request.
   */
  failureMemorySeconds?: number;
}

export interface OutboundDocuments {
  /** The JSON document at `url`, from this isolate's cache or fetched now. */
  get(kind: DocumentKind, url: string, now: number): Promise<unknown>;
  /**
   * The document fetched anew (a client may have rotated its keys), unless this isolate fetched it less than a minute
   * ago: then as cached, so that nobody can make this server fetch a URL more often than that.
   */
  refetch(kind: DocumentKind, url: string, now: number): Promise<unknown>;
}

const MIN_REFETCH_MS = MIN_CACHE_SECONDS * 1000;

const cache = new BoundedMap<{ document: unknown; fetchedAt: number; until: number }>(MAX_CACHED);
/** Failed fetches of kinds that remember them: the error, until when it is answered again. */
const failures = new BoundedMap<{ error: OutboundDocumentError; until: number }>(MAX_CACHED);

export function outboundDocuments(outboundFetch: typeof fetch): OutboundDocuments {
  async function fetched(kind: DocumentKind, url: string, key: string, now: number) {
    const failed = failures.get(key);
    if (failed && failed.until > now) throw failed.error;
    let answer: Awaited<ReturnType<typeof fetchDocument>>;
    try {
      answer = await fetchDocument(outboundFetch, kind, url);
    } catch (error) {
      if (error instanceof OutboundDocumentError && kind.failureMemorySeconds) {
        failures.set(key, { error, until: now + kind.failureMemorySeconds * 1000 });
      }
      throw error;
    }
    const { document, maxAgeSeconds } = answer;
    failures.delete(key);
    cache.set(key, {
      document,
      fetchedAt: now,
      until: now + Math.min(Math.max(maxAgeSeconds, MIN_CACHE_SECONDS), MAX_CACHE_SECONDS) * 1000,
    });
    return document;
  }
  return {
    async get(kind, url, now) {
      const key = `${kind.name}\n${url}`;
      const cached = cache.get(key);
      if (cached && cached.until > now) return cached.document;
      return fetched(kind, url, key, now);
    },
    async refetch(kind, url, now) {
      const key = `${kind.name}\n${url}`;
      const cached = cache.get(key);
      if (cached && cached.until > now && cached.fetchedAt > now - MIN_REFETCH_MS) return cached.document;
      return fetched(kind, url, key, now);
    },
  };
}

async function fetchDocument(outboundFetch: typeof fetch, kind: DocumentKind, url: string) {
  const problem = kind.urlProblem(url);
  if (problem) throw new OutboundDocumentError(`the URL of ${kind.name} ${problem}`);
  let response: Response;
  try {
    response = await outboundFetch(url, {
      headers: { Accept: 'application/json' },
      redirect: 'manual',
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
  } catch {
    throw new OutboundDocumentError(`${kind.name} could not be fetched in time`);
  }
  if (response.status !== 200) throw new OutboundDocumentError(`${kind.name} answered HTTP ${response.status}`);
  const type = (response.headers.get('Content-Type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json' && !type.endsWith('+json')) throw new OutboundDocumentError(`${kind.name} is not JSON`);
  let document: unknown;
  try {
    document = JSON.parse(await limitedText(response, kind));
  } catch (error) {
    if (error instanceof OutboundDocumentError) throw error;
    throw new OutboundDocumentError(`${kind.name} is not valid JSON`);
  }
  return { document, maxAgeSeconds: maxAgeOf(response.headers.get('Cache-Control')) };
}

/** The body as text, refused as soon as it grows past the kind's size (whatever Content-Length claims). */
async function limitedText(response: Response, kind: DocumentKind): Promise<string> {
  const tooLarge = () => new OutboundDocumentError(`${kind.name} is larger than ${kind.maxBytes} bytes`);
  if (Number(response.headers.get('Content-Length') ?? 0) > kind.maxBytes) throw tooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body ?? []) {
    size += chunk.byteLength;
    if (size > kind.maxBytes) throw tooLarge();
    chunks.push(chunk);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

/** `max-age` in seconds; 0 for `no-store`, `no-cache` or none (the lower bound applies). */
function maxAgeOf(cacheControl: string | null): number {
  const directives = (cacheControl ?? '')
    .toLowerCase()
    .split(',')
    .map((d) => d.trim());
  if (directives.includes('no-store') || directives.includes('no-cache')) return 0;
  const maxAge = directives.find((d) => d.startsWith('max-age='));
  const seconds = maxAge === undefined ? 0 : Number(maxAge.slice('max-age='.length));
  return Number.isFinite(seconds) ? seconds : 0;
}
