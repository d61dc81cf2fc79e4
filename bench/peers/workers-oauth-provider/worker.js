// @cloudflare/workers-oauth-provider as a Worker: registration (open: the library has no initial access
// tokens), code flow with PKCE and refresh, tokens in KV. The authorization endpoint approves at once,
// as if the user had logged in and consented: the benchmark measures the token endpoint, not a login page.
import { OAuthProvider } from '@cloudflare/workers-oauth-provider';

const authorizationEndpoint = {
  async fetch(request, env) {
    if (new URL(request.url).pathname !== '/authorize') return new Response('not found', { status: 404 });
    const authRequest = await env.OAUTH_PROVIDER.parseAuthRequest(request);
    const { redirectTo } = await env.OAUTH_PROVIDER.completeAuthorization({
      request: authRequest,
      userId: 'bench-user',
      metadata: {},
      scope: authRequest.scope,
      props: {},
      // Codes are minted in bulk for one user and client: keep earlier grants alive.
      revokeExistingGrants: false,
    });
    return Response.redirect(redirectTo, 302);
  },
};

export default new OAuthProvider({
  apiRoute: '/api/',
  apiHandler: { fetch: () => new Response('api') },
  defaultHandler: authorizationEndpoint,
  authorizeEndpoint: '/authorize',
  tokenEndpoint: '/oauth/token',
  clientRegistrationEndpoint: '/register',
  scopesSupported: ['openid', 'api'],
  refreshTokenTTL: 3600,
  // Required by 1.x; the benchmark never calls the API, so a loopback identifier does.
  resourceMetadata: { resource: 'http://localhost/api/', authorization_servers: ['http://localhost'] },
});
