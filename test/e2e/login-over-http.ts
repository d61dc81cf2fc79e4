import { expect } from 'vitest';

/** The cookies one browser holds for the server: what it stores from `Set-Cookie` and sends back. */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  store(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const name = pair.slice(0, pair.indexOf('=')).trim();
      const value = pair.slice(pair.indexOf('=') + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age\s*=\s*(0|-\d+)\s*$/i.test(a));
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): Record<string, string> {
    return this.cookies.size ? { Cookie: [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ') } : {};
  }
}

const decodeEntities = (text: string) =>
  text.replace(
    /&(amp|quot|#39|#x27|lt|gt);/g,
    (_, entity: string) => ({ amp: '&', quot: '"', '#39': "'", '#x27': "'", lt: '<', gt: '>' })[entity]!,
  );

const attribute = (tag: string, name: string) => {
  const match = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return match ? decodeEntities(match[1]!) : undefined;
};

/** The page's only form: where it posts, and the values its inputs carry (hidden fields included). */
function parseForm(html: string, pageUrl: string) {
  const form = /<form\b[^>]*>/.exec(html);
  if (!form) throw new Error(`no form on the page:\n${html}`);
  const fields = new URLSearchParams();
  for (const [input] of html.matchAll(/<input\b[^>]*>/g)) {
    const name = attribute(input, 'name');
    if (name) fields.set(name, attribute(input, 'value') ?? '');
  }
  return { action: new URL(attribute(form[0], 'action') ?? pageUrl, pageUrl), fields };
}

const isRedirect = (res: Response) => res.status === 302 || res.status === 303;

/** Submits the page's form with `values` added, as the browser holding `jar` would. */
export async function submit(html: string, pageUrl: string, values: Record<string, string>, jar: CookieJar): Promise<Response> {
  const { action, fields } = parseForm(html, pageUrl);
  for (const [name, value] of Object.entries(values)) fields.set(name, value);
  const submitted = await fetch(action, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...jar.header() },
    body: fields,
    redirect: 'manual',
  });
  jar.store(submitted);
  return submitted;
}

/**
 * What a browser does at the authorization endpoint, over plain HTTP: open the authorize URL, submit the
 * login form with the user's credentials (and whatever hidden fields and cookies the page set), approve on the
 * consent page when `approve` says so (a client nobody vouched for asks once per user), and follow the redirect to
 * the client's callback. With a session already in `jar`, there is no form.
 */
export async function logInOverHttp(
  authorizeUrl: URL,
  user: { username: string; password: string },
  jar: CookieJar,
  options: { approve?: boolean } = {},
): Promise<{ callback: URL; sawLoginForm: boolean; sawConsent: boolean }> {
  const page = await fetch(authorizeUrl, { headers: jar.header(), redirect: 'manual' });
  jar.store(page);
  if (isRedirect(page)) return { callback: new URL(page.headers.get('Location')!), sawLoginForm: false, sawConsent: false };
  expect(page.status).toBe(200);
  let answer = await submit(await page.text(), authorizeUrl.href, { username: user.username, password: user.password }, jar);
  let sawConsent = false;
  if (answer.status === 200 && options.approve) {
    const consentPage = await answer.text();
    expect(consentPage).toContain('name="consent"');
    sawConsent = true;
    answer = await submit(consentPage, authorizeUrl.href, { consent: 'approve' }, jar);
  }
  expect(isRedirect(answer), `login answered ${answer.status}`).toBe(true);
  return { callback: new URL(answer.headers.get('Location')!), sawLoginForm: true, sawConsent };
}
