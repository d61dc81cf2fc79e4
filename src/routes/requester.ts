import type { Client } from '../oauth/client';
import type { Requester } from '../views/requester';

/** What the pages show of a client. */
export function requesterOf(client: Client): Requester {
  const { logo_uri, policy_uri, tos_uri } = client.presentation;
  return {
    applicationName: client.applicationName,
    ...(client.clientName === client.applicationName ? {} : { ownName: client.clientName }),
    unverified: client.unverified,
    ...(logo_uri === undefined ? {} : { logoUri: logo_uri }),
    ...(policy_uri === undefined ? {} : { policyUri: policy_uri }),
    ...(tos_uri === undefined ? {} : { tosUri: tos_uri }),
  };
}

/** Where an error page may send the user back to: the origin of one of the client's registered https redirect URIs. */
export function backTo(client: Client): string | undefined {
  const registered = client.redirectUris.find((uri) => uri.startsWith('https://'));
  return registered === undefined ? undefined : new URL(registered).origin;
}
