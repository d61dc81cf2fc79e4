import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from './routes/types';
import { requestDeps, type AppOptions } from './deps';
import { OAuthError, serverError } from './errors';
import { errorResponse } from './http';
import { tokenRoutes } from './routes/token';
import { registrationRoutes } from './routes/registration';
import { discoveryRoutes } from './routes/discovery';
import { jwksRoutes } from './routes/jwks';
import { adminRoutes } from './routes/admin';
import { consoleRoutes } from './routes/console';
import { authorizeRoutes } from './routes/authorize';
import { userinfoRoutes } from './routes/userinfo';
import { introspectionRoutes } from './routes/introspection';

/** Largest request body accepted anywhere; registration metadata and forms are far smaller. */
const MAX_BODY_BYTES = 64 * 1024;

export function createApp(options: AppOptions = {}) {
  const app = new Hono<AppEnv>();

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
  app.route('/', consoleRoutes);

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
