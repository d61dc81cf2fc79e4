import type { z } from 'zod';
import type { FieldGroup } from '../../admin/form-fields';
import type { auditEventAnswer, historyAnswer, instanceAnswer, userAnswer } from '../../admin/answer-schemas';
import { AUDIT_EVENT_TYPES } from '../../model';
import type { templateView } from '../../admin/views';
import type { StaticClientConfig } from '../../model';
import type { InputIssue } from '../../admin/input';
import { OPTION_LABELS, fieldLabels, templateFormGroups } from '../../admin/console-forms';
import { CONSOLE_BASE, ConsoleLayout, Csrf, type ConsoleViewer } from './layout';
import { DangerLink, Pager, Table, consolePath, when } from './parts';
import { SchemaFields } from './schema-form';

type View = Record<string, unknown>;
type TemplateRow = ReturnType<typeof templateView>;
type UserRow = z.infer<typeof userAnswer>;
type InstanceRow = z.infer<typeof instanceAnswer>;
type HistoryRow = z.infer<typeof historyAnswer>;
type AuditRow = z.infer<typeof auditEventAnswer>;
type StaticClientRow = StaticClientConfig & { client_id: string; issued_at: string; last_used_at: string | null };

/** The console's pages. Each takes plain values (admin API views); routes/console.tsx fetches them through the store. */

export function SignInPage(props: { csrf: string; message?: string; accessConfigured: boolean }) {
  return (
    <ConsoleLayout title="Sign in">
      <h1>Sign in to the admin console</h1>
      <div class="card" style="max-width:32rem">
        {props.message && (
          <p class="alert" role="alert">
            {props.message}
          </p>
        )}
        <form method="post" action={`${CONSOLE_BASE}/sign-in`}>
          <input type="hidden" name="csrf_token" value={props.csrf} />
          <label for="admin_token">
            Admin token
            <span class="help">ADMIN_TOKEN: in .dev.vars locally (npm start prints it), in .secrets/&lt;env&gt;.json when deployed.</span>
          </label>
          <input id="admin_token" name="admin_token" type="password" autocomplete="current-password" required autofocus />
          <p class="actions">
            <button type="submit">Sign in</button>
          </p>
        </form>
        <p class="help">
          {props.accessConfigured
            ? 'Cloudflare Access protects this console: signing in there signs you in here, without the token.'
            : 'The session ends after 30 minutes without use, and after 8 hours in any case.'}
        </p>
      </div>
    </ConsoleLayout>
  );
}

const SETTINGS: [key: string, label: string, variable: string][] = [
  ['dcr_enabled', 'Dynamic registration', 'DCR_ENABLED'],
  ['dcr_templatized', 'Templatized registration', 'DCR_TEMPLATIZED'],
  ['dcr_non_templatized', 'Registration without a template', 'DCR_NON_TEMPLATIZED'],
  ['dcr_dynamic_scopes', 'Scopes for clients without a template', 'DCR_DYNAMIC_SCOPES'],
  ['dcr_open_template', 'Template of open registration', 'DCR_OPEN_TEMPLATE'],
  ['issuer', 'Issuer', 'ISSUER'],
  ['iat_ttl', 'Initial access token lifetime (s)', 'IAT_TTL'],
  ['access_token_ttl', 'Default access token lifetime (s)', 'ACCESS_TOKEN_TTL'],
  ['client_cache_seconds', 'Client lookup cache (s)', 'CLIENT_CACHE_SECONDS'],
  ['d1_read_replicas', 'D1 read replicas', 'D1_READ_REPLICAS'],
  ['ledger_shards', 'Ledger shards per region', 'LEDGER_SHARDS'],
  ['access_team_domain', 'Cloudflare Access team', 'ACCESS_TEAM_DOMAIN'],
  ['audit_retention_days', 'Audit events kept (days)', 'AUDIT_RETENTION_DAYS'],
  ['login_max_failures', 'Failed sign-ins before a lockout', 'LOGIN_MAX_FAILURES'],
  ['login_lockout_seconds', 'First lockout (s)', 'LOGIN_LOCKOUT_SECONDS'],
  ['login_lockout_max_seconds', 'Longest lockout (s)', 'LOGIN_LOCKOUT_MAX_SECONDS'],
  ['dpop_nonce_required', 'DPoP proofs need a server nonce', 'DPOP_NONCE_REQUIRED'],
  ['require_par', 'Pushed authorization requests required', 'REQUIRE_PAR'],
];

