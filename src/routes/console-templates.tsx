import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { AppEnv } from './types';
import { notFound } from '../admin/input';
import { createTemplate, revokeAllInstances, revokeInstance, rotateInstanceSecrets, templates } from '../admin/resources';
import { historyView, instanceView, iso, templateView } from '../admin/views';
import { templateFormGroups } from '../admin/console-forms';
import { valuesFromForm } from '../admin/form-fields';
import type { StoredTemplate } from '../model';
import { etagOf, instancePageRequest, pageAnswer, pageRequest } from './admin-http';
import { ETAG_FIELD, attempt, replaceSeen } from './console-forms';
import { page } from './console-render';
import { ConfirmPage, SecretsPage, consolePath } from '../views/console/parts';
import { InstancesPage, ResourceFormPage, TemplateDetailPage, TemplatesPage } from '../views/console/pages';

/** The console's templates: list, create, edit, enable / disable, delete, history, and each template's instances. */

type Ctx = Context<AppEnv>;

const SECTION = '/templates';
const LIST = consolePath('templates');

async function existing(c: Ctx): Promise<StoredTemplate> {
  const name = c.req.param('name')!;
  const template = await templates.read(c.get('deps'), name);
  if (!template) throw notFound(templates.what(name));
  return template;
}

async function usageOf(c: Ctx, name: string) {
  const usage = (await c.get('deps').store.templates.usage([name])).get(name);
  return { instances: usage?.instances ?? 0, lastUsedAt: usage?.lastUsedAt ? iso(usage.lastUsedAt) : null };
}

function formPage(
  c: Ctx,
  props: { title: string; action: string; values: Record<string, unknown>; editing?: StoredTemplate; etag?: string },
  refused?: { issues: { path: string; message: string }[]; message?: string; status: 400 | 404 | 409 },
) {
  return page(
    c,
    <ResourceFormPage
      viewer={c.get('viewer')}
      section={SECTION}
      title={props.title}
      action={props.action}
      groups={templateFormGroups}
      values={props.values}
      issues={refused?.issues ?? []}
      message={refused?.message}
      readOnly={props.editing ? ['name'] : []}
      hidden={props.etag ? { [ETAG_FIELD]: props.etag } : {}}
      submit={props.editing ? 'Save changes' : 'Create template'}
      cancel={props.editing ? consolePath('templates', props.editing.config.name) : LIST}
    />,
    refused?.status ?? 200,
  );
}

/** A template written from the console: enabled or disabled as asked, the rest as it is. */
async function setEnabled(c: Ctx, enabled: boolean) {
  const current = await existing(c);
  const result = await templates.replace(c.get('deps'), { ...current.config, enabled }, current);
  if (!('written' in result)) throw notFound(templates.what(current.config.name));
  return c.redirect(consolePath('templates', current.config.name), 303);
}

const confirm = (c: Ctx, props: { title: string; consequence: unknown; confirmLabel: string; cancel: string }) =>
  page(
    c,
    <ConfirmPage viewer={c.get('viewer')} section={SECTION} action={c.req.path} {...props} consequence={props.consequence as string} />,
  );

