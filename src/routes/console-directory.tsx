import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { AppEnv } from './types';
import { notFound } from '../admin/input';
import type { StaticClient } from '../model';
import { type Resource, createStaticClient, createUser, rotateStaticSecret, staticClients, users } from '../admin/resources';
import { staticClientFormGroups, userFormGroups } from '../admin/console-forms';
import { type FieldGroup, valuesFromForm } from '../admin/form-fields';
import { randomToken } from '../tokens/secrets';
import { etagOf, pageAnswer, pageRequest } from './admin-http';
import { type Attempt, ETAG_FIELD, attempt, replaceSeen } from './console-forms';
import { page } from './console-render';
import { ConfirmPage, SecretsPage, consolePath } from '../views/console/parts';
import { ClientsPage, ResourceFormPage, UsersPage } from '../views/console/pages';

/** The console's static clients and users: list, create (a secret shown once), edit, delete. */

type Ctx = Context<AppEnv>;
type Refused = Extract<Attempt<unknown>, { refused: unknown }>['refused'];

async function existing<S>(c: Ctx, resource: Resource<S>, param: string): Promise<S> {
  const key = c.req.param(param)!;
  const found = await resource.read(c.get('deps'), key);
  if (!found) throw notFound(resource.what(key));
  return found;
}

function formPage(
  c: Ctx,
  props: {
    section: string;
    title: string;
    groups: FieldGroup[];
    values: Record<string, unknown>;
    keyField: string;
    editing: boolean;
    etag?: string;
    cancel: string;
    actions?: { label: string; href: string }[];
  },
  refused?: Refused,
) {
  return page(
    c,
    <ResourceFormPage
      viewer={c.get('viewer')}
      section={props.section}
      title={props.title}
      action={c.req.path}
      groups={props.groups}
      values={props.values}
      issues={refused?.issues ?? []}
      message={refused?.message}
      readOnly={props.editing ? [props.keyField] : []}
      hidden={props.etag ? { [ETAG_FIELD]: props.etag } : {}}
      actions={props.actions}
      submit={props.editing ? 'Save changes' : 'Create'}
      cancel={props.cancel}
    />,
    refused?.status ?? 200,
  );
}

const confirm = (c: Ctx, section: string, props: { title: string; consequence: string; confirmLabel: string; cancel: string }) =>
  page(c, <ConfirmPage viewer={c.get('viewer')} section={section} action={c.req.path} {...props} />);

const secretPage = (
  c: Ctx,
  section: string,
  props: { title: string; intro: string; labels: [string, string]; name: string; secret: string; back: string },
) =>
  page(
    c,
    <SecretsPage
      viewer={c.get('viewer')}
      section={section}
      title={props.title}
      intro={props.intro}
      rows={[[props.name, props.secret]]}
      labels={props.labels}
      download={{
        fileName: `${props.name}.json`,
        content: {
          [props.labels[0].toLowerCase().replace(/ /g, '_')]: props.name,
          [props.labels[1].toLowerCase().replace(/ /g, '_')]: props.secret,
        },
      }}
      back={props.back}
    />,
  );

const CLIENTS = '/clients';
const clientForm = { section: CLIENTS, groups: staticClientFormGroups, keyField: 'client_id', cancel: consolePath('clients') };
const USERS = '/users';

/** A public client (`none`) has no secret to renew. */
const clientActions = (client: StaticClient) => [
  ...(client.secretHash === null ? [] : [{ label: 'New secret', href: `${consolePath('clients', client.clientId)}/rotate-secret` }]),
  { label: 'Delete', href: `${consolePath('clients', client.clientId)}/delete` },
];
const userActions = (username: string) => [{ label: 'Delete', href: `${consolePath('users', username)}/delete` }];

/** A user form's values as the API takes them: all claims replaced by the form's (none given: none kept). */
function userInput(form: URLSearchParams, isNew: boolean) {
  const { password, ...values } = valuesFromForm(userFormGroups(isNew), form);
  return { ...values, claims: values.claims ?? {}, ...(password ? { password } : {}) };
}

