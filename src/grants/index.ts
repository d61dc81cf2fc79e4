import type { GrantHandler } from './types';
import { clientCredentialsGrant } from './client-credentials';
import { authorizationCodeGrant } from './authorization-code';
import { refreshTokenGrant } from './refresh-token';

/** grant_type -> handler. A grant type missing here is `unsupported_grant_type`. */
export const GRANTS: Readonly<Record<string, GrantHandler>> = {
  client_credentials: clientCredentialsGrant,
  authorization_code: authorizationCodeGrant,
  refresh_token: refreshTokenGrant,
};
