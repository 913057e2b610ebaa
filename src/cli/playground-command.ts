import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { createServer, type ServerResponse, type Server } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sirv from 'sirv';
import { SemiganError } from '../errors.js';
import { intOption } from './parse.js';

/** The built playground (vite build web → web/dist), shipped with the package. */
export function playgroundDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web', 'dist');
}

/** Longest request path served; anything longer is no file of a built page. */
const MAX_PATH = 2048;

const refuse = (res: ServerResponse, code: number, text: string): void =>
  void res.writeHead(code, { 'content-type': 'text/plain; charset=utf-8' }).end(`${text}\n`);

/**
 * Headers on every answer. Cross-origin isolation (COOP + COEP) gives the page SharedArrayBuffer, which
 * tfjs-wasm needs for its threaded build; CORS + CORP let a page on another origin load exported models.
 */
function headers(isolate: boolean) {
  return (res: ServerResponse): void => {
    res.setHeader('cache-control', 'no-cache');
    if (isolate) {
      res.setHeader('cross-origin-opener-policy', 'same-origin');
      res.setHeader('cross-origin-embedder-policy', 'require-corp');
    }
    res.setHeader('cross-origin-resource-policy', 'cross-origin');
    res.setHeader('access-control-allow-origin', '*');
  };
}

/**
 * Serves the files under `root` on host:port (0: any free port); resolves once listening. sirv indexes the
 * directory once at start and answers only paths in that index, so no request (encoded traversal, NUL
 * bytes, malformed escapes) can reach a file outside it; every other request gets a 4xx.
 * `crossOriginIsolated: false` leaves out COOP/COEP (the bench compares the page with and without).
 */
export function serveStatic(
  root: string,
  host: string,
  port: number,
  opts: { crossOriginIsolated?: boolean } = {},
): Promise<{ server: Server; url: string }> {
  const setHeaders = headers(opts.crossOriginIsolated ?? true);
  const files = sirv(root, { dev: false, dotfiles: false, etag: true, setHeaders });
  const server = createServer((req, res) => {
    try {
      const url = req.url ?? '';
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('allow', 'GET, HEAD');
        return refuse(res, 405, 'method not allowed');
      }
      if (!url.startsWith('/') || url.length > MAX_PATH || /[\0\\]|%00|%5c/i.test(url)) {
        return refuse(res, 400, 'bad request path');
      }
      setHeaders(res);
      // a file that vanished since start (a rebuild) ends that one answer, never the server
      res.once('pipe', (from) => from.once('error', () => res.destroy()));
      files(req, res, () => refuse(res, 404, 'not found'));
    } catch {
      if (res.headersSent) res.destroy();
      else refuse(res, 400, 'bad request');
    }
  });
  return new Promise((ok, fail) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      fail(
        new SemiganError(
          `cannot serve on ${host}:${port}: ${e.code === 'EADDRINUSE' ? 'the port is in use (try --port 0)' : e.message}`,
        ),
      ),
    );
    server.listen(port, host, () => {
      const addr = server.address();
      const p = typeof addr === 'object' && addr ? addr.port : port;
      ok({ server, url: `http://${host === '0.0.0.0' ? 'localhost' : host}:${p}/` });
    });
  });
}

export function registerPlayground(program: Command): void {
  program
    .command('playground')
    .description('serve the browser playground (two rings, live training) and print its URL')
    .option('--port <n>', 'port (0: any free port)', intOption('--port', 0, 65535), 5173)
    .option('--host <h>', 'interface to listen on', '127.0.0.1')
    .action(async (o) => {
      const root = playgroundDir();
      if (!existsSync(join(root, 'index.html'))) {
        throw new SemiganError(`the playground is not built (${root} is missing): run npm run build`);
      }
      const { server, url } = await serveStatic(root, o.host, o.port);
      process.stdout.write(`semigan playground: ${url}  (Ctrl-C to stop)\n`);
      await untilStopped(server);
    });
}

/**
 * Resolves once Ctrl-C, SIGTERM or a hang-up has closed the server. Closing alone would wait for the
 * browser's keep-alive connections, which stay open as long as the tab does: they are ended too.
 */
function untilStopped(server: Server): Promise<void> {
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  return new Promise<void>((done) => {
    const stop = () => {
      signals.forEach((sig) => process.off(sig, stop));
      process.stdout.write('semigan playground: stopped\n');
      server.close(() => done());
      server.closeAllConnections();
    };
    signals.forEach((sig) => process.on(sig, stop));
  });
}
