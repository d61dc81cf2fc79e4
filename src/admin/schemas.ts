import { z } from 'zod';
import { redirectUriProblem } from '../oauth/redirect-uris';
import { SCOPE_TOKEN, DCR_SCOPE } from '../oauth/scopes';
import { allowedResourceProblem } from '../oauth/resources';
import { hostProblem } from '../dcr/metadata-document-url';
import { isHttpsUrl } from '../dcr/presentation';
import { jwksProblem, jwksUriProblem } from '../oauth/client-keys';
import { sectorIdentifierUriProblem } from '../dcr/sector-identifier';
import { pairwiseSectorProblem } from '../oauth/pairwise-sector';
import {
  AUDIT_EVENT_TYPES,
  AUTHENTICATORS,
  CAPABILITIES,
  CLIENT_AUTH_METHODS,
  CLIENT_SIGNING_ALGS,
  ID_TOKEN_ALGS,
  type PublicJwkSet,
  SECRET_AUTH_METHODS,
  SUBJECT_TYPES,
  type StaticClientConfig,
  type TemplateConfig,
} from '../model';

/** What the admin API accepts for templates and static clients, typed against the domain model. Errors name the field. */

const name = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit');

const redirectUri = z.string().superRefine((uri, ctx) => {
  const problem = redirectUriProblem(uri);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const scopes = z
  .array(z.string().regex(SCOPE_TOKEN, 'must be a scope token (printable ASCII, no space, quote or backslash)'))
  .refine((list) => !list.includes(DCR_SCOPE), `"${DCR_SCOPE}" is granted through a template's registration setting, not listed`);

const unique = <T extends z.ZodTypeAny>(item: T) =>
  z.array(item).refine((list) => new Set(list).size === list.length, 'must not repeat a value');

export const ttl = z.number().int().min(1).max(31_536_000);

const problemFree = (problem: (value: string) => string | null) =>
  z.string().superRefine((value, ctx) => {
    const found = problem(value);
    if (found) ctx.addIssue({ code: 'custom', message: found });
  });

const httpsUrl = z.string().refine(isHttpsUrl, 'must be an https URL (no user information, no fragment)');

/** A JWK Set of public signature keys (src/oauth/client-keys.ts); one JSON field in the console. */
const jwks = z
  .record(z.string(), z.unknown())
  .superRefine((value, ctx) => {
    const found = jwksProblem(value);
    if (found) ctx.addIssue({ code: 'custom', message: found });
  })
  .transform((value) => value as unknown as PublicJwkSet);

/** What a template and a static client share beyond the basics: auth methods, PKCE, resources, what pages show. */
const clientPolicy = {
  /** `none` lets clients be public (no secret; PKCE always); `private_key_jwt` use their own keys (no secret). */
  token_endpoint_auth_methods: unique(z.enum(CLIENT_AUTH_METHODS))
    .min(1)
    .default([...SECRET_AUTH_METHODS]),
  /** false lets confidential clients skip PKCE: not recommended (README "PKCE"). */
  pkce_required: z.boolean().default(true),
  /** RFC 9449 5.2: token requests without a DPoP proof are refused. */
  dpop_bound_access_tokens: z.boolean().default(false),
  /** RFC 8707 resources tokens may be asked for: exact URLs, or https prefixes ending in "/*". */
  resources: unique(problemFree(allowedResourceProblem)).default([]),
  /** RFC 9126 6: authorization requests only through the pushed authorization request endpoint. */
  require_pushed_authorization_requests: z.boolean().default(false),
  /** Where an RP-initiated logout may send the browser back to (OpenID Connect RP-Initiated Logout 1.0, exact match). */
  post_logout_redirect_uris: unique(redirectUri).default([]),
  logo_uri: httpsUrl.optional(),
  policy_uri: httpsUrl.optional(),
  tos_uri: httpsUrl.optional(),
  /** OpenID Connect Core 8: "pairwise" gives each sector its own `sub` for a user (README "Pairwise subjects"). */
  subject_type: z.enum(SUBJECT_TYPES).default('public'),
  /** Its host is the pairwise sector; its JSON array must list every redirect URI (read when written). */
  sector_identifier_uri: problemFree(sectorIdentifierUriProblem).optional(),
  /** Userinfo answers a JWT signed with this algorithm; absent: JSON. */
  userinfo_signed_response_alg: z.enum(ID_TOKEN_ALGS).optional(),
};

/** OpenID Connect Core 8.1: a pairwise client needs a sector (its sector_identifier_uri, or one redirect host). */
function refinePairwise(t: Parameters<typeof pairwiseSectorProblem>[0], ctx: z.RefinementCtx) {
  const problem = pairwiseSectorProblem(t);
  if (problem) ctx.addIssue({ code: 'custom', path: ['sector_identifier_uri'], message: problem });
}

/** A public client has nothing to authenticate client_credentials with. */
function refinePublicClients(t: { capabilities: string[]; token_endpoint_auth_methods: string[] }, ctx: z.RefinementCtx) {
  if (t.capabilities.includes('client_credentials') && t.token_endpoint_auth_methods.every((m) => m === 'none')) {
    ctx.addIssue({
      code: 'custom',
      path: ['token_endpoint_auth_methods'],
      message: 'client_credentials needs a secret method or private_key_jwt',
    });
  }
}

export const templateSchema = z
  .object({
    name,
    client_name: z.string().min(1).max(200).optional(),
    capabilities: unique(z.enum(CAPABILITIES)).min(1),
    redirect_uris: unique(redirectUri).default([]),
    scopes: scopes.default([]),
    authenticators: unique(z.enum(AUTHENTICATORS))
      .min(1)
      .default([...AUTHENTICATORS]),
    ...clientPolicy,
    // Who may register instances: static clients by client_credentials ("clients"), users who log in through the
    // code flow of a designated static client, asking for scope "dcr" ("users"), anyone as a public client without
    // an IAT ("open"), or clients whose id is the https URL of their metadata document on an allowed host
    // ("metadata_document").
    registration: z.discriminatedUnion('mode', [
      z.strictObject({ mode: z.literal('clients'), allowed_clients: unique(name).min(1) }),
      z.strictObject({ mode: z.literal('users'), via_clients: unique(name).min(1) }),
      z.strictObject({ mode: z.literal('open') }),
      z.strictObject({ mode: z.literal('metadata_document'), allowed_hosts: unique(problemFree(hostProblem)).min(1) }),
    ]),
    access_token_ttl: ttl.default(3600),
    refresh_token_ttl: ttl.default(3600),
    id_token_signed_response_alg: z.enum(ID_TOKEN_ALGS).default('RS256'),
    enabled: z.boolean().default(true),
  })
  .strict()
  .superRefine((t, ctx) => {
    if (t.capabilities.includes('code') && t.redirect_uris.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['redirect_uris'], message: 'the code capability needs at least one redirect URI' });
    }
    if (t.capabilities.includes('refresh') && !t.capabilities.includes('code')) {
      ctx.addIssue({ code: 'custom', path: ['capabilities'], message: '"refresh" needs "code"' });
    }
    if (
      (t.registration.mode === 'open' || t.registration.mode === 'metadata_document') &&
      !t.token_endpoint_auth_methods.includes('none')
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['token_endpoint_auth_methods'],
        message: `registration mode "${t.registration.mode}" makes public clients: it needs "none"`,
      });
    }
    refinePublicClients(t, ctx);
    refinePairwise(t, ctx);
  }) satisfies z.ZodType<TemplateConfig, unknown>;

