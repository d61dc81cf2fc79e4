import type { Child } from 'hono/jsx';

/** Who is signed in to the console, and the CSRF token its forms carry. */
export interface ConsoleViewer {
  /** "Cloudflare Access: ada@example.com" or "admin token". */
  who: string;
  csrf: string;
  /** Access admins sign out at Access (its logout path), not here. */
  canSignOut: boolean;
}

export const CONSOLE_BASE = '/admin';
export const CSRF_FIELD = 'csrf_token';

const NAV = [
  ['Overview', '/'],
  ['Templates', '/templates'],
  ['Static clients', '/clients'],
  ['Users', '/users'],
  ['Activity', '/audit'],
] as const;

/** Every console form posts its CSRF token with it. */
export const Csrf = (props: { token: string }) => <input type="hidden" name={CSRF_FIELD} value={props.token} />;

const STYLE = `
  :root { --ink: #1b1f24; --muted: #59636e; --line: #d5dbe1; --accent: #1f5fbf; --danger: #b3261e; --bg: #f6f8fa; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: var(--bg); }
  header { background: #18212b; color: #fff; }
  header .bar { max-width: 72rem; margin: 0 auto; padding: .6rem 1rem; display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1.25rem; }
  header .brand { font-weight: 700; color: #fff; text-decoration: none; margin-right: auto; }
  header nav { display: flex; flex-wrap: wrap; gap: .25rem; width: 100%; order: 3; }
  header nav a { color: #cfd8e3; text-decoration: none; padding: .3rem .5rem; border-radius: .35rem; white-space: nowrap; }
  header nav a[aria-current="page"] { background: #2d3b4b; color: #fff; }
  header .who { font-size: .85rem; color: #cfd8e3; display: flex; align-items: center; gap: .5rem; }
  header .who a { color: #fff; }
  header .who button { background: none; border: 1px solid #5b6b7d; color: #fff; padding: .2rem .6rem; margin: 0; font-size: .85rem; }
  @media (min-width: 48rem) { header nav { width: auto; order: 0; } header .brand { margin-right: 0; } header .who { margin-left: auto; } }
  main { max-width: 72rem; margin: 0 auto; padding: 1rem; }
  h1 { font-size: 1.5rem; margin: .5rem 0 1rem; overflow-wrap: anywhere; }
  h2 { font-size: 1.1rem; margin: 1.75rem 0 .5rem; }
  a { color: var(--accent); }
  .muted { color: var(--muted); }
  .card { background: #fff; border: 1px solid var(--line); border-radius: .5rem; padding: 1rem; margin-bottom: 1rem; }
  .grid { display: grid; gap: 1rem; grid-template-columns: repeat(auto-fit, minmax(9rem, 1fr)); }
  .stat { background: #fff; border: 1px solid var(--line); border-radius: .5rem; padding: .75rem 1rem; }
  .stat b { display: block; font-size: 1.6rem; }
  .table-wrap { overflow-x: auto; background: #fff; border: 1px solid var(--line); border-radius: .5rem; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: .5rem .75rem; border-bottom: 1px solid var(--line); vertical-align: top; }
  th { font-size: .8rem; text-transform: uppercase; letter-spacing: .03em; color: var(--muted); background: #fbfcfd; white-space: nowrap; }
  tr:last-child td { border-bottom: none; }
  td code, dd code { overflow-wrap: anywhere; }
  code { font-size: .9em; background: #eef1f4; padding: .05rem .3rem; border-radius: .25rem; }
  .actions { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; margin: .75rem 0; }
  .actions form { margin: 0; }
  button, .button { display: inline-block; font: inherit; padding: .45rem .9rem; border-radius: .35rem; border: 1px solid var(--accent);
    background: var(--accent); color: #fff; text-decoration: none; cursor: pointer; }
  .button.secondary, button.secondary { background: #fff; color: var(--accent); }
  button.danger, .button.danger { background: var(--danger); border-color: var(--danger); color: #fff; }
  fieldset { background: #fff; border: 1px solid var(--line); border-radius: .5rem; padding: .75rem 1rem 1rem; margin: 0 0 1rem; min-width: 0; }
  legend { font-weight: 700; padding: 0 .35rem; }
  fieldset.inner { border: none; padding: 0; margin: .75rem 0 0; background: none; }
  fieldset.inner > legend { font-weight: 600; padding: 0; }
  label { display: block; font-weight: 600; margin-top: .75rem; }
  label.check { font-weight: 400; margin-top: .35rem; display: flex; gap: .5rem; align-items: flex-start; }
  label.check input { width: auto; margin-top: .3rem; }
  input, select, textarea { display: block; width: 100%; max-width: 36rem; font: inherit; font-weight: 400; padding: .45rem .55rem; margin-top: .25rem;
    border: 1px solid #aab4be; border-radius: .35rem; background: #fff; }
  input[readonly] { background: #eef1f4; }
  textarea { min-height: 4.5rem; font-family: ui-monospace, monospace; font-size: .9rem; }
  .help { display: block; font-weight: 400; color: var(--muted); font-size: .85rem; }
  .error { color: var(--danger); font-size: .9rem; margin: .25rem 0 0; }
  .alert { border-left: 4px solid var(--danger); background: #fdecee; padding: .6rem .8rem; border-radius: .25rem; margin: 0 0 1rem; }
  .notice { border-left: 4px solid #2e7d32; background: #edf7ee; padding: .6rem .8rem; border-radius: .25rem; margin: 0 0 1rem; }
  .secret { font-family: ui-monospace, monospace; overflow-wrap: anywhere; background: #fff8e1; border: 1px dashed #c9a227; padding: .5rem; border-radius: .35rem; }
  dl { display: grid; grid-template-columns: minmax(8rem, 14rem) 1fr; gap: .35rem 1rem; margin: 0; }
  dt { color: var(--muted); }
  dd { margin: 0; overflow-wrap: anywhere; }
  @media (max-width: 40rem) { dl { grid-template-columns: 1fr; } dd { margin-bottom: .5rem; } }
  .diff del { color: var(--danger); } .diff ins { color: #2e7d32; text-decoration: none; }
  .badge { display: inline-block; font-size: .75rem; padding: .05rem .45rem; border-radius: 1rem; background: #e3f2e5; color: #1e5e24; }
  .badge.off { background: #fdecee; color: var(--danger); }
  .search { display: flex; gap: .5rem; flex-wrap: wrap; align-items: flex-end; margin-bottom: .75rem; }
  .search input { max-width: 22rem; margin: 0; }
  @media (min-width: 40rem) { .nowrap { white-space: nowrap; } td code.nowrap { overflow-wrap: normal; } }
  @media (max-width: 40rem) {
    table.stack thead { display: none; }
    table.stack tr { display: block; padding: .4rem 0; border-bottom: 1px solid var(--line); }
    table.stack tr:last-child { border-bottom: none; }
    table.stack td { display: block; position: relative; border: none; padding: .2rem .75rem .2rem 8.5rem; min-height: 1.4rem; overflow-wrap: anywhere; }
    table.stack td::before { content: attr(data-label); position: absolute; left: .75rem; width: 7rem; color: var(--muted); font-size: .75rem; text-transform: uppercase; letter-spacing: .03em; padding-top: .15rem; }
  }
`;

