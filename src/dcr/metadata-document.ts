import type { Client } from '../oauth/client';
import { redirectUriMatches } from '../oauth/redirect-uri-match';
import { redirectUriProblem } from '../oauth/redirect-uris';
import { isStringArray } from './metadata-rules';
import { metadataDocumentUrlProblem } from './metadata-document-url';

/**
 * Client ID Metadata Documents (draft-parecki-oauth-client-id-metadata-document): a client whose id is an https URL
 * publishes its metadata there. The document is fetched with size and time limits, cached per isolate for as long as
 * its Cache-Control says within bounds, and validated against the template that allows its host on every use.
 */

/** The draft's advice: documents are small. */
const MAX_DOCUMENT_BYTES = 5 * 1024;
const FETCH_TIMEOUT_MS = 5_000;
/** Cache-Control is honoured within these bounds: a document is re-read at most once a minute, at least once a day. */
const MIN_CACHE_SECONDS = 60;
const MAX_CACHE_SECONDS = 86_400;
const MAX_CACHED = 1_000;

/** Why the document cannot be used; shown on the error page (the client cannot be redirected to). */
export class MetadataDocumentError extends Error {
  constructor(readonly description: string) {
    super(description);
    this.name = 'MetadataDocumentError';
  }
}

export type MetadataDocument = Record<string, unknown>;

export interface MetadataDocuments {
  /** The document at `url`, from this isolate's cache or fetched now. */
  get(url: string, now: number): Promise<MetadataDocument>;
}

const cache = new Map<string, { document: MetadataDocument; until: number }>();

/** Documents fetched with `outboundFetch` (the runtime's fetch; tests inject another). */
export function metadataDocuments(outboundFetch: typeof fetch): MetadataDocuments {
  return {
    async get(url, now) {
      const cached = cache.get(url);
      if (cached && cached.until > now) return cached.document;
      const { document, maxAgeSeconds } = await fetchDocument(outboundFetch, url);
      if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
      cache.delete(url);
      cache.set(url, { document, until: now + Math.min(Math.max(maxAgeSeconds, MIN_CACHE_SECONDS), MAX_CACHE_SECONDS) * 1000 });
      return document;
    },
  };
}

async function fetchDocument(outboundFetch: typeof fetch, url: string): Promise<{ document: MetadataDocument; maxAgeSeconds: number }> {
  const problem = metadataDocumentUrlProblem(url);
  if (problem) throw new MetadataDocumentError(`the client_id URL ${problem}`);
  let response: Response;
  try {
    response = await outboundFetch(url, {
      headers: { Accept: 'application/json' },
      redirect: 'manual',
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
  } catch {
    throw new MetadataDocumentError('the client metadata document could not be fetched in time');
  }
  if (response.status !== 200) throw new MetadataDocumentError(`the client metadata document answered HTTP ${response.status}`);
  const type = (response.headers.get('Content-Type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json' && !type.endsWith('+json')) throw new MetadataDocumentError('the client metadata document is not JSON');
  let document: unknown;
  try {
    document = JSON.parse(await limitedText(response, MAX_DOCUMENT_BYTES));
  } catch (error) {
    if (error instanceof MetadataDocumentError) throw error;
    throw new MetadataDocumentError('the client metadata document is not valid JSON');
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new MetadataDocumentError('the client metadata document is not a JSON object');
  }
  return { document: document as MetadataDocument, maxAgeSeconds: maxAgeOf(response.headers.get('Cache-Control')) };
}

/** The body as text, refused as soon as it grows past `limit` bytes (whatever Content-Length claims). */
async function limitedText(response: Response, limit: number): Promise<string> {
  const tooLarge = () => new MetadataDocumentError(`the client metadata document is larger than ${limit} bytes`);
  if (Number(response.headers.get('Content-Length') ?? 0) > limit) throw tooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body ?? []) {
    size += chunk.byteLength;
    if (size > limit) throw tooLarge();
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

/**
 * The client as its document describes it, within its template: the document names itself (`client_id` is its URL),
 * is public (`none`, which the template must allow), and lists only redirect URIs the template allows.
 */
export function clientWithDocument(client: Client, document: MetadataDocument): Client {
  if (document.client_id !== client.clientId) throw new MetadataDocumentError('the client metadata document’s client_id is not its URL');
  if (document.token_endpoint_auth_method !== 'none' || !client.authMethods.includes('none')) {
    throw new MetadataDocumentError('a client with a metadata document must be public: token_endpoint_auth_method "none"');
  }
  const { redirect_uris: uris, client_name: name } = document;
  if (!isStringArray(uris) || uris.length === 0) throw new MetadataDocumentError('the client metadata document lists no redirect_uris');
  const foreign = uris.find(
    (uri) => redirectUriProblem(uri) !== null || !client.redirectUris.some((allowed) => redirectUriMatches(allowed, uri)),
  );
  if (foreign !== undefined) throw new MetadataDocumentError(`the redirect URI ${JSON.stringify(foreign)} is not one this server allows`);
  const clientName = typeof name === 'string' && name.length > 0 && name.length <= 200 ? name : client.clientName;
  return { ...client, clientName, applicationName: clientName, redirectUris: uris };
}