/** A static client authenticates with one kind of credential: with keys (`private_key_jwt`) alone, which it must then have. */
function refineKeys(
  client: { token_endpoint_auth_methods: string[]; client_secret?: string; jwks?: unknown; jwks_uri?: string },
  ctx: z.RefinementCtx,
) {
  const methods = client.token_endpoint_auth_methods;
  const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
  if (client.jwks !== undefined && client.jwks_uri !== undefined) issue('jwks_uri', 'set jwks or jwks_uri, not both');
  if (!methods.includes('private_key_jwt')) return;
  if (methods.length > 1) issue('token_endpoint_auth_methods', '"private_key_jwt" (the client\'s own keys) stands alone');
  if (client.client_secret !== undefined) issue('client_secret', 'a client authenticating with its keys has no secret');
  if (client.jwks === undefined && client.jwks_uri === undefined) issue('jwks', '"private_key_jwt" needs jwks or jwks_uri');
}

export const staticClientSchema = z
  .object({
    client_id: name,
    client_name: z.string().min(1).max(200).optional(),
    /** Omit to have one generated; given secrets must be long enough to resist guessing. */
    client_secret: z.string().min(32).max(512).optional(),
    capabilities: unique(z.enum(CAPABILITIES)).min(1).default(['client_credentials']),
    redirect_uris: unique(redirectUri).default([]),
    scopes: scopes.default([]),
    ...clientPolicy,
    access_token_ttl: ttl.default(3600),
    refresh_token_ttl: ttl.default(3600),
    id_token_signed_response_alg: z.enum(ID_TOKEN_ALGS).default('RS256'),
    /** Earns the client IATs for non-templatized registration (when that mode is on). */
    may_register_clients: z.boolean().default(false),
    /** A designated resource server: may introspect any token, not only its own. */
    resource_server: z.boolean().default(false),
    /** Its public keys, for private_key_jwt and request objects: a JWK Set, or the https URL where it publishes one. */
    jwks: jwks.optional(),
    jwks_uri: problemFree(jwksUriProblem).optional(),
    /** Pins the alg of its client assertions, or of its request objects. */
    token_endpoint_auth_signing_alg: z.enum(CLIENT_SIGNING_ALGS).optional(),
    request_object_signing_alg: z.enum(CLIENT_SIGNING_ALGS).optional(),
  })
  .strict()
  .superRefine((client, ctx) => {
    refinePublicClients(client, ctx);
    refineKeys(client, ctx);
    refinePairwise(client, ctx);
    // A static client has one secret or none: public (`none` alone) or confidential.
    if (client.token_endpoint_auth_methods.includes('none') && client.token_endpoint_auth_methods.length > 1) {
      ctx.addIssue({ code: 'custom', path: ['token_endpoint_auth_methods'], message: '"none" (a public client) stands alone' });
    }
    if (client.token_endpoint_auth_methods.includes('none') && client.client_secret !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['client_secret'], message: 'a public client ("none") has no secret' });
    }
  }) satisfies z.ZodType<StaticClientConfig & { client_id: string; client_secret?: string }, unknown>;

const instant = z
  .string()
  .refine((value) => !Number.isNaN(Date.parse(value)), 'must be a time in ISO 8601, e.g. 2026-01-31T12:00:00Z')
  .transform((value) => Date.parse(value));

const filterValue = z.string().min(1).max(256).optional();

/** The query of GET /admin/v1/audit: filters, a time range (`since` inclusive, `until` exclusive) and a page. */
export const auditQuerySchema = z.strictObject({
  type: z.enum(AUDIT_EVENT_TYPES).optional(),
  client_id: filterValue,
  template: filterValue,
  user: filterValue,
  since: instant.optional(),
  until: instant.optional(),
  cursor: z
    .string()
    .regex(/^\d{1,16}\.\d{1,16}$/, 'must be the next_cursor of an earlier page')
    .transform((value) => {
      const [at, id] = value.split('.').map(Number);
      return { at: at!, id: id! };
    })
    .optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
