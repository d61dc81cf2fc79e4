/**
 * Limits counted by the Workers Rate Limiting binding (`[[ratelimits]]` in wrangler.toml, simulated by Miniflare
 * locally). The binding counts per Cloudflare location, approximately, over fixed windows of its period: right for
 * throttling a client, an address or a template, not for a rule that must hold worldwide (the per-username lockout is
 * kept in D1: src/users/sign-in.ts). A binding left out of the configuration turns its limit off. To add a limit: a
 * `[[ratelimits]]` entry in wrangler.toml and every environment, `npm run types`, and a line here (src/limits/rate-limits.ts
 * reads each binding off the Worker's env, which fails to type-check for a binding the config does not declare).
 */
export const RATE_LIMITS = {
  /** Failed sign-ins per client address. */
  login_ip: { binding: 'LOGIN_IP_LIMITER', periodSeconds: 60 },
  /** Failed client authentications per client id. */
  client_auth: { binding: 'CLIENT_AUTH_LIMITER', periodSeconds: 60 },
  /** Registrations per registrar: the IAT's client, or the user it was issued to. */
  registration_registrar: { binding: 'REGISTRATION_REGISTRAR_LIMITER', periodSeconds: 60 },
  registration_template: { binding: 'REGISTRATION_TEMPLATE_LIMITER', periodSeconds: 60 },
  /** Initial access tokens per client. */
  iat_issuance: { binding: 'IAT_ISSUANCE_LIMITER', periodSeconds: 60 },
  /** Open registrations (no IAT) per client address. */
  open_registration: { binding: 'OPEN_REGISTRATION_LIMITER', periodSeconds: 60 },
} as const satisfies Record<string, { binding: string; periodSeconds: 10 | 60 }>;
