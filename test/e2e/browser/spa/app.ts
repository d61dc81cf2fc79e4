import { UserManager, WebStorageStateStore } from 'oidc-client-ts';

/**
 * A single-page app on its own origin, as a browser app is written with oidc-client-ts: discovery, the code flow
 * with PKCE, the token exchange, userinfo and a refresh, all from the page by fetch (so CORS decides). The test opens
 * index.html with the issuer and client id in the query; the page keeps them in sessionStorage across the sign-in.
 */

type Report = Record<string, unknown>;
declare global {
  interface Window {
    signIn(): Promise<void>;
    refresh(): Promise<Report>;
  }
}

const query = new URLSearchParams(location.search);
if (query.has('issuer')) sessionStorage.setItem('spa', JSON.stringify({ issuer: query.get('issuer'), clientId: query.get('client_id') }));
const { issuer, clientId } = JSON.parse(sessionStorage.getItem('spa') ?? '{}') as { issuer: string; clientId: string };

const manager = new UserManager({
  authority: issuer,
  client_id: clientId,
  redirect_uri: `${location.origin}/callback.html`,
  response_type: 'code',
  // profile: the name comes from userinfo, so seeing it proves the library called userinfo.
  scope: 'openid profile',
  loadUserInfo: true,
  automaticSilentRenew: false,
  userStore: new WebStorageStateStore({ store: sessionStorage }),
});

function show(report: Report) {
  const out = document.getElementById('result')!;
  out.textContent = JSON.stringify(report);
  out.dataset.done = String(Number(out.dataset.done ?? 0) + 1);
  return report;
}

window.signIn = () => manager.signinRedirect();

window.refresh = async () => {
  const before = await manager.getUser();
  const after = await manager.signinSilent();
  return show({
    refreshed: after!.access_token !== before!.access_token,
    refreshTokenRotated: after!.refresh_token !== before!.refresh_token,
  });
};

if (location.pathname.endsWith('/callback.html')) {
  manager
    .signinRedirectCallback()
    .then(async (user) => {
      // The keys too, as a browser app that checks ID tokens itself would fetch them.
      const { jwks_uri } = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
      const { keys } = await (await fetch(jwks_uri)).json();
      show({ sub: user.profile.sub, name: user.profile.name, scope: user.scope, hasRefreshToken: !!user.refresh_token, keys: keys.length });
    })
    .catch((error: Error) => show({ error: error.message }));
}
