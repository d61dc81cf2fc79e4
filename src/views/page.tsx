import type { Child } from 'hono/jsx';

/** The frame of every page the Worker serves: no scripts, inline styles only, readable without CSS and on a 320 px phone. */
export function Page(props: { title: string; children: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{props.title}</title>
        <style>{`
          body { font-family: system-ui, sans-serif; line-height: 1.45; max-width: 26rem; margin: 2rem auto; padding: 0 1rem; color: #1a1a1a; overflow-wrap: anywhere; }
          h1 { font-size: 1.5rem; margin: 1.25rem 0 .5rem; }
          .requester { display: flex; align-items: center; gap: .75rem; padding-bottom: .75rem; border-bottom: 1px solid #ddd; }
          .requester img { width: 48px; height: 48px; object-fit: contain; border-radius: 8px; flex: none; }
          .requester p { margin: 0; }
          .application { font-size: 1.15rem; font-weight: 700; }
          .own-name { color: #555; }
          label { display: block; margin-top: 1rem; font-weight: 600; }
          input { display: block; width: 100%; box-sizing: border-box; padding: .6rem; margin-top: .25rem; font-size: 1rem; }
          button { margin-top: 1.5rem; padding: .7rem 1.2rem; font-size: 1rem; min-width: 6rem; border-radius: 6px; border: 1px solid #1f4fbf; background: #1f4fbf; color: #fff; }
          button.secondary { background: #fff; color: #1f4fbf; }
          .actions { display: flex; flex-wrap: wrap; gap: .75rem; }
          .alert { border-left: 4px solid #b00020; padding: .5rem .75rem; background: #fdecee; }
          .note, .links, .reference, details { color: #555; font-size: .9rem; }
          .links { margin-top: 2rem; }
          a { color: #1f4fbf; }
        `}</style>
      </head>
      <body>
        <main>{props.children}</main>
      </body>
    </html>
  );
}

/**
 * Pages must not be framed (clickjacking), cached, or leak their URL (which carries `state`) as a referrer.
 * No `form-action`: browsers apply it to the redirect that follows the login POST, which goes to the client.
 */
export const PAGE_HEADERS = {
  // Images: an application's logo (https only).
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; img-src https:; frame-ancestors 'none'; base-uri 'none'",
  'X-Frame-Options': 'DENY',
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
};
