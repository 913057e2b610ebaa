import type { Command } from 'commander';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { dirname, extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SemiganError } from '../errors.js';
import { intOption } from './parse.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/** The built playground (vite build web → web/dist), shipped with the package. */
export function playgroundDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web', 'dist');
}

/** Serves a static directory on host:port (0: any free port); resolves once listening. */
export function serveStatic(
  root: string,
  host: string,
  port: number,
): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    let file = normalize(join(root, path));
    if (!file.startsWith(root)) {
      res.writeHead(403).end();
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-cache',
      // a page on another local port may load exported models from here
      'access-control-allow-origin': '*',
    });
    createReadStream(file).pipe(res);
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
      const { url } = await serveStatic(root, o.host, o.port);
      process.stdout.write(`semigan playground: ${url}  (Ctrl-C to stop)\n`);
      await new Promise<void>((done) => process.once('SIGINT', () => done()));
    });
}
