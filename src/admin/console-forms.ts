import { claimsSchema } from '../users/schemas';
import { type FieldGroup, formGroups, type FormLayout } from './form-fields';
import { staticClientSchema, templateSchema } from './schemas';

/**
 * Where each field of the console's forms goes and what it is called, in the seed console's own terms. A schema
 * field not placed here still shows, under "Other settings", until it is.
 */

const labels: FormLayout['labels'] = {
  name: { label: 'Name', help: 'The software_id instances are registered with. Cannot be changed later.' },
  client_id: { label: 'Client id', help: 'Cannot be changed later.' },
  client_name: { label: 'Display name', help: 'Shown on the sign-in page; the name by default.' },
  enabled: { label: 'Enabled', help: 'Disabled: every request of its instances is refused (invalid_client).' },
  capabilities: { label: 'Capabilities' },
  redirect_uris: { label: 'Redirect URIs', help: 'One per line. Needed for the code flow.' },
  scopes: { label: 'Scopes', help: 'One per line or separated by spaces, e.g. openid.' },
  authenticators: { label: 'User authentication methods' },
  token_endpoint_auth_methods: { label: 'Client authentication methods', help: 'How instances authenticate with their secret.' },
  registration: { label: 'Registration authentication', help: 'Who may register instances, with a one-time initial access token.' },
  'registration.allowed_clients': { label: 'Registrars (static client ids)', help: 'One per line, e.g. server.' },
  'registration.via_clients': { label: 'Sign-in clients (static client ids)', help: 'Users sign in through these, asking for scope dcr.' },
  'registration.allowed_hosts': {
    label: 'Metadata document hosts',
    help: 'One per line: clients whose id is the https URL of their metadata document on one of these hosts.',
  },
  pkce_required: { label: 'Require PKCE', help: 'Off lets confidential clients skip PKCE: not recommended. Public clients always use it.' },
  resources: { label: 'Allowed resources (RFC 8707)', help: 'One per line: exact URLs, or https prefixes ending in /*.' },
  require_pushed_authorization_requests: {
    label: 'Require pushed authorization requests (PAR)',
    help: 'Authorization requests only through the PAR endpoint (RFC 9126).',
  },
  post_logout_redirect_uris: {
    label: 'Post-logout redirect URIs',
    help: 'One per line: where a logout may send users back to (exact match).',
  },
  logo_uri: { label: 'Logo URL', help: 'https; shown on the sign-in and consent pages.' },
  policy_uri: { label: 'Privacy policy URL', help: 'https; linked from the sign-in and consent pages.' },
  tos_uri: { label: 'Terms of service URL', help: 'https; linked from the sign-in and consent pages.' },
  access_token_ttl: { label: 'Access token lifetime (seconds)' },
  refresh_token_ttl: { label: 'Refresh token lifetime (seconds)' },
  id_token_signed_response_alg: { label: 'ID token signing algorithm' },
  may_register_clients: { label: 'May register clients without a template', help: 'When non-templatized registration is on.' },
  resource_server: { label: 'Resource server', help: 'May introspect any token, not only its own.' },
};

/** What option values mean, where the value alone says little. */
export const OPTION_LABELS: Record<string, string> = {
  code: 'Authorization code flow',
  client_credentials: 'Client credentials',
  refresh: 'Refresh tokens',
  'username-password': 'Username and password',
  client_secret_basic: 'Secret, HTTP Basic',
  client_secret_post: 'Secret, in the form body',
  none: 'None: a public client, with PKCE',
  clients: 'Clients must authenticate (client credentials)',
  users: 'Users sign in through a client',
  open: 'Open: anyone, as a public client, without an initial access token',
  metadata_document: 'Client ID Metadata Documents on allowed hosts',
};