export function ConsoleLayout(props: { title: string; viewer?: ConsoleViewer; section?: string; children: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · edge-dcr admin`}</title>
        {/* A constant: set as it is, since a text child would be HTML-escaped (quotes, >) and break the CSS. */}
        <style dangerouslySetInnerHTML={{ __html: STYLE }} />
        {props.viewer && <script src={`${CONSOLE_BASE}/console.js`} defer />}
      </head>
      <body>
        <header>
          <div class="bar">
            <a class="brand" href={`${CONSOLE_BASE}/`}>
              edge-dcr admin
            </a>
            {props.viewer && (
              <nav aria-label="Sections">
                {NAV.map(([label, path]) => (
                  <a href={`${CONSOLE_BASE}${path}`} aria-current={props.section === path ? 'page' : undefined}>
                    {label}
                  </a>
                ))}
              </nav>
            )}
            {props.viewer && (
              <div class="who">
                <span>{props.viewer.who}</span>
                {props.viewer.canSignOut ? (
                  <form method="post" action={`${CONSOLE_BASE}/sign-out`}>
                    <Csrf token={props.viewer.csrf} />
                    <button type="submit">Sign out</button>
                  </form>
                ) : (
                  // Access's own sign-out, on every host it protects.
                  <a href="/cdn-cgi/access/logout">Sign out</a>
                )}
              </div>
            )}
          </div>
        </header>
        <main>{props.children}</main>
      </body>
    </html>
  );
}

/**
 * Console pages: never framed, cached or sent as a referrer; scripts only from the console itself; forms post only
 * to it.
 */
export const CONSOLE_HEADERS = {
  'Content-Security-Policy':
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'X-Frame-Options': 'DENY',
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
};