export const consoleTemplateRoutes = new Hono<AppEnv>()
  .get('/', async (c) => {
    const { store } = c.get('deps');
    const request = pageRequest(c, z.string());
    const found = await store.templates.page(request);
    const usage = await store.templates.usage(found.items.map((t) => t.config.name));
    const { next_cursor } = pageAnswer(found, templates.keyOf, () => null);
    const rows = found.items.map((t) => {
      const u = usage.get(t.config.name);
      return { ...templateView(t), usage: { instances: u?.instances ?? 0, lastUsedAt: u?.lastUsedAt ? iso(u.lastUsedAt) : null } };
    });
    return page(c, <TemplatesPage viewer={c.get('viewer')} templates={rows} next={next_cursor} atStart={request.after === undefined} />);
  })
  .get('/new', (c) => formPage(c, { title: 'New template', action: `${LIST}/new`, values: {} }))
  .post('/new', async (c) => {
    const values = valuesFromForm(templateFormGroups, c.get('form'));
    const outcome = await attempt(() => createTemplate(c.get('deps'), values));
    if ('done' in outcome) return c.redirect(consolePath('templates', outcome.done.config.name), 303);
    return formPage(c, { title: 'New template', action: `${LIST}/new`, values }, outcome.refused);
  })
  .get('/:name', async (c) => {
    const template = await existing(c);
    const name = template.config.name;
    const request = pageRequest(c, z.number().int());
    const history = await c.get('deps').store.templates.history(name, request);
    return page(
      c,
      <TemplateDetailPage
        viewer={c.get('viewer')}
        template={templateView(template)}
        usage={await usageOf(c, name)}
        history={history.items.map(historyView)}
        historyNext={
          pageAnswer(
            history,
            (h) => h.seq,
            () => null,
          ).next_cursor
        }
        historyAtStart={request.after === undefined}
      />,
    );
  })
  .get('/:name/edit', async (c) => {
    const template = await existing(c);
    const view = templateView(template);
    const title = `Edit template ${template.config.name}`;
    return formPage(c, { title, action: c.req.path, values: view, editing: template, etag: await etagOf(templates, view) });
  })
  .post('/:name/edit', async (c) => {
    const template = await existing(c);
    const values = valuesFromForm(templateFormGroups, c.get('form'));
    const outcome = await attempt(() => replaceSeen(c, templates, template.config.name, values));
    if ('done' in outcome) return c.redirect(consolePath('templates', template.config.name), 303);
    const title = `Edit template ${template.config.name}`;
    return formPage(
      c,
      { title, action: c.req.path, values, editing: template, etag: c.get('form').get(ETAG_FIELD) ?? '' },
      outcome.refused,
    );
  })
  .post('/:name/enable', (c) => setEnabled(c, true))
  .get('/:name/disable', async (c) => {
    const { config } = await existing(c);
    const { instances } = await usageOf(c, config.name);
    return confirm(c, {
      title: `Disable template ${config.name}?`,
      consequence: `Its ${instances} instance(s) stop working at their next request (invalid_client) until it is enabled again.`,
      confirmLabel: 'Disable',
      cancel: consolePath('templates', config.name),
    });
  })
  .post('/:name/disable', (c) => setEnabled(c, false))
  .get('/:name/delete', async (c) => {
    const { config } = await existing(c);
    const { instances } = await usageOf(c, config.name);
    return confirm(c, {
      title: `Delete template ${config.name}?`,
      consequence: `Its ${instances} instance(s) are deleted with it and stop working at once. Its history is kept. This cannot be undone.`,
      confirmLabel: `Delete ${config.name} and ${instances} instance(s)`,
      cancel: consolePath('templates', config.name),
    });
  })
  .post('/:name/delete', async (c) => {
    const { config } = await existing(c);
    await templates.remove(c.get('deps'), config.name);
    return c.redirect(LIST, 303);
  })

  .get('/:name/instances', async (c) => {
    const { config } = await existing(c);
    const { store } = c.get('deps');
    const { search, request, keyOf } = instancePageRequest(c);
    const found = await store.clients.pageInstances(config.name, request);
    return page(
      c,
      <InstancesPage
        viewer={c.get('viewer')}
        template={config.name}
        instances={found.items.map(instanceView)}
        total={(await usageOf(c, config.name)).instances}
        search={search}
        next={pageAnswer(found, keyOf, () => null).next_cursor}
        atStart={request.after === undefined}
      />,
    );
  })
  .get('/:name/instances/revoke-all', async (c) => {
    const { config } = await existing(c);
    const { instances } = await usageOf(c, config.name);
    return confirm(c, {
      title: `Revoke all instances of ${config.name}?`,
      consequence: `All ${instances} instance(s) are deleted and stop working at once (invalid_client). The template stays.`,
      confirmLabel: `Revoke ${instances} instance(s)`,
      cancel: consolePath('templates', config.name, 'instances'),
    });
  })
  .post('/:name/instances/revoke-all', async (c) => {
    const name = c.req.param('name');
    await revokeAllInstances(c.get('deps'), name);
    return c.redirect(consolePath('templates', name, 'instances'), 303);
  })
  .get('/:name/instances/rotate-secrets', async (c) => {
    const { config } = await existing(c);
    const { instances } = await usageOf(c, config.name);
    return confirm(c, {
      title: `Rotate the secrets of all instances of ${config.name}?`,
      consequence: `Each of the ${instances} instance(s) gets a new secret; the old ones stop working at once. The new secrets are shown once, on the next page.`,
      confirmLabel: 'Rotate all secrets',
      cancel: consolePath('templates', config.name, 'instances'),
    });
  })
  .post('/:name/instances/rotate-secrets', async (c) => {
    const name = c.req.param('name');
    const rotated = await rotateInstanceSecrets(c.get('deps'), name);
    return page(
      c,
      <SecretsPage
        viewer={c.get('viewer')}
        section={SECTION}
        title={`New secrets for the instances of ${name}`}
        intro={`${rotated.length} instance(s) have new secrets; their old ones no longer work.`}
        rows={rotated.map((r) => [r.client_id, r.client_secret])}
        labels={['Client id', 'New secret']}
        download={{ fileName: `${name}-secrets.json`, content: rotated }}
        back={consolePath('templates', name, 'instances')}
      />,
    );
  })
  .get('/:name/instances/:clientId/revoke', async (c) => {
    const { config } = await existing(c);
    const clientId = c.req.param('clientId');
    return confirm(c, {
      title: `Revoke instance ${clientId}?`,
      consequence: `The instance of ${config.name} is deleted and stops working at once (invalid_client). Its app must register again.`,
      confirmLabel: 'Revoke',
      cancel: consolePath('templates', config.name, 'instances'),
    });
  })
  .post('/:name/instances/:clientId/revoke', async (c) => {
    const { name, clientId } = c.req.param();
    await revokeInstance(c.get('deps'), name, clientId);
    return c.redirect(consolePath('templates', name, 'instances'), 303);
  });
