import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from './routes/types';
import { requestDeps, type AppOptions } from './deps';
import { OAuthError, serverError } from './errors';
import { errorResponse } from './http';
import { TOKEN_PATH, tokenRoutes } from './routes/token';
import { registrationRoutes } from './routes/registration';
import { discoveryRoutes } from './routes/discovery';
import { JWKS_PATH, jwksRoutes } from './routes/jwks';
import { adminRoutes } from './routes/admin';
import { authorizeRoutes } from './routes/authorize';
import { USERINFO_PATH, userinfoRoutes } from './routes/userinfo';
import { REVOCATION_PATH, introspectionRoutes } from './routes/introspection';
import { REGISTRATION_PATH } from './dcr/paths';

/** Largest request body accepted anywhere; registration metadata and forms are far smaller. */
const MAX_BODY_BYTES = 64 * 1024;

/**
 * What browser apps and browser-based agents call from their own origin (OpenID Connect Core 5.3 asks it of
 * userinfo). All are bearer- or client-authenticated, never by cookie, so any origin may read them and no credentials
 * are allowed. Never the authorization endpoint (its login and consent forms) or the admin API.
 */
const CROSS_ORIGIN_PATHS = [
  '/.well-known/openid-configuration',
  '/.well-known/oauth-authorization-server',
  JWKS_PATH,
  TOKEN_PATH,
  USERINFO_PATH,
  REVOCATION_PATH,
  REGISTRATION_PATH,
  `${REGISTRATION_PATH}/*`,
];
const crossOrigin = cors({
  origin: '*',
  allowMethods: ['GET', 'POST', 'PUT', 'DELETE'],
  allowHeaders: ['Authorization', 'Content-Type', 'DPoP'],
  exposeHeaders: ['WWW-Authenticate'],
  maxAge: 600,
});

export function createApp(options: AppOptions = {}) {
  const app = new Hono<AppEnv>();

  for (const path of CROSS_ORIGIN_PATHS) app.use(path, crossOrigin);
  app.use(async (c, next) => {
    c.set('deps', requestDeps(c.env, c.req.raw, options));
    await next();
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
  app.route('/', userinfoRoutes);
  app.route('/', introspectionRoutes);
  app.route('/', registrationRoutes);
  app.route('/', adminRoutes);

  app.notFound(() => errorResponse(new OAuthError('not_found', 'no such endpoint', 404)));
  app.onError((error) => {
    if (error instanceof OAuthError) return errorResponse(error);
    if (error instanceof HTTPException && error.status < 500) {
      return errorResponse(new OAuthError('invalid_request', error.message || 'bad request', error.status));
    }
    // Unexpected: log for the operator, show the client nothing of the internals.
    console.error(error);
    return errorResponse(serverError('internal error'));
  });
  return app;
}