const shown = (value: unknown) =>
  value === true ? 'on' : value === false ? 'off' : value === null ? '—' : Array.isArray(value) ? value.join(' ') : String(value);

export function OverviewPage(props: { viewer: ConsoleViewer; settings: View; counts: Record<string, number>; recent: AuditRow[] }) {
  const counts: [string, string, string][] = [
    ['Templates', 'templates', '/templates'],
    ['Instances', 'instances', '/templates'],
    ['Static clients', 'staticClients', '/clients'],
    ['Clients without a template', 'dynamicClients', ''],
    ['Users', 'users', '/users'],
  ];
  return (
    <ConsoleLayout title="Overview" viewer={props.viewer} section="/">
      <h1>Overview</h1>
      <div class="grid">
        {counts.map(([label, key, path]) => (
          <div class="stat">
            <b>{props.counts[key]}</b>
            {path ? <a href={`${CONSOLE_BASE}${path}`}>{label}</a> : label}
          </div>
        ))}
      </div>
      <h2>Recent activity</h2>
      {props.recent.length ? <AuditTable events={props.recent} /> : <p class="card">Nothing recorded yet.</p>}
      <p>
        <a href={`${CONSOLE_BASE}/audit`}>All activity, with filters</a>
      </p>
      <h2>Deployment settings</h2>
      <p class="muted">
        Set in <code>wrangler.toml</code> (<code>[vars]</code> locally, <code>[env.&lt;name&gt;.vars]</code> per deployment), then{' '}
        <code>npm run deploy</code>.
      </p>
      <Table
        head={['Setting', 'Now']}
        rows={SETTINGS.map(([key, label, variable]) => [
          <>
            {label}
            <div>
              <code>{variable}</code>
            </div>
          </>,
          <strong>{shown(props.settings[key])}</strong>,
        ])}
      />
    </ConsoleLayout>
  );
}

const Enabled = (props: { enabled: boolean }) => (
  <span class={props.enabled ? 'badge' : 'badge off'}>{props.enabled ? 'enabled' : 'disabled'}</span>
);

export function TemplatesPage(props: {
  viewer: ConsoleViewer;
  templates: (TemplateRow & { usage: { instances: number; lastUsedAt: string | null } })[];
  next: string | null;
  atStart: boolean;
}) {
  return (
    <ConsoleLayout title="Templates" viewer={props.viewer} section="/templates">
      <h1>Templates</h1>
      <p class="actions">
        <a class="button" href={`${CONSOLE_BASE}/templates/new`}>
          New template
        </a>
      </p>
      {props.templates.length === 0 ? (
        <p class="card">No templates yet.</p>
      ) : (
        <Table
          head={['Name', 'State', 'Capabilities', 'Scopes', 'Instances', 'Last use', 'Version']}
          rows={props.templates.map((t) => [
            <a href={consolePath('templates', t.name)}>{t.name}</a>,
            <Enabled enabled={t.enabled} />,
            t.capabilities.join(', '),
            t.scopes.join(' '),
            <a href={consolePath('templates', t.name, 'instances')}>{t.usage.instances}</a>,
            when(t.usage.lastUsedAt),
            t.version,
          ])}
        />
      )}
      <Pager base={`${CONSOLE_BASE}/templates`} next={props.next} atStart={props.atStart} />
    </ConsoleLayout>
  );
}

