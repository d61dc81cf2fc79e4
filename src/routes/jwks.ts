import { Hono } from 'hono';
import type { AppEnv } from './types';

export const JWKS_PATH = '/oauth/v2/oauth-anonymous/jwks';

export const jwksRoutes = new Hono<AppEnv>().get(JWKS_PATH, async (c) => {
  const { jwks } = await c.get('deps').keys();
  return c.json(jwks, 200, { 'Cache-Control': 'public, max-age=300', 'Content-Type': 'application/jwk-set+json' });
});
