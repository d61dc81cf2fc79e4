import { invalidClientMetadata } from '../errors';
import { clientNameFrom, invalidRedirectUri, isStringArray, rejectServerAssigned, sameSet } from './metadata-rules';
import { grantTypesOf, responseTypesOf } from '../oauth/client';
import type { InstanceChoices, TemplateConfig } from '../model';
import { SCOPE_TOKEN } from '../oauth/scopes';
import { redirectUriMatches } from '../oauth/redirect-uri-match';
import { keysFrom } from './key-metadata';

/**
 * What a registration request may say besides `software_id`. An instance may pick its own name, redirect URIs
 * inside the template's (by the rule the authorization endpoint uses: a loopback URI on any port, RFC 8252 7.3) and
 * one of its auth methods (`none`, where allowed, makes it public) and its own keys (`jwks` or `jwks_uri`, for
 * `private_key_jwt` and request objects); any other metadata the template governs must
 * agree with the template. Nothing is ever widened. Metadata we do not know is ignored (RFC 7591 2).
 */
export function instanceChoicesFrom(metadata: Record<string, unknown>, template: TemplateConfig): InstanceChoices {
  rejectServerAssigned(metadata);
  const choices: InstanceChoices = keysFrom(metadata);
  const clientName = clientNameFrom(metadata);
  if (clientName !== undefined) choices.client_name = clientName;
  const { redirect_uris, token_endpoint_auth_method } = metadata;
  if (redirect_uris !== undefined) {
    if (!isStringArray(redirect_uris) || redirect_uris.length === 0) {
      throw invalidRedirectUri('redirect_uris must be a non-empty array of strings');
    }
    const foreign = redirect_uris.find((uri) => !template.redirect_uris.some((allowed) => redirectUriMatches(allowed, uri)));
    if (foreign !== undefined) throw invalidRedirectUri(`redirect_uris: ${JSON.stringify(foreign)} is not one of the template's`);
    // Asking for all of them is no choice: stay linked to the template's list as it changes.
    if (!sameSet(redirect_uris, template.redirect_uris)) choices.redirect_uris = [...new Set(redirect_uris)];
  }
  if (token_endpoint_auth_method !== undefined) {
    if (!template.token_endpoint_auth_methods.includes(token_endpoint_auth_method as never)) {
      throw invalidClientMetadata(`token_endpoint_auth_method must be one of ${template.token_endpoint_auth_methods.join(', ')}`);
    }
    choices.token_endpoint_auth_method = token_endpoint_auth_method as InstanceChoices['token_endpoint_auth_method'];
  }
  requireAgreement(metadata, template);
  return choices;
}

/** Metadata the template alone decides: accepted only when it says what the template says. */
function requireAgreement(metadata: Record<string, unknown>, template: TemplateConfig): void {
  const governed: Record<string, (value: unknown) => boolean> = {
    grant_types: (v) => isStringArray(v) && sameSet(v, grantTypesOf(template)),
    response_types: (v) => isStringArray(v) && sameSet(v, responseTypesOf(template)),
    scope: (v) => typeof v === 'string' && v.split(' ').every((t) => SCOPE_TOKEN.test(t)) && sameSet(v.split(' '), template.scopes),
    token_endpoint_auth_methods: (v) => isStringArray(v) && sameSet(v, template.token_endpoint_auth_methods),
    id_token_signed_response_alg: (v) => v === template.id_token_signed_response_alg,
    subject_type: (v) => v === (template.subject_type ?? 'public'),
    sector_identifier_uri: (v) => v === template.sector_identifier_uri,
    userinfo_signed_response_alg: (v) => v === template.userinfo_signed_response_alg,
    default_acr_values: (v) => isStringArray(v) && sameSet(v, template.authenticators),
    refresh_token_ttl: (v) => v === template.refresh_token_ttl,
    dpop_bound_access_tokens: (v) => v === (template.dpop_bound_access_tokens === true),
    require_pushed_authorization_requests: (v) => v === (template.require_pushed_authorization_requests === true),
    post_logout_redirect_uris: (v) => isStringArray(v) && sameSet(v, template.post_logout_redirect_uris ?? []),
  };
  for (const [field, agrees] of Object.entries(governed)) {
    if (field in metadata && !agrees(metadata[field])) {
      throw invalidClientMetadata(`${field} is set by the template "${template.name}" and cannot be changed`);
    }
  }
}
