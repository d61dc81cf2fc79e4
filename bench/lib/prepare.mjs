/** Helpers for setting servers up and preparing one-time inputs over HTTP, before any measured window. */

/** Runs `task(i)` for i in [0, count) with at most `concurrency` in flight; results in order. */
export async function inParallel(count, concurrency, task) {
  const results = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      results[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}

/** fetch that insists on the expected status and returns the parsed JSON body (or the response for redirects). */
export async function call(url, init, expected = 200) {
  const res = await fetch(url, { redirect: 'manual', ...init });
  if (res.status !== expected) throw new Error(`${init?.method ?? 'GET'} ${url}: ${res.status} ${await res.text()}`);
  if (res.status >= 300 && res.status < 400) return res;
  return res.json();
}

export const json = (body, headers = {}) => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

export const form = (params, headers = {}) => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
  body: new URLSearchParams(params).toString(),
});

export const basic = (id, secret) => `Basic ${btoa(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`)}`;

/** The `code` parameter of an authorization response redirect. */
export function codeFrom(redirect) {
  const code = new URL(redirect.headers.get('Location')).searchParams.get('code');
  if (!code) throw new Error(`no code in ${redirect.headers.get('Location')}`);
  return code;
}
