import { describe, expect, it } from 'vitest';
import { redirectUriProblem } from '../../src/oauth/redirect-uris';
import { redirectUriMatches } from '../../src/oauth/redirect-uri-match';

describe('redirect URI rules', () => {
  it.each([
    'https://app.example.com/callback',
    'https://localhost/callback',
    'http://127.0.0.1:8080/cb',
    'http://[::1]/cb',
    'http://localhost/cb',
    'com.example.app:/oauth2redirect',
    'myapp://callback',
  ])('accepts %s', (uri) => {
    expect(redirectUriProblem(uri)).toBeNull();
  });

  it.each([
    ['https://app.example.com/cb#frag', /fragment/],
    ['https://app.example.com/cb#', /fragment/],
    ['javascript:alert(1)', /javascript/],
    ['JAVASCRIPT:alert(1)', /javascript/],
    [' javascript:alert(1)', /whitespace/],
    ['java\tscript:alert(1)', /whitespace/],
    ['data:text/html,<script>x</script>', /data/],
    ['vbscript:msgbox', /vbscript/],
    ['file:///etc/passwd', /file/],
    ['http://app.example.com/cb', /loopback/],
    ['https://app.example.com/c b', /whitespace/],
    ['https://app.example.com/cb\u0000', /control/],
    ['/relative/callback', /absolute/],
    ['https://user:pass@app.example.com/cb', /user information/],
  ])('refuses %j', (uri, why) => {
    expect(redirectUriProblem(uri)).toMatch(why);
  });
});

describe('redirectUriMatches: exact, but a loopback http URI may name any port (RFC 8252 7.3)', () => {
  it.each([
    ['http://127.0.0.1/cb', 'http://127.0.0.1:51234/cb'],
    ['http://127.0.0.1/cb', 'http://127.0.0.1:80/cb'],
    ['http://127.0.0.1:8080/cb', 'http://127.0.0.1/cb'],
    ['http://[::1]/cb', 'http://[::1]:4000/cb'],
    ['http://localhost/cb?x=1', 'http://localhost:3000/cb?x=1'],
  ])('%s takes %s', (registered, requested) => {
    expect(redirectUriMatches(registered, requested)).toBe(true);
  });

  it.each([
    ['http://127.0.0.1/cb', 'http://127.0.0.1:51234/other'],
    ['http://127.0.0.1/cb', 'http://127.0.0.2:51234/cb'],
    ['http://127.0.0.1/cb', 'http://127.0.0.1.evil.example/cb'],
    ['http://127.0.0.1/cb', 'https://127.0.0.1:51234/cb'],
    ['https://app.example.com/cb', 'https://app.example.com:443/cb'],
    ['http://localhost/cb', 'http://localhost:3000/CB'],
  ])('%s refuses %s', (registered, requested) => {
    expect(redirectUriMatches(registered, requested)).toBe(false);
  });
});
