import * as client from 'openid-client';
import { REGISTRAR, e2e, issuer } from './context';

// http://127.0.0.1 in tests only; the library refuses plain HTTP otherwise.
export const insecure = { execute: [client.allowInsecureRequests] };

/** The static client `server` as openid-client sees it, found through discovery. */
export const registrarConfig = () => client.discovery(issuer, REGISTRAR, e2e.serverSecret, client.ClientSecretPost(), insecure);

/** SPEC.md steps 2 and 3 through openid-client: a fresh IAT, then an instance of `softwareId`. */
export async function registerInstance(softwareId: string): Promise<client.Configuration> {
  const iat = await client.clientCredentialsGrant(await registrarConfig(), { scope: 'dcr' });
  return client.dynamicClientRegistration(issuer, { software_id: softwareId }, client.ClientSecretBasic(), {
    ...insecure,
    initialAccessToken: iat.access_token,
  });
}
