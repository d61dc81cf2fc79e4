import type { TestProject } from 'vitest/node';
import { startE2eServer, type E2eContext } from './server';

declare module 'vitest' {
  export interface ProvidedContext {
    e2e: E2eContext;
  }
}

/** One server for the whole end-to-end run, stopped when vitest finishes. */
export default async function setup(project: TestProject) {
  const server = await startE2eServer();
  project.provide('e2e', server.context);
  return () => server.stop();
}
