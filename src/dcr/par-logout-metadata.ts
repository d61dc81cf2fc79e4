import { invalidClientMetadata } from '../errors';
import { redirectUriProblem } from '../oauth/redirect-uris';
import { isStringArray } from './metadata-rules';
import type { ClientConfig } from '../model';

/**
 * Registration metadata of a client registered without a template for pushed authorization requests (RFC 9126 6:
 * `require_pushed_authorization_requests`) and RP-initiated logout (`post_logout_redirect_uris`, validated as redirect
 * URIs are). Only what was asked for is stored; the answer echoes the effective values (src/dcr/client-response.ts).
 */
export function parAndLogoutConfig(
  metadata: Record<string, unknown>,
): Pick<ClientConfig, 'require_pushed_authorization_requests' | 'post_logout_redirect_uris'> {
  const { require_pushed_authorization_requests: requirePar, post_logout_redirect_uris: uris } = metadata;
  if (requirePar !== undefined && typeof requirePar !== 'boolean') {
    throw invalidClientMetadata('require_pushed_authorization_requests must be a boolean');
  }
  if (uris !== undefined && !isStringArray(uris)) throw invalidClientMetadata('post_logout_redirect_uris must be an array of strings');
  (uris ?? []).forEach((uri, index) => {
    const problem = redirectUriProblem(uri);
    if (problem) throw invalidClientMetadata(`post_logout_redirect_uris.${index}: ${problem}`);
  });
  return {
    ...(requirePar === true ? { require_pushed_authorization_requests: true } : {}),
    ...(uris?.length ? { post_logout_redirect_uris: [...new Set(uris)] } : {}),
  };
}
