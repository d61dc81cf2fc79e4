import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from './routes/types';
import { requestDeps, type AppOptions, type RequestDeps } from './deps';
import { configurationOf } from './configuration';
import { ConfigurationError } from './env';
import { OAuthError, serverError } from './errors';
import { errorResponse } from './http';
import { TOKEN_PATH, tokenRoutes } from './routes/token';
import { registrationRoutes } from './routes/registration';
import { discoveryRoutes } from './routes/discovery';
import { JWKS_PATH, jwksRoutes } from './routes/jwks';
import { adminRoutes } from './routes/admin';
import { consoleRoutes } from './routes/console';
import { authorizeRoutes } from './routes/authorize';
import { USERINFO_PATH, userinfoRoutes } from './routes/userinfo';
import { REVOCATION_PATH, introspectionRoutes } from './routes/introspection';
import { REGISTRATION_PATH } from './dcr/paths';
import { healthRoutes } from './routes/health';
import { PAR_PATH, parRoutes } from './routes/par';
import { logoutRoutes } from './routes/logout';
import { answeringRoute, requestLog } from './request-log';
import { logError } from './log';

/** Largest request body accepted anywhere; registration metadata and forms are far smaller. */
const MAX_BODY_BYTES = 64 * 1024;

/**
 * What browser apps and browser-based agents call from their own origin (OpenID Connect Core 5.3 asks it of
 * userinfo; a browser app pushes its authorization requests too). All are bearer- or client-authenticated, never by
 * cookie, so any origin may read them and no credentials are allowed. Never the authorization endpoint (its login and
 * consent forms), the logout endpoint, or the admin API.
 */
const CROSS_ORIGIN_PATHS = [
  '/.well-known/openid-configuration',
  '/.well-known/oauth-authorization-server',
  JWKS_PATH,
  TOKEN_PATH,
  PAR_PATH,
  USERINFO_PATH,
  REVOCATION_PATH,
  REGISTRATION_PATH,
  `${REGISTRATION_PATH}/*`,
];
const crossOrigin = cors({
  origin: '*',
  allowMethods: ['GET', 'POST', 'PUT', 'DELETE'],
  allowHeaders: ['Authorization', 'Content-Type', 'DPoP'],
  // DPoP-Nonce: a browser app's DPoP client must read the nonce it is asked to use (RFC 9449 8).
  exposeHeaders: ['WWW-Authenticate', 'DPoP-Nonce'],
  maxAge: 600,
});

export function createApp(options: AppOptions = {}) {
  const app = new Hono<AppEnv>();

  app.use(requestLog);
  // Before the configuration check, so that even its server_error is readable cross-origin.
  for (const path of CROSS_ORIGIN_PATHS) app.use(path, crossOrigin);
  app.route('/', healthRoutes(options));
  // Past the health checks: the configuration must hold (else a server_error naming each problem); the request's
  // services; its audit events stored once the response is ready, off its path.
  app.use(async (c, next) => {
    let deps: RequestDeps;
    try {
      const requestId = c.get('requestId');
      const background = (what: string, work: Promise<unknown>) =>
        c.executionCtx.waitUntil(work.catch((error) => logError(requestId, { description: `${what} failed` }, error)));
      deps = requestDeps({ env: c.env, request: c.req.raw, requestId, background }, options, await configurationOf(c.env));
    } catch (error) {
      if (error instanceof ConfigurationError) throw serverError(error.message);
      throw error;
    }
    c.set('deps', deps);
    await next();
    deps.audit.flush();
  });
  app.use(
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new OAuthError('invalid_request', `the request body is larger than ${MAX_BODY_BYTES} bytes`, 413);
      },
    }),
  );

  app.route('/', discoveryRoutes);
  app.route('/', jwksRoutes);
  app.route('/', tokenRoutes);
  app.route('/', authorizeRoutes);
  app.route('/', parRoutes);
  app.route('/', logoutRoutes);
  app.route('/', userinfoRoutes);
  app.route('/', introspectionRoutes);
  app.route('/', registrationRoutes);
  app.route('/', adminRoutes);
  app.route('/', consoleRoutes);

  app.notFound((c) => {
    c.set('errorCode', 'not_found');
    return errorResponse(new OAuthError('not_found', 'no such endpoint', 404));
  });
  app.onError((thrown, c) => {
    const error = asOAuthError(thrown);
    c.set('errorCode', error.code);
    // The operator's problems (configuration, storage, bugs) are logged, once; the client's are only answered.
    if (error.status >= 500) {
      logError(c.get('requestId'), { route: answeringRoute(c), error: error.code, description: error.description }, error.cause);
    }
    return errorResponse(error);
  });
  return app;
}

/** What the client is told: an OAuthError as thrown; anything unexpected as a bare `server_error`, its cause kept for the log. */
function asOAuthError(error: Error): OAuthError {
  if (error instanceof OAuthError) return error;
  if (error instanceof HTTPException && error.status < 500) {
    return new OAuthError('invalid_request', error.message || 'bad request', error.status);
  }
  return serverError('internal error', error);
}
