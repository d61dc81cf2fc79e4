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
  token_endpoint_auth_methods: {
    label: 'Client authentication methods',
    help: 'How instances authenticate: with their secret, their own keys (each registers its jwks) or nothing (public).',
  },
  registration: { label: 'Registration authentication', help: 'Who may register instances, with a one-time initial access token.' },
  'registration.allowed_clients': { label: 'Registrars (static client ids)', help: 'One per line, e.g. server.' },
  'registration.via_clients': { label: 'Sign-in clients (static client ids)', help: 'Users sign in through these, asking for scope dcr.' },
  'registration.allowed_hosts': {
    label: 'Metadata document hosts',
    help: 'One per line: clients whose id is the https URL of their metadata document on one of these hosts.',
  },
  pkce_required: { label: 'Require PKCE', help: 'Off lets confidential clients skip PKCE: not recommended. Public clients always use it.' },
  dpop_bound_access_tokens: {
    label: 'Require DPoP',
    help: 'Every token request must carry a DPoP proof (RFC 9449): its tokens are then bound to the key the client proves.',
  },
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
  subject_type: {
    label: 'Subject identifiers',
    help: 'Pairwise: each sector gets its own sub for a user. Switching changes the sub every client of it knows its users by.',
  },
  sector_identifier_uri: {
    label: 'Sector identifier URL',
    help: 'https; a JSON array listing every redirect URI. Its host is the sector; without it, the one host of the redirect URIs.',
  },
  userinfo_signed_response_alg: { label: 'Userinfo signing algorithm', help: 'Empty: userinfo answers JSON.' },
  may_register_clients: { label: 'May register clients without a template', help: 'When non-templatized registration is on.' },
  resource_server: { label: 'Resource server', help: 'May introspect any token, not only its own.' },
  jwks: { label: 'Public keys (JWK Set)', help: 'JSON: {"keys": [...]}, public keys only. For private_key_jwt and request objects.' },
  jwks_uri: {
    label: 'Public keys URL (jwks_uri)',
    help: 'https, on a public host: where the client publishes its JWK Set. Or jwks, not both.',
  },
  token_endpoint_auth_signing_alg: {
    label: 'Client assertion algorithm',
    help: 'Only this one for private_key_jwt; empty: any announced.',
  },
  request_object_signing_alg: { label: 'Request object algorithm', help: 'Only this one for request objects; empty: any announced.' },
};

/** What option values mean, where the value alone says little. */
export const OPTION_LABELS: Record<string, string> = {
  code: 'Authorization code flow',
  client_credentials: 'Client credentials',
  refresh: 'Refresh tokens',
  'username-password': 'Username and password',
  client_secret_basic: 'Secret, HTTP Basic',
  client_secret_post: 'Secret, in the form body',
  private_key_jwt: 'Keys: a JWT signed with the client’s own key (private_key_jwt)',
  none: 'None: a public client, with PKCE',
  clients: 'Clients must authenticate (client credentials)',
  users: 'Users sign in through a client',
  open: 'Open: anyone, as a public client, without an initial access token',
  metadata_document: 'Client ID Metadata Documents on allowed hosts',
  public: 'Public: one sub per user',
  pairwise: 'Pairwise: one sub per user and sector',
};

const SUBJECT_FIELDS = ['subject_type', 'sector_identifier_uri', 'userinfo_signed_response_alg'];

export const templateFormGroups = formGroups(templateSchema, {
  labels,
  groups: [
    { title: 'Template', fields: ['name', 'client_name', 'enabled'] },
    { title: 'Shown to users', fields: ['logo_uri', 'policy_uri', 'tos_uri'] },
    { title: 'Capabilities', fields: ['capabilities'] },
    { title: 'Redirect URIs', fields: ['redirect_uris', 'post_logout_redirect_uris'] },
    { title: 'User authentication methods', fields: ['authenticators'] },
    { title: 'Scopes', fields: ['scopes'] },
    {
      title: 'Client authentication',
      fields: ['token_endpoint_auth_methods', 'pkce_required', 'dpop_bound_access_tokens', 'require_pushed_authorization_requests'],
    },
    { title: 'Registration authentication', fields: ['registration'] },
    { title: 'Allowed resources (RFC 8707)', fields: ['resources'] },
    { title: 'Lifetimes', fields: ['access_token_ttl', 'refresh_token_ttl'] },
    { title: 'ID token signing algorithm', fields: ['id_token_signed_response_alg'] },
    { title: 'Subject identifiers and userinfo', fields: SUBJECT_FIELDS },
  ],
});

export const staticClientFormGroups = formGroups(staticClientSchema, {
  labels: {
    ...labels,
    token_endpoint_auth_methods: {
      label: 'Client authentication methods',
      help: 'How it authenticates: with its secret, its keys (private_key_jwt, alone) or nothing (none, alone: public).',
    },
  },
  omit: ['client_secret'],
  groups: [
    { title: 'Client', fields: ['client_id', 'client_name'] },
    { title: 'Capabilities', fields: ['capabilities'] },
    { title: 'Redirect URIs', fields: ['redirect_uris', 'post_logout_redirect_uris'] },
    { title: 'Scopes', fields: ['scopes'] },
    {
      title: 'Client authentication',
      fields: ['token_endpoint_auth_methods', 'pkce_required', 'dpop_bound_access_tokens', 'require_pushed_authorization_requests'],
    },
    { title: 'Keys', fields: ['jwks', 'jwks_uri', 'token_endpoint_auth_signing_alg', 'request_object_signing_alg'] },
    { title: 'Allowed resources (RFC 8707)', fields: ['resources'] },
    { title: 'Shown to users', fields: ['logo_uri', 'policy_uri', 'tos_uri'] },
    { title: 'Lifetimes', fields: ['access_token_ttl', 'refresh_token_ttl'] },
    { title: 'ID token signing algorithm', fields: ['id_token_signed_response_alg'] },
    { title: 'Subject identifiers and userinfo', fields: SUBJECT_FIELDS },
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
