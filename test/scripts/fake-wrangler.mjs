// A stand-in for wrangler's account commands, for the tests of npm run setup / deploy / keys without Cloudflare
// (the scripts run it when EDGE_DCR_WRANGLER names it). Its "account" is the JSON file FAKE_WRANGLER_STATE: D1
// databases, each Worker's secrets, and a log of every call with what came on standard input.
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const statePath = process.env.FAKE_WRANGLER_STATE;
const state = existsSync(statePath) ? JSON.parse(readFileSync(statePath, 'utf8')) : { databases: [], workers: {}, calls: [] };
const { values, positionals } = parseArgs({
  allowPositionals: true,
  strict: false,
  options: { env: { type: 'string' }, config: { type: 'string' }, json: { type: 'boolean' }, format: { type: 'string' } },
});
const stdin = process.stdin.isTTY ? '' : readFileSync(0, 'utf8');
state.calls.push({ args: process.argv.slice(2), stdin });
const worker = `edge-dcr-${values.env}`;
const command = positionals.slice(0, 2).join(' ');
const save = () => writeFileSync(statePath, JSON.stringify(state, null, 2));
const fail = (message) => {
  save();
  console.error(`✘ [ERROR] ${message}`);
  process.exit(1);
};

if (command === 'd1 list') console.log(JSON.stringify(state.databases));
else if (command === 'd1 create') state.databases.push({ uuid: randomUUID(), name: positionals[2] });
else if (command === 'd1 migrations') {
  if (positionals[2] !== 'apply' || !process.argv.includes('--remote')) fail(`unexpected: ${process.argv.slice(2).join(' ')}`);
} else if (command === 'secret list') {
  if (!state.workers[worker]) fail(`This Worker does not exist on your account. [code: 10007]`);
  console.log(JSON.stringify(Object.keys(state.workers[worker].secrets).map((name) => ({ name, type: 'secret_text' }))));
} else if (command === 'secret bulk') {
  state.workers[worker] ??= { secrets: {}, deployed: 0 };
  Object.assign(state.workers[worker].secrets, JSON.parse(stdin));
} else if (positionals[0] === 'deploy' && !process.argv.includes('--dry-run')) {
  const missing = ['ADMIN_TOKEN', 'SESSION_SECRET', 'SIGNING_KEYS'].filter((s) => !state.workers[worker]?.secrets[s]);
  if (missing.length) fail(`The following required secrets have not been set: ${missing.join(', ')}`);
  state.workers[worker].deployed++;
} else fail(`the fake wrangler does not know: ${process.argv.slice(2).join(' ')}`);
save();