/** A create or edit form made from a schema; `issues` come back from a refused submission. */
export function ResourceFormPage(props: {
  viewer: ConsoleViewer;
  section: string;
  title: string;
  action: string;
  groups: FieldGroup[];
  values: View;
  issues: InputIssue[];
  message?: string;
  readOnly?: string[];
  hidden?: Record<string, string>;
  /** Links to what else can be done with it (each destructive one leads to its confirmation page). */
  actions?: { label: string; href: string }[];
  submit: string;
  cancel: string;
}) {
  const unplaced = props.issues.filter((i) => i.path === '' || !props.groups.some((g) => g.fields.some((f) => i.path.startsWith(f.name))));
  return (
    <ConsoleLayout title={props.title} viewer={props.viewer} section={props.section}>
      <h1>{props.title}</h1>
      {props.actions && (
        <div class="actions">
          {props.actions.map((a) => (
            <DangerLink href={a.href}>{a.label}</DangerLink>
          ))}
        </div>
      )}
      {(props.message || props.issues.length > 0) && (
        <div class="alert" role="alert">
          {props.message ?? 'Please correct the fields marked below.'}
          {unplaced.map((i) => (
            <div>{`${i.path || 'form'}: ${i.message}`}</div>
          ))}
        </div>
      )}
      <form method="post" action={props.action}>
        <Csrf token={props.viewer.csrf} />
        {Object.entries(props.hidden ?? {}).map(([name, value]) => (
          <input type="hidden" name={name} value={value} />
        ))}
        <SchemaFields
          groups={props.groups}
          values={props.values}
          issues={props.issues}
          optionLabels={OPTION_LABELS}
          readOnly={props.readOnly}
        />
        <p class="actions">
          <button type="submit">{props.submit}</button>
          <a class="button secondary" href={props.cancel}>
            Cancel
          </a>
        </p>
      </form>
    </ConsoleLayout>
  );
}

/** A configuration value as text: lists as codes separated by commas, objects as JSON. */
function Value(props: { value: unknown }) {
  const v = props.value;
  if (Array.isArray(v) && v.length === 0) return <span class="muted">none</span>;
  if (Array.isArray(v)) return <code>{v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(', ')}</code>;
  if (v !== null && typeof v === 'object' && 'mode' in v && typeof v.mode === 'string') {
    // A registration setting: its mode in words, then what the mode lists (registrars, hosts).
    const { mode, ...listed } = v as Record<string, unknown>;
    const lists = Object.values(listed).flatMap((x) => (Array.isArray(x) ? x : []));
    return (
      <span>
        {OPTION_LABELS[mode as string] ?? String(mode)}
        {lists.length > 0 && ': '}
        {lists.length > 0 && <code>{lists.join(', ')}</code>}
      </span>
    );
  }
  if (v !== null && typeof v === 'object') return <code>{JSON.stringify(v)}</code>;
  return <span>{shown(v)}</span>;
}

const TEMPLATE_LABELS = fieldLabels(templateFormGroups);

/** One change of the history: each field's old value struck through, its new one after; a deletion says so. */
function Change(props: { changes: HistoryRow['changes']; version: number | null }) {
  if (props.version === null) return <em>Template deleted, and its instances with it.</em>;
  return (
    <div class="diff">
      {Object.entries(props.changes).map(([field, change]) => (
        <div>
          <strong>{TEMPLATE_LABELS[field] ?? field}</strong>:{' '}
          {change.from !== null && (
            <del>
              <Value value={change.from} />
            </del>
          )}
          {change.from !== null && change.to !== null && ' → '}
          {change.to !== null && (
            <ins>
              <Value value={change.to} />
            </ins>
          )}
        </div>
      ))}
    </div>
  );
}

