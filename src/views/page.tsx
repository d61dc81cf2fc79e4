import type { Child } from 'hono/jsx';

/** The frame of every page the Worker serves: no scripts, inline styles only, readable without CSS. */
export function Page(props: { title: string; children: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{props.title}</title>
        <style>{`
          body { font-family: system-ui, sans-serif; max-width: 24rem; margin: 3rem auto; padding: 0 1rem; color: #1a1a1a; }
          label { display: block; margin-top: 1rem; font-weight: 600; }
          input { display: block; width: 100%; box-sizing: border-box; padding: .5rem; margin-top: .25rem; font-size: 1rem; }
          button { margin-top: 1.5rem; padding: .6rem 1.2rem; font-size: 1rem; }
          .alert { border-left: 4px solid #b00020; padding: .5rem .75rem; background: #fdecee; }
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
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
  'X-Frame-Options': 'DENY',
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
};
