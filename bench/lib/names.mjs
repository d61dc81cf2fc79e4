/** Names shared by the report and the chart. */

export const OPERATIONS = [
  ['discovery', 'discovery GET'],
  ['jwks', 'JWKS GET'],
  ['client_credentials', 'client_credentials'],
  ['registration', 'registration'],
  ['code', 'code exchange'],
  ['refresh', 'refresh'],
];
export const PEERS = ['node-oidc-provider', 'workers-oauth-provider'];
export const CACHED = 'edge-dcr (cached)';

/** edge-dcr's servers in this run, in report order: the working tree, the base commit, the cached variant. */
export function edgeServers({ servers, base }) {
  return ['edge-dcr', base?.name, CACHED].filter((name) => name && servers[name]);
}

/** How a server is named in the report: with a base commit in the run, the working tree's edge-dcr says so. */
export const displayName = (name, { base }) => (name === 'edge-dcr' && base ? 'edge-dcr (tree)' : name);
