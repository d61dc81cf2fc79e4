import { z } from 'zod';
import { newUserSchema, userUpdateSchema } from '../users/schemas';
import { auditQuerySchema, staticClientSchema, templateSchema } from './schemas';
import {
  auditPageAnswer,
  clientBookkeeping,
  errorAnswer,
  historyAnswer,
  instanceAnswer,
  revokedAnswer,
  rotatedAnswer,
  settingsAnswer,
  templateBookkeeping,
  userAnswer,
  userBookkeeping,
} from './answer-schemas';

/**
 * The admin API's OpenAPI 3.1 document, made from the zod schemas that validate its input and type its answers
 * (zod writes JSON Schema 2020-12, the dialect of OpenAPI 3.1). test/admin-openapi.test.ts checks that it lists
 * exactly the routes the API has and that real answers validate against it.
 */

type JsonSchema = Record<string, unknown> & { properties?: Record<string, unknown>; required?: string[] };

function jsonSchema(schema: z.ZodType, io: 'input' | 'output' = 'output'): JsonSchema {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

/** `base` with `extra`'s properties too: required in an answer, optional and read-only in a request. */
function withFields(base: JsonSchema, extra: z.ZodObject, as: 'answer' | 'request'): JsonSchema {
  const added = jsonSchema(extra);
  const properties = Object.fromEntries(
    Object.entries(added.properties ?? {}).map(([name, schema]) => [
      name,
      as === 'request' ? { ...(schema as object), readOnly: true } : schema,
    ]),
  );
  return {
    ...base,
    properties: { ...base.properties, ...properties },
    required: [...(base.required ?? []), ...(as === 'answer' ? (added.required ?? []) : [])],
  };
}

const template = jsonSchema(templateSchema, 'output');
const templateAnswer = withFields(template, templateBookkeeping, 'answer');
const templatePut = withFields(jsonSchema(templateSchema, 'input'), templateBookkeeping, 'request');
const { client_secret: _secret, ...clientProperties } = jsonSchema(staticClientSchema, 'output').properties!;
const staticClientAnswer = withFields(
  { ...jsonSchema(staticClientSchema, 'output'), properties: clientProperties },
  clientBookkeeping,
  'answer',
);
const newStaticClientAnswer = {
  ...staticClientAnswer,
  properties: { ...staticClientAnswer.properties, client_secret: { type: 'string', description: 'shown this once' } },
  required: [...staticClientAnswer.required!, 'client_secret'],
};
const staticClientPut = withFields(jsonSchema(staticClientSchema, 'input'), clientBookkeeping, 'request');
const userPut = withFields(jsonSchema(userUpdateSchema, 'input'), userBookkeeping, 'request');

const error = jsonSchema(errorAnswer);

/** One page of a list; `next_cursor` goes in `?cursor=` for the next page, null on the last. */
const pageSchema = (item: JsonSchema): JsonSchema => ({
  type: 'object',
  properties: { items: { type: 'array', items: item }, next_cursor: { type: ['string', 'null'] } },
  required: ['items', 'next_cursor'],
  additionalProperties: false,
});
const content = (schema: unknown) => ({ content: { 'application/json': { schema } } });
const answer = (description: string, schema: unknown) => ({ description, ...content(schema) });

interface OperationSpec {
  summary: string;
  body?: JsonSchema;
  /** A JSON merge patch (RFC 7396) of the resource's representation. */
  patchOf?: JsonSchema;
  ok: [status: number, description: string, schema?: unknown];
  list?: boolean;
  search?: boolean;
  /** Query parameters, each a property of this schema. */
  query?: z.ZodObject;
  conditional?: boolean;
}

const ETAG_HEADER = { ETag: { description: 'the version of the representation, for If-Match', schema: { type: 'string' } } };

function operation(spec: OperationSpec, pathParams: string[]) {
  const [status, description, schema] = spec.ok;
  const parameters: object[] = pathParams.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } }));
  if (spec.list) {
    parameters.push(
      { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 } },
      { name: 'cursor', in: 'query', description: 'the next_cursor of the page before', schema: { type: 'string' } },
    );
  }
  for (const [name, schema] of Object.entries(spec.query ? (jsonSchema(spec.query, 'input').properties ?? {}) : {})) {
    parameters.push({ name, in: 'query', schema });
  }
  if (spec.search) parameters.push({ name: 'q', in: 'query', description: 'client ids starting with this', schema: { type: 'string' } });
  if (spec.conditional) {
    parameters.push({ name: 'If-Match', in: 'header', description: 'an ETag this resource answered, or *', schema: { type: 'string' } });
  }
  const requestBody = spec.body
    ? { required: true, ...content(spec.body) }
    : spec.patchOf
      ? { required: true, content: { 'application/merge-patch+json': { schema: { type: 'object', description: 'RFC 7396 merge patch' } } } }
      : undefined;
  const ok =
    schema === undefined
      ? { description }
      : { ...answer(description, schema), ...(spec.conditional || spec.body ? { headers: ETAG_HEADER } : {}) };
  return {
    summary: spec.summary,
    ...(parameters.length ? { parameters } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses: {
      [status]: ok,
      ...(spec.conditional ? { 412: answer('If-Match names another version', error) } : {}),
      default: answer('an error: 400 naming each bad field, 401, 404, 409, 415', error),
    },
  };
}

