import { Hono } from 'hono';
import type { AppEnv } from './types';
import { jsonObjectBody } from '../http';
import { conflict, notFound, validBody } from './admin-common';
import { newUserSchema, userUpdateSchema } from '../users/schemas';
import { hashPassword } from '../users/password';
import { randomToken } from '../tokens/secrets';
import { userView } from '../admin/views';

/** Admin API for the users of the username/password authenticator, mounted at /admin/v1/users behind the admin token. */
export const adminUserRoutes = new Hono<AppEnv>()
  .get('/', async (c) => c.json((await c.get('deps').store.users.list()).map(userView)))
  .post('/', async (c) => {
    const { username, password, claims } = await validBody(jsonObjectBody(c), newUserSchema);
    const { store, now, audit } = c.get('deps');
    const subject = randomToken(16);
    const created = await store.users.insert({ username, subject, passwordHash: await hashPassword(password), claims, now });
    if (!created) throw conflict(`user "${username}"`);
    audit.record('user.created', { username, subject });
    return c.json(userView((await store.users.get(username))!), 201);
  })
  .get('/:username', async (c) => {
    const user = await c.get('deps').store.users.get(c.req.param('username'));
    if (!user) throw notFound(`user "${c.req.param('username')}"`);
    return c.json(userView(user));
  })
  .put('/:username', async (c) => {
    const username = c.req.param('username');
    const { password, claims } = await validBody(jsonObjectBody(c), userUpdateSchema);
    const { store, now, audit } = c.get('deps');
    const passwordHash = password === undefined ? undefined : await hashPassword(password);
    const updated = await store.users.update({ username, passwordHash, claims, now });
    if (!updated) throw notFound(`user "${username}"`);
    audit.record('user.updated', {
      username,
      subject: updated.subject,
      details: { password_changed: password !== undefined, claims_changed: claims !== undefined },
    });
    return c.json(userView(updated));
  })
  .delete('/:username', async (c) => {
    const username = c.req.param('username');
    const { store, audit } = c.get('deps');
    const deleted = await store.users.delete(username);
    if (!deleted) throw notFound(`user "${username}"`);
    audit.record('user.deleted', { username, subject: deleted.subject });
    return c.body(null, 204);
  });
