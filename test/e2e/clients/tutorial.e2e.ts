import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { e2e } from '../context';

it('examples/tutorial.sh runs docs/flow.md steps 2 to 4 with curl and prints each answer', async () => {
  const { stdout, stderr } = await promisify(execFile)('bash', ['examples/tutorial.sh'], {
    env: {
      ...process.env,
      ISSUER: e2e.issuer,
      DEMO_SERVER_SECRET: e2e.serverSecret,
      DEMO_USER: e2e.user.username,
      DEMO_USER_PASSWORD: e2e.user.password,
    },
  });
  // Each request is shown as a command a reader can type ...
  expect(stderr).toContain(`$ curl -X POST ${e2e.issuer}/oauth/v2/oauth-token`);
  expect(stderr).toContain(`$ curl -X POST ${e2e.issuer}/oauth/v2/oauth-dynamic-client-registration`);
  // ... followed by the server's answer.
  expect(stdout).toContain('"scope": "dcr"');
  expect(stdout).toContain('"software_id": "template-client"');
  expect(stdout).toMatch(/"client_secret": "[A-Za-z0-9_-]{43,}"/);
  expect(stdout).toMatch(/"error":"invalid_token"[^\n]*\nHTTP 401/);
  expect(stdout).toMatch(/Redirected to:\n {2}https:\/\/localhost\/callback\?code=/);
  expect(stdout).toMatch(/"id_token": "eyJ/);
  expect(stdout).toContain(`"iss": "${e2e.issuer}"`);
});
