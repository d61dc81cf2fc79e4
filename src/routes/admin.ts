import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from './types';
import { jsonObjectBody } from '../http';
import { notFound } from '../admin/input';
import {
  createStaticClient,
  createTemplate,
  createUser,
  revokeAllInstances,
  revokeInstance,
  rotateInstanceSecrets,
  staticClients,
  templates,
  users,
} from '../admin/resources';
import { clientView, historyView, settingsView } from '../admin/views';
import { noStore } from './admin-common';
import { requireAdminApi } from './admin-auth';
import { instancePageRequest, pageAnswer, pageRequest, viewWithEtag } from './admin-http';
import { resourceRoutes } from './admin-resources';
import { adminAuditRoutes } from './admin-audit';
import { openApiDocument } from '../admin/openapi';

export const adminRoutes = new Hono<AppEnv>()
  .basePath('/admin/v1')
  .use(noStore)
  .use(requireAdminApi)
  .get('/settings', (c) => c.json(settingsView(c.get('deps').settings)))
  .get('/openapi.json', (c) => c.json(openApiDocument()))
  .route('/audit', adminAuditRoutes)

  .post('/templates', async (c) => viewWithEtag(c, templates, await createTemplate(c.get('deps'), await jsonObjectBody(c)), 201))
  .route('/templates', resourceRoutes(templates, 'name'))
  .get('/templates/:name/history', async (c) => {
    const name = c.req.param('name');
    const request = pageRequest(c, z.number().int());
    const page = await c.get('deps').store.templates.history(name, request);
    if (page.items.length === 0 && request.after === undefined) throw notFound(templates.what(name));
    return c.json(pageAnswer(page, (h) => h.seq, historyView));
  })
  .get('/templates/:name/instances', async (c) => {
    const { store } = c.get('deps');
    const name = c.req.param('name');
    if (!(await store.templates.get(name))) throw notFound(templates.what(name));
    const { request, keyOf } = instancePageRequest(c);
    return c.json(pageAnswer(await store.clients.pageInstances(name, request), keyOf, clientView));
  })
  .delete('/templates/:name/instances', async (c) => c.json({ revoked: await revokeAllInstances(c.get('deps'), c.req.param('name')) }))
  // New secrets for every instance; the only time they are shown.
  .post('/templates/:name/instances/rotate-secrets', async (c) =>
    c.json({ rotated: await rotateInstanceSecrets(c.get('deps'), c.req.param('name')) }),
  )
  .delete('/templates/:name/instances/:clientId', async (c) => {
    await revokeInstance(c.get('deps'), c.req.param('name'), c.req.param('clientId'));
    return c.body(null, 204);
  })

  .post('/clients', async (c) => {
    // The secret is shown once, here; only its hash is kept.
    const { client, secret } = await createStaticClient(c.get('deps'), await jsonObjectBody(c));
    return viewWithEtag(c, staticClients, client, 201, secret === null ? {} : { client_secret: secret });
  })
  .route('/clients', resourceRoutes(staticClients, 'clientId'))

  .post('/users', async (c) => viewWithEtag(c, users, await createUser(c.get('deps'), await jsonObjectBody(c)), 201))
  .route('/users', resourceRoutes(users, 'username'));
