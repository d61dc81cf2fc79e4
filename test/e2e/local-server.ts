import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LocalServer {
  /** http://127.0.0.1:<port> */
  origin: string;
  port: number;
  close(): Promise<void>;
}

/** A real HTTP server on a free 127.0.0.1 port, answering with `handle`; for pages and documents the tests serve. */
export async function startLocalServer(handle: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>): Promise<LocalServer> {
  const server = createServer((req, res) => {
    Promise.resolve(handle(req, res)).catch((error: unknown) => {
      res.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** Serves fixed files by path: `{ '/client.json': { type: 'application/json', body: '...' } }`; anything else is 404. */
export function files(byPath: Record<string, { type: string; body: string | Uint8Array; headers?: Record<string, string> }>) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const file = byPath[new URL(req.url ?? '/', 'http://local').pathname];
    if (!file) return void res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
    res.writeHead(200, { 'Content-Type': file.type, ...file.headers }).end(file.body);
  };
}