export const consoleDirectoryRoutes = new Hono<AppEnv>()
  .get('/clients', async (c) => {
    const request = pageRequest(c, z.string());
    const found = await staticClients.page(c.get('deps'), request);
    const { items, next_cursor } = pageAnswer(found, staticClients.keyOf, staticClients.view);
    return page(c, <ClientsPage viewer={c.get('viewer')} clients={items} next={next_cursor} atStart={request.after === undefined} />);
  })
  .get('/clients/new', (c) => formPage(c, { ...clientForm, title: 'New static client', values: {}, editing: false }))
  .post('/clients/new', async (c) => {
    const values = valuesFromForm(staticClientFormGroups, c.get('form'));
    const outcome = await attempt(() => createStaticClient(c.get('deps'), values));
    if ('refused' in outcome) return formPage(c, { ...clientForm, title: 'New static client', values, editing: false }, outcome.refused);
    const { client, secret } = outcome.done;
    // A public client has no secret to show.
    if (secret === null) return c.redirect(consolePath('clients', client.clientId), 303);
    return secretPage(c, CLIENTS, {
      title: `Static client ${client.clientId} created`,
      intro: 'Its secret is below.',
      labels: ['Client id', 'Client secret'],
      name: client.clientId,
      secret,
      back: consolePath('clients', client.clientId),
    });
  })
  .get('/clients/:clientId', async (c) => {
    const client = await existing(c, staticClients, 'clientId');
    const view = staticClients.view(client);
    return formPage(c, {
      ...clientForm,
      title: `Static client ${client.clientId}`,
      values: view,
      editing: true,
      etag: await etagOf(staticClients, view),
      actions: clientActions(client),
    });
  })
  .post('/clients/:clientId', async (c) => {
    const client = await existing(c, staticClients, 'clientId');
    const values = valuesFromForm(staticClientFormGroups, c.get('form'));
    const outcome = await attempt(() => replaceSeen(c, staticClients, client.clientId, values));
    if ('done' in outcome) return c.redirect(consolePath('clients'), 303);
    const title = `Static client ${client.clientId}`;
    const etag = c.get('form').get(ETAG_FIELD) ?? '';
    return formPage(c, { ...clientForm, title, values, editing: true, etag, actions: clientActions(client) }, outcome.refused);
  })
  .get('/clients/:clientId/rotate-secret', async (c) => {
    const { clientId } = await existing(c, staticClients, 'clientId');
    return confirm(c, CLIENTS, {
      title: `New secret for ${clientId}?`,
      consequence: 'Its current secret stops working at once. The new one is shown once, on the next page.',
      confirmLabel: 'Make a new secret',
      cancel: consolePath('clients', clientId),
    });
  })
  .post('/clients/:clientId/rotate-secret', async (c) => {
    const client = await existing(c, staticClients, 'clientId');
    const rotated = await rotateStaticSecret(c.get('deps'), client);
    if (!rotated) throw notFound(staticClients.what(client.clientId));
    return secretPage(c, CLIENTS, {
      title: `New secret for ${client.clientId}`,
      intro: 'The old secret no longer works.',
      labels: ['Client id', 'Client secret'],
      name: client.clientId,
      secret: rotated.secret,
      back: consolePath('clients', client.clientId),
    });
  })
  .get('/clients/:clientId/delete', async (c) => {
    const { clientId } = await existing(c, staticClients, 'clientId');
    return confirm(c, CLIENTS, {
      title: `Delete static client ${clientId}?`,
      consequence: 'It stops working at once (invalid_client). Templates that name it as registrar keep the name. This cannot be undone.',
      confirmLabel: `Delete ${clientId}`,
      cancel: consolePath('clients', clientId),
    });
  })
  .post('/clients/:clientId/delete', async (c) => {
    const { clientId } = await existing(c, staticClients, 'clientId');
    await staticClients.remove(c.get('deps'), clientId);
    return c.redirect(consolePath('clients'), 303);
  })

  .get('/users', async (c) => {
    const request = pageRequest(c, z.string());
    const found = await users.page(c.get('deps'), request);
    const { items, next_cursor } = pageAnswer(found, users.keyOf, users.view);
    return page(c, <UsersPage viewer={c.get('viewer')} users={items} next={next_cursor} atStart={request.after === undefined} />);
  })
  .get('/users/new', (c) =>
    formPage(c, {
      section: USERS,
      title: 'New user',
      groups: userFormGroups(true),
      values: {},
      keyField: 'username',
      editing: false,
      cancel: consolePath('users'),
    }),
  )
  .post('/users/new', async (c) => {
    const input = userInput(c.get('form'), true);
    const password = (input.password as string | undefined) ?? randomToken(12);
    const outcome = await attempt(() => createUser(c.get('deps'), { ...input, password }));
    if ('refused' in outcome) {
      const props = {
        section: USERS,
        title: 'New user',
        groups: userFormGroups(true),
        values: input,
        keyField: 'username',
        editing: false,
        cancel: consolePath('users'),
      };
      return formPage(c, props, outcome.refused);
    }
    if (input.password) return c.redirect(consolePath('users'), 303);
    return secretPage(c, USERS, {
      title: `User ${outcome.done.username} created`,
      intro: 'Their generated password is below.',
      labels: ['Username', 'Password'],
      name: outcome.done.username,
      secret: password,
      back: consolePath('users'),
    });
  })
  .get('/users/:username', async (c) => {
    const user = await existing(c, users, 'username');
    const view = users.view(user);
    const title = `User ${user.username}`;
    const etag = await etagOf(users, view);
    return formPage(c, {
      section: USERS,
      title,
      groups: userFormGroups(false),
      values: view,
      keyField: 'username',
      editing: true,
      etag,
      cancel: consolePath('users'),
      actions: userActions(user.username),
    });
  })
  .post('/users/:username', async (c) => {
    const user = await existing(c, users, 'username');
    const input = userInput(c.get('form'), false);
    const outcome = await attempt(() => replaceSeen(c, users, user.username, input));
    if ('done' in outcome) return c.redirect(consolePath('users'), 303);
    const props = {
      section: USERS,
      title: `User ${user.username}`,
      groups: userFormGroups(false),
      values: input,
      keyField: 'username',
      editing: true,
      etag: c.get('form').get(ETAG_FIELD) ?? '',
      cancel: consolePath('users'),
      actions: userActions(user.username),
    };
    return formPage(c, props, outcome.refused);
  })
  .get('/users/:username/delete', async (c) => {
    const { username } = await existing(c, users, 'username');
    return confirm(c, USERS, {
      title: `Delete user ${username}?`,
      consequence: 'Their sessions end and they can no longer sign in. Their subject is never reused. This cannot be undone.',
      confirmLabel: `Delete ${username}`,
      cancel: consolePath('users', username),
    });
  })
  .post('/users/:username/delete', async (c) => {
    const { username } = await existing(c, users, 'username');
    await users.remove(c.get('deps'), username);
    return c.redirect(consolePath('users'), 303);
  });
