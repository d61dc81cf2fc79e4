import { Hono } from 'hono';
import type { AppEnv } from './types';
import { jsonObjectBody } from '../http';
import { conflict, notFound, validBody } from './admin-common';
import { newUserSchema, userUpdateSchema } from '../users/schemas';
import { hashPassword } from '../users/password';
import { randomToken } from '../tokens/secrets';
import * as users from '../storage/users';

/** Admin API for the users of the username/password authenticator, mounted at /admin/v1/users behind the admin token. Password hashes are never shown. */

const iso = (ms: number) => new Date(ms).toISOString();

const userView = (user: users.StoredUser) => ({
  username: user.username,
  sub: user.subject,
  claims: user.claims,
  created_at: iso(user.createdAt),
  updated_at: iso(user.updatedAt),
});

export const adminUserRoutes = new Hono<AppEnv>()
  .get('/', async (c) => c.json((await users.listUsers(c.get('deps').db)).map(userView)))
  .post('/', async (c) => {
    const { username, password, claims } = await validBody(jsonObjectBody(c), newUserSchema);
    const { db, now } = c.get('deps');
    const created = await users.insertUser(db, {
      username,
      subject: randomToken(16),
      passwordHash: await hashPassword(password),
      claims,
      now,
    });
    if (!created) throw conflict(`user "${username}"`);
    return c.json(userView((await users.getUser(db, username))!), 201);
  })
  .get('/:username', async (c) => {
    const user = await users.getUser(c.get('deps').db, c.req.param('username'));
    if (!user) throw notFound(`user "${c.req.param('username')}"`);
    return c.json(userView(user));
  })
  .put('/:username', async (c) => {
    const username = c.req.param('username');
    const { password, claims } = await validBody(jsonObjectBody(c), userUpdateSchema);
    const { db, now } = c.get('deps');
    const passwordHash = password === undefined ? undefined : await hashPassword(password);
    const updated = await users.updateUser(db, { username, passwordHash, claims, now });
    if (!updated) throw notFound(`user "${username}"`);
    return c.json(userView(updated));
  })
  .delete('/:username', async (c) => {
    if (!(await users.deleteUser(c.get('deps').db, c.req.param('username')))) throw notFound(`user "${c.req.param('username')}"`);
    return c.body(null, 204);
  });
