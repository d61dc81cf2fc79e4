/**
 * The web as the Worker's outbound fetch sees it in these tests: documents by URL, each answer made anew, every
 * request counted. (The end-to-end tests serve documents from a real local HTTP server instead.)
 */
export function fakeWeb() {
  const pages = new Map<string, () => Response>();
  const requests: string[] = [];
  const outboundFetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input instanceof Request ? input.url : input);
    requests.push(url);
    const page = pages.get(url);
    if (!page) return new Response('not found', { status: 404 });
    const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined);
    const response = page();
    if (response.status === 599) {
      // Never answers: only the caller's time limit ends it.
      return new Promise<Response>((_, reject) => signal?.addEventListener('abort', () => reject(signal.reason)));
    }
    return response;
  };
  return { pages, requests, outboundFetch: outboundFetch as typeof globalThis.fetch };
}