export function TemplateDetailPage(props: {
  viewer: ConsoleViewer;
  template: TemplateRow;
  usage: { instances: number; lastUsedAt: string | null };
  history: HistoryRow[];
  historyNext: string | null;
  historyAtStart: boolean;
  notice?: string;
}) {
  const t = props.template;
  const base = consolePath('templates', t.name);
  const { name: _n, version: _v, created_at: _c, updated_at: _u, ...config } = t;
  return (
    <ConsoleLayout title={`Template ${t.name}`} viewer={props.viewer} section="/templates">
      <h1>
        Template <code>{t.name}</code> <Enabled enabled={t.enabled} />
      </h1>
      {props.notice && (
        <p class="notice" role="status">
          {props.notice}
        </p>
      )}
      <div class="actions">
        <a class="button" href={`${base}/edit`}>
          Edit
        </a>
        <a class="button secondary" href={`${base}/instances`}>
          Instances ({props.usage.instances})
        </a>
        {t.enabled ? (
          <DangerLink href={`${base}/disable`}>Disable</DangerLink>
        ) : (
          <form method="post" action={`${base}/enable`}>
            <Csrf token={props.viewer.csrf} />
            <button type="submit" class="secondary">
              Enable
            </button>
          </form>
        )}
        <DangerLink href={`${base}/delete`}>Delete</DangerLink>
      </div>
      <div class="card">
        <dl>
          {Object.entries(config).map(([key, value]) => (
            <>
              <dt>{TEMPLATE_LABELS[key] ?? key}</dt>
              <dd>
                <Value value={value} />
              </dd>
            </>
          ))}
          <dt>Version</dt>
          <dd>
            {t.version}, changed {when(t.updated_at)} (created {when(t.created_at)})
          </dd>
          <dt>Last use</dt>
          <dd>{when(props.usage.lastUsedAt)}</dd>
        </dl>
      </div>
      <h2 id="history">History</h2>
      <Table
        head={['Version', 'When', 'What changed']}
        rows={props.history.map((h) => [
          h.version === 1 ? '1 (created)' : (h.version ?? '—'),
          when(h.changed_at),
          <Change changes={h.changes} version={h.version} />,
        ])}
      />
      <Pager base={base} next={props.historyNext} atStart={props.historyAtStart} />
    </ConsoleLayout>
  );
}

export function InstancesPage(props: {
  viewer: ConsoleViewer;
  template: string;
  instances: InstanceRow[];
  total: number;
  search: string;
  next: string | null;
  atStart: boolean;
}) {
  const base = consolePath('templates', props.template, 'instances');
  return (
    <ConsoleLayout title={`Instances of ${props.template}`} viewer={props.viewer} section="/templates">
      <h1>
        Instances of <a href={consolePath('templates', props.template)}>{props.template}</a>
      </h1>
      <p class="muted">{props.total} in all.</p>
      <div class="actions">
        <a class="button secondary" href={`${base}/rotate-secrets`}>
          Rotate all secrets
        </a>
        <DangerLink href={`${base}/revoke-all`}>Revoke all</DangerLink>
      </div>
      <form class="search" method="get" action={base}>
        <label for="q" style="margin:0">
          Client id starts with
          <input id="q" name="q" value={props.search} autocomplete="off" />
        </label>
        <button type="submit" class="secondary">
          Search
        </button>
      </form>
      {props.instances.length === 0 ? (
        <p class="card">{props.search ? 'No instance has a client id starting with that.' : 'No instances.'}</p>
      ) : (
        <Table
          head={['Client id', 'Registered', 'By client', 'By user', 'Initial access token', 'Last use', '']}
          rows={props.instances.map((i) => [
            <>
              <code>{i.client_id}</code>
              {i.client_name && <div class="muted">{i.client_name}</div>}
            </>,
            when(i.issued_at),
            i.created_by === 'open' ? <em>open registration</em> : i.created_by_client,
            i.created_by_user ?? '—',
            i.created_by_iat ? <code>{i.created_by_iat}</code> : '—',
            when(i.last_used_at),
            <a class="button danger" href={`${base}/${encodeURIComponent(i.client_id)}/revoke`}>
              Revoke
            </a>,
          ])}
        />
      )}
      <Pager base={base} next={props.next} atStart={props.atStart} query={props.search ? { q: props.search } : {}} />
    </ConsoleLayout>
  );
}

export function ClientsPage(props: { viewer: ConsoleViewer; clients: StaticClientRow[]; next: string | null; atStart: boolean }) {
  return (
    <ConsoleLayout title="Static clients" viewer={props.viewer} section="/clients">
      <h1>Static clients</h1>
      <p class="actions">
        <a class="button" href={`${CONSOLE_BASE}/clients/new`}>
          New static client
        </a>
      </p>
      <Table
        head={['Client id', 'Capabilities', 'Scopes', 'Created', 'Last use']}
        rows={props.clients.map((c) => [
          <>
            <a href={consolePath('clients', c.client_id)}>{c.client_id}</a>
            {c.client_name && <div class="muted">{c.client_name}</div>}
          </>,
          c.capabilities.join(', '),
          c.scopes.join(' ') || '—',
          when(c.issued_at),
          when(c.last_used_at),
        ])}
      />
      <Pager base={`${CONSOLE_BASE}/clients`} next={props.next} atStart={props.atStart} />
    </ConsoleLayout>
  );
}