/** The uniform operations of a resource at `/<collection>/{param}` (src/routes/admin-resources.ts). */
function resource(what: string, answerSchema: JsonSchema, putSchema: JsonSchema) {
  return {
    get: { summary: `Read a ${what}`, ok: [200, `the ${what}`, answerSchema], conditional: false },
    put: {
      summary: `Replace a ${what} with the representation GET gave, edited`,
      body: putSchema,
      ok: [200, `the ${what}`, answerSchema],
      conditional: true,
    },
    patch: {
      summary: `Change a ${what} with a JSON merge patch`,
      patchOf: putSchema,
      ok: [200, `the ${what}`, answerSchema],
      conditional: true,
    },
    delete: { summary: `Delete a ${what}`, ok: [204, 'deleted'], conditional: true },
  } satisfies Record<string, OperationSpec>;
}

const PATHS: Record<string, Record<string, OperationSpec>> = {
  '/settings': { get: { summary: 'The deployment settings in force', ok: [200, 'settings', jsonSchema(settingsAnswer)] } },
  '/templates': {
    get: { summary: 'List templates', ok: [200, 'a page of templates', pageSchema(templateAnswer)], list: true },
    post: { summary: 'Create a template', body: jsonSchema(templateSchema, 'input'), ok: [201, 'the template', templateAnswer] },
  },
  '/templates/{name}': resource('template', templateAnswer, templatePut),
  '/templates/{name}/history': {
    get: { summary: 'Every change, oldest first', ok: [200, 'a page of changes', pageSchema(jsonSchema(historyAnswer))], list: true },
  },
  '/templates/{name}/instances': {
    get: {
      summary: 'The instances of a template, with their provenance',
      ok: [200, 'a page of instances', pageSchema(jsonSchema(instanceAnswer))],
      list: true,
      search: true,
    },
    delete: { summary: 'Revoke every instance', ok: [200, 'how many were revoked', jsonSchema(revokedAnswer)] },
  },
  '/templates/{name}/instances/rotate-secrets': {
    post: { summary: 'New secrets for every instance, all or none, shown once', ok: [200, 'the new secrets', jsonSchema(rotatedAnswer)] },
  },
  '/templates/{name}/instances/{clientId}': { delete: { summary: 'Revoke one instance', ok: [204, 'revoked'] } },
  '/clients': {
    get: { summary: 'List static clients', ok: [200, 'a page of static clients', pageSchema(staticClientAnswer)], list: true },
    post: {
      summary: 'Create a static client; its secret is shown once',
      body: jsonSchema(staticClientSchema, 'input'),
      ok: [201, 'the client and its secret', newStaticClientAnswer],
    },
  },
  '/clients/{clientId}': resource('static client', staticClientAnswer, staticClientPut),
  '/users': {
    get: { summary: 'List users', ok: [200, 'a page of users', pageSchema(jsonSchema(userAnswer))], list: true },
    post: { summary: 'Create a user', body: jsonSchema(newUserSchema, 'input'), ok: [201, 'the user', jsonSchema(userAnswer)] },
  },
  '/users/{username}': resource('user', jsonSchema(userAnswer), userPut),
  '/audit': {
    get: {
      summary: 'The audit trail, newest first, filtered',
      ok: [200, 'a page of events', jsonSchema(auditPageAnswer)],
      query: auditQuerySchema,
    },
  },
  '/openapi.json': { get: { summary: 'This document', ok: [200, 'OpenAPI 3.1', { type: 'object' }] } },
};

let document: object | undefined;

/** Built once per isolate. */
export function openApiDocument(): object {
  document ??= {
    openapi: '3.1.1',
    info: {
      title: 'edge-dcr admin API',
      version: '1',
      description: 'Templates, static clients, users and instances. Bearer ADMIN_TOKEN, or Cloudflare Access in front.',
    },
    servers: [{ url: '/admin/v1' }],
    security: [{ adminToken: [] }],
    components: {
      securitySchemes: { adminToken: { type: 'http', scheme: 'bearer' } },
    },
    paths: Object.fromEntries(
      Object.entries(PATHS).map(([path, operations]) => {
        const params = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
        return [path, Object.fromEntries(Object.entries(operations).map(([method, spec]) => [method, operation(spec, params)]))];
      }),
    ),
  };
  return document;
}
