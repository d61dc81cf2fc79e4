import { describe, expect, it } from 'vitest';
import { metadataDocumentUrlProblem } from '../../src/dcr/metadata-document-url';

describe('Client ID Metadata Document URLs', () => {
  it.each(['https://apps.example/client.json', 'https://apps.example:8443/mcp/client', 'https://a.b.example/c?v=1'])(
    'accepts %s',
    (url) => {
      expect(metadataDocumentUrlProblem(url)).toBeNull();
    },
  );

  it.each([
    ['http://apps.example/client.json', /https/],
    ['https://apps.example/', /path/],
    ['https://apps.example', /path/],
    ['https://apps.example/client.json#x', /fragment/],
    ['https://user:pw@apps.example/client.json', /user information/],
    ['https://apps.example/a/../client.json', /segments/],
    ['https://localhost/client.json', /loopback or private/],
    ['https://tools.localhost/client.json', /loopback or private/],
    ['https://127.0.0.1/client.json', /loopback or private/],
    ['https://10.0.0.8/client.json', /loopback or private/],
    ['https://172.16.5.4/client.json', /loopback or private/],
    ['https://192.168.1.1/client.json', /loopback or private/],
    ['https://169.254.169.254/latest/meta-data', /loopback or private/],
    ['https://100.64.0.1/client.json', /loopback or private/],
    ['https://0.0.0.0/client.json', /loopback or private/],
    ['https://[::1]/client.json', /loopback or private/],
    ['https://[fd00::1]/client.json', /loopback or private/],
    ['https://[fe80::1]/client.json', /loopback or private/],
    ['https://[::ffff:10.0.0.1]/client.json', /loopback or private/],
    ['not a url', /absolute/],
  ])('refuses %s', (url, problem) => {
    expect(metadataDocumentUrlProblem(url)).toMatch(problem);
  });
});
