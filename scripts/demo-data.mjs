/**
 * docs/flow.md step 1 as admin API requests: the registrar `server`, the template `template-client` it may
 * register instances of, and the user `demo`. Seeded by `npm start` and by the end-to-end tests alike.
 */
export function demoData({ serverSecret, userPassword }) {
  return [
    {
      what: 'static client server',
      path: '/clients',
      body: { client_id: 'server', client_secret: serverSecret, capabilities: ['client_credentials'] },
    },
    {
      what: 'template template-client',
      path: '/templates',
      body: {
        name: 'template-client',
        capabilities: ['code', 'refresh'],
        redirect_uris: ['https://localhost/callback'],
        scopes: ['openid'],
        authenticators: ['username-password'],
        token_endpoint_auth_methods: ['client_secret_basic', 'client_secret_post'],
        registration: { mode: 'clients', allowed_clients: ['server'] },
      },
    },
    {
      what: 'user demo',
      path: '/users',
      body: {
        username: 'demo',
        password: userPassword,
        claims: { name: 'Demo User', email: 'demo@example.com', email_verified: true },
      },
    },
  ];
}