export function UsersPage(props: { viewer: ConsoleViewer; users: UserRow[]; next: string | null; atStart: boolean }) {
  return (
    <ConsoleLayout title="Users" viewer={props.viewer} section="/users">
      <h1>Users</h1>
      <p class="actions">
        <a class="button" href={`${CONSOLE_BASE}/users/new`}>
          New user
        </a>
      </p>
      <Table
        head={['Username', 'Name', 'Email', 'Subject', 'Changed']}
        rows={props.users.map((u) => [
          <a href={consolePath('users', u.username)}>{u.username}</a>,
          u.claims.name ?? '—',
          u.claims.email ?? '—',
          <code>{u.sub}</code>,
          when(u.updated_at),
        ])}
      />
      <Pager base={`${CONSOLE_BASE}/users`} next={props.next} atStart={props.atStart} />
    </ConsoleLayout>
  );
}

/** What an audit event is about: its template, client and user, linked where the console shows them. */
function About(props: { event: AuditRow }) {
  const { template, client_id, user, subject } = props.event;
  return (
    <div>
      {template && (
        <div>
          template <a href={consolePath('templates', template)}>{template}</a>
        </div>
      )}
      {client_id && (
        <div>
          client <code>{client_id}</code>
        </div>
      )}
      {(user || subject) && <div>user {user ? <a href={consolePath('users', user)}>{user}</a> : <code>{subject}</code>}</div>}
    </div>
  );
}

/** An event's details, one per line; a template change names the fields it changed (its history shows how). */
const Details = (props: { details: Record<string, unknown> }) => {
  const entries = Object.entries(props.details);
  if (entries.length === 0) return <span>—</span>;
  return (
    <div>
      {entries.map(([key, value]) => (
        <div>
          {key}:{' '}
          <code>
            {key === 'changes' && value !== null && typeof value === 'object' ? Object.keys(value).join(', ') : JSON.stringify(value)}
          </code>
        </div>
      ))}
    </div>
  );
};

const AuditTable = (props: { events: AuditRow[] }) => (
  <Table
    head={['When', 'Event', 'About', 'Details', 'From']}
    rows={props.events.map((e) => [
      <span class="nowrap">{when(e.time)}</span>,
      <code class="nowrap">{e.type}</code>,
      <About event={e} />,
      <Details details={e.details} />,
      e.ip ?? '—',
    ])}
  />
);

const AUDIT_FILTERS = [
  ['client_id', 'Client id'],
  ['template', 'Template'],
  ['user', 'User (username or subject)'],
  ['since', 'Since (ISO 8601)'],
  ['until', 'Until'],
] as const;

/** The audit trail, newest first, filtered as GET /admin/v1/audit filters it. */
export function AuditPage(props: { viewer: ConsoleViewer; events: AuditRow[]; next: string | null; filters: Record<string, string> }) {
  const base = `${CONSOLE_BASE}/audit`;
  const { cursor, ...filters } = props.filters;
  return (
    <ConsoleLayout title="Activity" viewer={props.viewer} section="/audit">
      <h1>Activity</h1>
      <form class="card" method="get" action={base}>
        <div class="grid">
          <label for="f-type" style="margin:0">
            Event
            <select id="f-type" name="type">
              <option value="">any</option>
              {AUDIT_EVENT_TYPES.map((t) => (
                <option value={t} selected={filters.type === t}>
                  {t}
                </option>
              ))}
            </select>
          </label>
          {AUDIT_FILTERS.map(([name, label]) => (
            <label for={`f-${name}`} style="margin:0">
              {label}
              <input id={`f-${name}`} name={name} value={filters[name] ?? ''} autocomplete="off" />
            </label>
          ))}
        </div>
        <p class="actions">
          <button type="submit" class="secondary">
            Filter
          </button>
          <a href={base}>Clear</a>
        </p>
      </form>
      {props.events.length ? <AuditTable events={props.events} /> : <p class="card">No event matches.</p>}
      <Pager base={base} next={props.next} atStart={cursor === undefined} query={filters} />
    </ConsoleLayout>
  );
}
