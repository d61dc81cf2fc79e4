import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { AppEnv } from './types';
import { jsonObjectBody } from '../http';
import { changedMeanwhile, notFound, preconditionFailed } from '../admin/input';
import { inputFromRepresentation, type Resource, type View } from '../admin/resources';
import { applyPatch, checkIfMatch, mergePatchBody, pageAnswer, pageRequest, viewWithEtag } from './admin-http';

/**
 * The admin API's uniform part for a resource: list (paged), read (ETag), replace with what GET showed (PUT), merge
 * patch (PATCH), delete; writes honour If-Match. Creation differs per resource and is routed beside it.
 */
export function resourceRoutes<S>(resource: Resource<S>, param: string) {
  const keyOf = (c: Context<AppEnv>) => c.req.param(param) as string;

  /** PUT and PATCH: the new representation is made from the current one, then replaces it if nothing moved since. */
  async function write(c: Context<AppEnv>, representation: (current: View) => Promise<View>) {
    const deps = c.get('deps');
    const key = keyOf(c);
    const current = await resource.read(deps, key);
    const currentView = current === null ? null : resource.view(current);
    const conditional = await checkIfMatch(c, resource, key, currentView);
    if (current === null || currentView === null) throw notFound(resource.what(key));
    const input = inputFromRepresentation(resource, key, await representation(currentView), currentView);
    const result = await resource.replace(deps, input, current);
    if ('written' in result) return viewWithEtag(c, resource, result.written);
    if (conditional) throw preconditionFailed(resource.what(key));
    throw 'missing' in result ? notFound(resource.what(key)) : changedMeanwhile(resource.what(key));
  }

  return new Hono<AppEnv>()
    .get('/', async (c) => {
      const page = await resource.page(c.get('deps'), pageRequest(c, z.string()));
      return c.json(pageAnswer(page, resource.keyOf, resource.view));
    })
    .get(`/:${param}`, async (c) => {
      const stored = await resource.read(c.get('deps'), keyOf(c));
      if (stored === null) throw notFound(resource.what(keyOf(c)));
      return viewWithEtag(c, resource, stored);
    })
    .put(`/:${param}`, (c) => write(c, () => jsonObjectBody(c)))
    .patch(`/:${param}`, async (c) => {
      const patch = await mergePatchBody(c);
      return write(c, async (current) => applyPatch(current, patch));
    })
    .delete(`/:${param}`, async (c) => {
      const deps = c.get('deps');
      const key = keyOf(c);
      const current = await resource.read(deps, key);
      const conditional = await checkIfMatch(c, resource, key, current === null ? null : resource.view(current));
      if (!(await resource.remove(deps, key, conditional && current !== null ? current : undefined))) {
        throw conditional ? preconditionFailed(resource.what(key)) : notFound(resource.what(key));
      }
      return c.body(null, 204);
    });
}
