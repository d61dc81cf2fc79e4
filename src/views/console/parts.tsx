import type { Child } from 'hono/jsx';
import { CONSOLE_BASE, ConsoleLayout, Csrf, type ConsoleViewer } from './layout';

/** Pieces the console pages share. */

/** "2026-11-27 20:06 UTC" from an ISO time; "never" for null. */
export const when = (iso: string | null | undefined) => (iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : 'never');

/** A table whose cells carry their column's name, so that on a phone each row stacks as "name: value" lines. */
export const Table = (props: { head: string[]; rows: Child[][] }) => (
  <div class="table-wrap">
    <table class="stack">
      <thead>
        <tr>
          {props.head.map((h) => (
            <th scope="col">{h}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {props.rows.map((cells) => (
          <tr>
            {cells.map((cell, i) => (
              <td data-label={props.head[i]}>{cell}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  </div>
);

/** "Next page" when there is one; the first page is always a link away. */
export function Pager(props: { base: string; next: string | null; atStart: boolean; query?: Record<string, string> }) {
  const href = (cursor?: string) => {
    const params = new URLSearchParams({ ...props.query, ...(cursor ? { cursor } : {}) });
    return params.size ? `${props.base}?${params}` : props.base;
  };
  if (!props.next && props.atStart) return null;
  return (
    <p class="actions">
      {!props.atStart && (
        <a class="button secondary" href={href()}>
          First page
        </a>
      )}
      {props.next && (
        <a class="button secondary" href={href(props.next)} rel="next">
          Next page
        </a>
      )}
    </p>
  );
}

/** A button that leads to a confirmation page (destructive actions are confirmed there, with or without JavaScript). */
export const DangerLink = (props: { href: string; children: Child }) => (
  <a class="button danger" href={props.href}>
    {props.children}
  </a>
);

export interface ConfirmProps {
  viewer: ConsoleViewer;
  section: string;
  title: string;
  /** What will happen, in full (how many instances go with it, ...). */
  consequence: Child;
  action: string;
  confirmLabel: string;
  cancel: string;
}

/** Every destructive action asks here first; only this page's form does it. */
export const ConfirmPage = (props: ConfirmProps) => (
  <ConsoleLayout title={props.title} viewer={props.viewer} section={props.section}>
    <h1>{props.title}</h1>
    <div class="card">
      <p>{props.consequence}</p>
      <div class="actions">
        <form method="post" action={props.action}>
          <Csrf token={props.viewer.csrf} />
          <button type="submit" class="danger">
            {props.confirmLabel}
          </button>
        </form>
        <a class="button secondary" href={props.cancel}>
          Cancel
        </a>
      </div>
    </div>
  </ConsoleLayout>
);

/** Secrets made just now: shown this once, with a JSON file to keep them in. */
export function SecretsPage(props: {
  viewer: ConsoleViewer;
  section: string;
  title: string;
  intro: Child;
  /** [name, secret] pairs, under `labels`. */
  rows: [string, string][];
  labels: [string, string];
  /** What the JSON file holds, and its name. */
  download: { fileName: string; content: unknown };
  back: string;
}) {
  const json = JSON.stringify(props.download.content, null, 2);
  return (
    <ConsoleLayout title={props.title} viewer={props.viewer} section={props.section}>
      <h1>{props.title}</h1>
      <p class="notice" role="status">
        {props.intro} Shown <strong>only now</strong>: only a hash is kept.
      </p>
      <p class="actions">
        <a class="button" href={`data:application/json;charset=utf-8,${encodeURIComponent(json)}`} download={props.download.fileName}>
          Download as JSON
        </a>
        <a class="button secondary" href={props.back}>
          Done
        </a>
      </p>
      <Table
        head={props.labels}
        rows={props.rows.map(([name, secret]) => [
          <code>{name}</code>,
          <span class="secret" data-secret>
            {secret}
          </span>,
        ])}
      />
    </ConsoleLayout>
  );
}

export const consolePath = (...parts: string[]) => `${CONSOLE_BASE}/${parts.map(encodeURIComponent).join('/')}`;
