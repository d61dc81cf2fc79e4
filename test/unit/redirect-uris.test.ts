import { describe, expect, it } from 'vitest';
import { redirectUriProblem } from '../../src/oauth/redirect-uris';

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
