import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { e2e } from '../context';

it('examples/tutorial.sh runs SPEC.md steps 2 and 3 with curl and prints each answer', async () => {
  const { stdout, stderr } = await promisify(execFile)('bash', ['examples/tutorial.sh'], {
    env: { ...process.env, ISSUER: e2e.issuer, SERVER_SECRET: e2e.serverSecret },
  });
  const output = stdout + stderr;
  expect(output).toContain(`$ curl -X POST ${e2e.issuer}/oauth/v2/oauth-token`);
  expect(stdout).toContain('"scope": "dcr"');
  expect(stdout).toContain('"software_id": "template-client"');
  expect(stdout).toMatch(/"client_secret": "[A-Za-z0-9_-]{43,}"/);
  expect(stdout).toMatch(/"error":"invalid_token"[^\n]*\nHTTP 401/);
});
