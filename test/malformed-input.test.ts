import { describe, expect, it } from 'vitest';
import { adminHeaders, registerWith, requestIat, setUpTemplate, testServer } from './helpers';

/** docs/architecture.md, "Failures": no input, however malformed, gets a 500 or a stack trace. */

const fetch = testServer();

const nastyBodies: [string, BodyInit][] = [
  ['empty', ''],
  ['invalid UTF-8', new Uint8Array([0xff, 0xfe, 0xfd, 0x80, 0x3d, 0x26])],
  ['bad percent-encoding', 'grant_type=%zz&client_id=%E0%A4%A&token=%'],
  ['NUL bytes', 'grant_type=client_credentials\u0000&client_id=\u0000'],
  ['deeply nested JSON', `${'['.repeat(5000)}${']'.repeat(5000)}`],
  ['JSON with a huge number', '{"software_id": 1e999999, "client_name": -0}'],
  ['JSON with __proto__', '{"__proto__": {"admin": true}, "constructor": {"prototype": {}}, "software_id": "x"}'],
  ['a lone surrogate', '{"software_id": "\\ud800", "client_name": "\\udfff"}'],
  ['many parameters', Array.from({ length: 2000 }, (_, i) => `p${i}=${i}`).join('&')],
];

const contentTypes = [
  'application/x-www-form-urlencoded',
  'application/json',
  'multipart/form-data; boundary=x',
  'text/plain; charset=utf-16',
  '',
];

const authorizations = [
  undefined,
  'Basic',
  'Basic !!!!',
  `Basic ${btoa('no-colon')}`,
  `Basic ${btoa(':')}`,
  `Basic ${btoa('%E0%A4%A:%zz')}`,
  'Bearer',
  `Bearer ${'a'.repeat(8000)}`,
  'Bearer eyJhbGciOiJub25lIn0.eyJzY29wZSI6ImRjciJ9.',
  'Bearer eyJhbGciOiJFUzI1NiIsImtpZCI6Ilx1MDAwMCJ9.e30.AAAA',
  'Digest username="x"',
];

async function expectNo5xx(path: string, init: RequestInit) {
  const res = await fetch(path, init);
  const text = await res.text();
  expect(res.status, `${init.method} ${path} answered ${res.status}: ${text.slice(0, 200)}`).toBeLessThan(500);
  expect(text).not.toMatch(/at \w+ \(|\.ts:\d+|Error: /);
  if (!path.startsWith('/oauth/v2/oauth-authorize') && res.status >= 400) {
    const body = JSON.parse(text) as Record<string, unknown>;
    expect(typeof body.error).toBe('string');
    expect(res.headers.get('Cache-Control')).toBe('no-store');
  }
}

describe('malformed input never gets a 5xx', () => {
  const postEndpoints = [
    '/oauth/v2/oauth-token',
    '/oauth/v2/oauth-dynamic-client-registration',
    '/oauth/v2/oauth-introspect',
    '/oauth/v2/oauth-revoke',
    '/oauth/v2/oauth-userinfo',
    '/oauth/v2/oauth-authorize',
    '/admin/v1/templates',
    '/admin/v1/clients',
    '/admin/v1/users',
  ];

  it.each(postEndpoints)('POST %s', async (path) => {
    for (const [, body] of nastyBodies) {
      for (const contentType of contentTypes) {
        for (const authorization of authorizations) {
          const headers: Record<string, string> = {};
          if (contentType) headers['Content-Type'] = contentType;
          if (authorization !== undefined) headers.Authorization = path.startsWith('/admin') ? adminHeaders.Authorization : authorization;
          await expectNo5xx(path, { method: 'POST', headers, body });
        }
      }
    }
  });

  it('RFC 7592 management with nasty ids, tokens and bodies', async () => {
    const { registrar, templateName } = await setUpTemplate(fetch);
    const instance = (await (
      await registerWith(fetch, await requestIat(fetch, registrar), { software_id: templateName })
    ).json()) as Record<string, string>;
    const ids = [instance.client_id!, '%00', '..%2F..%2Fadmin', 'x'.repeat(5000), encodeURIComponent('\u{1F600}')];
    for (const id of ids) {
      for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
        for (const [, body] of nastyBodies.slice(0, 6)) {
          await expectNo5xx(`/oauth/v2/oauth-dynamic-client-registration/${id}`, {
            method,
            headers: { Authorization: `Bearer ${instance.registration_access_token}x`, 'Content-Type': 'application/json' },
            ...(method === 'PUT' ? { body } : {}),
          });
        }
      }
    }
  });

  it('the authorization endpoint with nasty query strings shows a page, never a 5xx', async () => {
    const queries = [
      '',
      'client_id=%zz',
      'client_id=a&client_id=b',
      `client_id=${'x'.repeat(10000)}`,
      'client_id=%00&redirect_uri=javascript:alert(1)',
      'response_type=code&client_id=nobody&redirect_uri=https%3A%2F%2Fevil.example%2F&state=%3Cscript%3E',
      'max_age=-1&prompt=none%20login&code_challenge_method=plain',
    ];
    for (const query of queries) {
      await expectNo5xx(`/oauth/v2/oauth-authorize?${query}`, { method: 'GET' });
    }
  });

  it('admin paths with nasty names', async () => {
    for (const name of ['%zz', '%00', 'x'.repeat(5000), '..', encodeURIComponent('名前')]) {
      for (const path of [
        `/admin/v1/templates/${name}`,
        `/admin/v1/templates/${name}/instances`,
        `/admin/v1/templates/${name}/history`,
        `/admin/v1/clients/${name}`,
        `/admin/v1/users/${name}`,
      ]) {
        for (const method of ['GET', 'PUT', 'DELETE']) {
          await expectNo5xx(path, { method, headers: adminHeaders, ...(method === 'PUT' ? { body: '{"x":1}' } : {}) });
        }
      }
    }
  });
});
