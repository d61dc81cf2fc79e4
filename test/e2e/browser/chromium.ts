import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`): playwright-core drives it, no browser download. */
const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  page: Page;
  /** Resolves with the full URL of the next navigation to the redirect URI. */
  nextCallback(): Promise<URL>;
  close(): Promise<void>;
}

/**
 * Headless Chromium with a fresh profile. Navigations to `redirectUri` (when given) are answered inside the browser
 * (nothing listens there; the app only needs the URL). Chrome DevTools' Fetch domain does it because
 * Playwright's own routing does not see requests that a redirect started. Without one, every request goes out.
 */
async function openChromium(redirectUri: string | null): Promise<Browser> {
  const profile = await mkdtemp(join(tmpdir(), 'edge-dcr-chromium-'));
  let context: BrowserContext | undefined;
  try {
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS });
    const page = context.pages()[0] ?? (await context.newPage());
    const devtools = await context.newCDPSession(page);
    const arrived: URL[] = [];
    let notify = () => {};
    devtools.on('Fetch.requestPaused', (event) => {
      arrived.push(new URL(event.request.url));
      notify();
      void devtools.send('Fetch.fulfillRequest', {
        requestId: event.requestId,
        responseCode: 200,
        responseHeaders: [{ name: 'Content-Type', value: 'text/plain' }],
        body: Buffer.from('the app would take the code from here').toString('base64'),
      });
    });
    if (redirectUri !== null) {
      await devtools.send('Fetch.enable', { patterns: [{ urlPattern: `${redirectUri}*`, requestStage: 'Request' }] });
    }
    const browser = context;
    return {
      page,
      nextCallback: async () => {
        while (!arrived.length) await new Promise<void>((resolve) => (notify = resolve));
        return arrived.shift()!;
      },
      close: async () => {
        await browser.close();
        await rm(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await context?.close();
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
}

/** Runs `use` with a fresh Chromium and closes it afterwards, whatever happens. */
export async function withChromium(redirectUri: string | null, use: (browser: Browser) => Promise<void>): Promise<void> {
  const browser = await openChromium(redirectUri);
  try {
    await use(browser);
  } finally {
    await browser.close();
  }
}