export const templateFormGroups = formGroups(templateSchema, {
  labels,
  groups: [
    { title: 'Template', fields: ['name', 'client_name', 'enabled'] },
    { title: 'Shown to users', fields: ['logo_uri', 'policy_uri', 'tos_uri'] },
    { title: 'Capabilities', fields: ['capabilities'] },
    { title: 'Redirect URIs', fields: ['redirect_uris', 'post_logout_redirect_uris'] },
    { title: 'User authentication methods', fields: ['authenticators'] },
    { title: 'Scopes', fields: ['scopes'] },
    { title: 'Client authentication', fields: ['token_endpoint_auth_methods', 'pkce_required', 'require_pushed_authorization_requests'] },
    { title: 'Registration authentication', fields: ['registration'] },
    { title: 'Allowed resources (RFC 8707)', fields: ['resources'] },
    { title: 'Lifetimes', fields: ['access_token_ttl', 'refresh_token_ttl'] },
    { title: 'ID token signing algorithm', fields: ['id_token_signed_response_alg'] },
  ],
});

export const staticClientFormGroups = formGroups(staticClientSchema, {
  labels: {
    ...labels,
    token_endpoint_auth_methods: { label: 'Client authentication methods', help: 'How it authenticates with its secret.' },
  },
  omit: ['client_secret'],
  groups: [
    { title: 'Client', fields: ['client_id', 'client_name'] },
    { title: 'Capabilities', fields: ['capabilities'] },
    { title: 'Redirect URIs', fields: ['redirect_uris', 'post_logout_redirect_uris'] },
    { title: 'Scopes', fields: ['scopes'] },
    { title: 'Client authentication', fields: ['token_endpoint_auth_methods', 'pkce_required', 'require_pushed_authorization_requests'] },
    { title: 'Allowed resources (RFC 8707)', fields: ['resources'] },
    { title: 'Shown to users', fields: ['logo_uri', 'policy_uri', 'tos_uri'] },
    { title: 'Lifetimes', fields: ['access_token_ttl', 'refresh_token_ttl'] },
    { title: 'ID token signing algorithm', fields: ['id_token_signed_response_alg'] },
    { title: 'Roles', fields: ['may_register_clients', 'resource_server'] },
  ],
});

/** The user's claims (OpenID Connect standard claims), under `claims.`. */
export const claimsFormGroups = formGroups(
  claimsSchema,
  {
    groups: [
      {
        title: 'Name',
        fields: [
          'claims.name',
          'claims.given_name',
          'claims.family_name',
          'claims.middle_name',
          'claims.nickname',
          'claims.preferred_username',
        ],
      },
      { title: 'Contact', fields: ['claims.email', 'claims.email_verified', 'claims.phone_number', 'claims.phone_number_verified'] },
      {
        title: 'Address',
        fields: ['street_address', 'locality', 'region', 'postal_code', 'country', 'formatted'].map((part) => `claims.address.${part}`),
      },
    ],
    labels: { 'claims.address.formatted': { label: 'Whole address, as printed on mail', help: 'Optional, beside the parts.' } },
  },
  'claims',
).map((g) => (g.title === 'Other settings' ? { ...g, title: 'Other claims' } : g));

/** A user's name and password; a new user's password may be left to the server (generated, shown once). */
export const userFormGroups = (isNew: boolean): FieldGroup[] => [
  {
    title: 'User',
    fields: [
      { name: 'username', label: 'Username', kind: 'text', required: true, ...(isNew ? {} : { help: 'Cannot be changed.' }) },
      {
        name: 'password',
        label: isNew ? 'Password' : 'New password',
        kind: 'password',
        required: false,
        help: isNew ? 'At least 8 characters. Leave empty to have one generated and shown once.' : 'Leave empty to keep the current one.',
      },
    ],
  },
  ...claimsFormGroups,
];

/** "Redirect URIs" for `redirect_uris`: the form's label of each field, for pages that show a configuration. */
export const fieldLabels = (groups: FieldGroup[]): Record<string, string> =>
  Object.fromEntries(groups.flatMap((g) => g.fields).map((f) => [f.name, f.label]));
