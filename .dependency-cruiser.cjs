/**
 * The layering of docs/architecture.md, checked by `npm run lint`: route -> validation -> domain -> store / ledger,
 * with the model and the grant rules as leaves and no cycles between folders or files.
 */
const DOMAIN = '^src/(oauth|grants|dcr|users|session)/';
module.exports = {
  forbidden: [
    { name: 'no-cycles', severity: 'error', from: { path: '^src/' }, to: { circular: true } },
    { name: 'model-is-a-leaf', severity: 'error', from: { path: '^src/model\\.ts$' }, to: { path: '.' } },
    { name: 'grant-rules-are-a-leaf', severity: 'error', from: { path: '^src/grant-rules\\.ts$' }, to: { path: '.' } },
    {
      name: 'domain-knows-no-http-framework',
      comment: 'Domain code gets plain values and deps; routes own Hono.',
      severity: 'error',
      from: { path: DOMAIN },
      to: { path: ['^src/routes/', '^src/app\\.ts$', 'node_modules/hono/'] },
    },
    {
      name: 'only-the-store-speaks-sql',
      comment: 'D1 sits behind the Store interface (src/store/store.ts).',
      severity: 'error',
      from: { pathNot: '^src/store/d1/' },
      to: { path: '^src/store/d1/', pathNot: '^src/store/d1/index\\.ts$' },
    },
    {
      name: 'store-knows-no-domain',
      severity: 'error',
      from: { path: '^src/store/' },
      to: { path: ['^src/(oauth|grants|dcr|users|session|routes|admin|views)/', '^src/ledger/'] },
    },
  ],
  options: {
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^src/.*\\.d\\.ts$' },
  },
};
