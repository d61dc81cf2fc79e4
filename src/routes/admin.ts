import { Hono } from 'hono';
import type { AppEnv } from './types';
import { OAuthError } from '../errors';
import { NO_STORE, jsonObjectBody } from '../http';
import { randomToken, sha256Hex } from '../tokens/secrets';
import { staticClientSchema, templateSchema } from '../admin/schemas';
import { templateChanges } from '../admin/template-changes';
import { conflict, notFound, requireAdminToken, validBody } from './admin-common';
import { adminUserRoutes } from './admin-users';
import { adminAuditRoutes } from './admin-audit';
import { clientView, iso, settingsView, templateView } from '../admin/views';
import type { Store } from '../store/store';

async function existingTemplate(store: Store, name: string): Promise<string> {
  if (!(await store.templates.get(name))) throw notFound(`template "${name}"`);
  return name;
}

export const adminRoutes = new Hono<AppEnv>()
  .basePath('/admin/v1')
  .use(requireAdminToken)
  .route('/users', adminUserRoutes)
  .route('/audit', adminAuditRoutes)
  .get('/settings', (c) => c.json(settingsView(c.get('deps').settings)))

  .get('/templates', async (c) => c.json((await c.get('deps').store.templates.list()).map(templateView)))
  .post('/templates', async (c) => {
    const config = await validBody(jsonObjectBody(c), templateSchema);
    const { store, now, audit } = c.get('deps');
    const changes = templateChanges(null, config);
    if (!(await store.templates.insert(config, changes, now))) throw conflict(`template "${config.name}"`);
    audit.record('template.created', { template: config.name, details: { changes } });
    return c.json(templateView((await store.templates.get(config.name))!), 201);
  })
  .get('/templates/:name', async (c) => {
    const template = await c.get('deps').store.templates.get(c.req.param('name'));
    if (!template) throw notFound(`template "${c.req.param('name')}"`);
    return c.json(templateView(template));
  })
  .put('/templates/:name', async (c) => {
    const name = c.req.param('name');
    const config = await validBody(jsonObjectBody(c), templateSchema, { field: 'name', value: name });
    const { store, now, audit } = c.get('deps');
    const current = await store.templates.get(name);
    if (!current) throw notFound(`template "${name}"`);
    const changes = templateChanges(current.config, config);
    const result = await store.templates.replace(config, current.version, changes, now);
    if ('missing' in result) throw notFound(`template "${name}"`);
    if ('conflict' in result) throw new OAuthError('conflict', `template "${name}" changed meanwhile; read it again`, 409);
    audit.record('template.updated', { template: name, details: { version: result.template.version, changes } });
    return c.json(templateView(result.template));
  })
  .delete('/templates/:name', async (c) => {
    const { store, now, audit } = c.get('deps');
    const name = c.req.param('name');
    if (!(await store.templates.delete(name, now))) throw notFound(`template "${name}"`);
    audit.record('template.deleted', { template: name });
    return c.body(null, 204);
  })
  .get('/templates/:name/history', async (c) => {
    const history = await c.get('deps').store.templates.history(c.req.param('name'));
    if (history.length === 0) throw notFound(`template "${c.req.param('name')}"`);
    return c.json(history.map((h) => ({ version: h.version, changed_at: iso(h.changedAt), changes: h.changes })));
  })
  .get('/templates/:name/instances', async (c) => {
    const { store } = c.get('deps');
    const name = await existingTemplate(store, c.req.param('name'));
    return c.json((await store.clients.listInstances(name)).map(clientView));
  })
  // Revoke every instance of the template in one call.
  .delete('/templates/:name/instances', async (c) => {
    const { store, audit } = c.get('deps');
    const name = await existingTemplate(store, c.req.param('name'));
    const revoked = await store.clients.deleteAllInstances(name);
    audit.record('template.instances_deleted', { template: name, details: { count: revoked } });
    return c.json({ revoked });
  })
  // New secrets for every instance; the only time they are shown.
  .post('/templates/:name/instances/rotate-secrets', async (c) => {
    const { store } = c.get('deps');
    const name = await existingTemplate(store, c.req.param('name'));
    const confidential = (await store.clients.listInstances(name)).filter((instance) => instance.secretHash !== null);
    const rotated = await Promise.all(
      confidential.map(async ({ clientId }) => {
        const clientSecret = randomToken(32);
        return { clientId, clientSecret, secretHash: await sha256Hex(clientSecret) };
      }),
    );
    await store.clients.replaceInstanceSecrets(name, rotated);
    c.get('deps').audit.record('template.instance_secrets_rotated', { template: name, details: { count: rotated.length } });
    return c.json({ rotated: rotated.map((r) => ({ client_id: r.clientId, client_secret: r.clientSecret })) }, 200, NO_STORE);
  })
  .delete('/templates/:name/instances/:clientId', async (c) => {
    const { name, clientId } = c.req.param();
    const { store, audit } = c.get('deps');
    if (!(await store.clients.deleteInstance(name, clientId))) throw notFound(`instance "${clientId}" of "${name}"`);
    audit.record('template.instances_deleted', { template: name, clientId, details: { count: 1 } });
    return c.body(null, 204);
  })

  .get('/clients', async (c) => c.json((await c.get('deps').store.clients.listStatic()).map(clientView)))
  .post('/clients', async (c) => {
    const { client_id: clientId, client_secret: givenSecret, ...config } = await validBody(jsonObjectBody(c), staticClientSchema);
    const { store, now, audit } = c.get('deps');
    // A public client (`none`) gets no secret.
    const secret = config.token_endpoint_auth_methods.includes('none') ? null : (givenSecret ?? randomToken(32));
    if (!(await store.clients.insertStatic({ clientId, secretHash: secret && (await sha256Hex(secret)), config, now }))) {
      throw conflict(`client "${clientId}"`);
    }
    audit.record('static_client.created', { clientId });
    // The secret is shown once, here; only its hash is kept.
    return c.json({ ...clientView((await store.clients.getStatic(clientId))!), ...(secret ? { client_secret: secret } : {}) }, 201);
  })
  .get('/clients/:clientId', async (c) => {
    const client = await c.get('deps').store.clients.getStatic(c.req.param('clientId'));
    if (!client) throw notFound(`static client "${c.req.param('clientId')}"`);
    return c.json(clientView(client));
  })
  .put('/clients/:clientId', async (c) => {
    const clientId = c.req.param('clientId');
    const {
      client_id: _id,
      client_secret: secret,
      ...config
    } = await validBody(jsonObjectBody(c), staticClientSchema, {
      field: 'client_id',
      value: clientId,
    });
    const { store, audit } = c.get('deps');
    // Turning public drops the secret; a given secret replaces it.
    const secretHash = config.token_endpoint_auth_methods.includes('none')
      ? null
      : secret === undefined
        ? undefined
        : await sha256Hex(secret);
    if (!(await store.clients.updateStatic({ clientId, config, secretHash }))) throw notFound(`static client "${clientId}"`);
    audit.record('static_client.updated', { clientId, details: { secret_changed: secret !== undefined } });
    return c.json(clientView((await store.clients.getStatic(clientId))!));
  })
  .delete('/clients/:clientId', async (c) => {
    const clientId = c.req.param('clientId');
    const { store, audit } = c.get('deps');
    if (!(await store.clients.deleteStatic(clientId))) throw notFound(`static client "${clientId}"`);
    audit.record('static_client.deleted', { clientId });
    return c.body(null, 204);
  });
