import { mkdirSync, writeFileSync } from 'node:fs';
import { Agent, get } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveStatic } from '../src/cli/playground-command.js';
import { haveBrowser, openPlayground, pollUntil } from './browser-helpers.js';
import { semiganAsync, tempDir } from './helpers.js';

const SECRET = 'the-secret-outside-the-root';

/** Sends `line` as the request line, byte for byte (fetch would normalise it); returns status and body. */
function rawRequest(url: string, line: string): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((ok, fail) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', fail);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      ok({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), text });
    });
    socket.end(Buffer.from(`${line}\r\nHost: ${hostname}\r\nConnection: close\r\n\r\n`, 'latin1'));
  });
}

/** Malformed escapes, traversal encoded every way, NUL bytes, odd methods and forms, very long paths. */
const ATTACKS = [
  'GET /% HTTP/1.1',
  'GET /%E0%A4%A HTTP/1.1',
  'GET /%ZZ/index.html HTTP/1.1',
  'GET /../secret.txt HTTP/1.1',
  'GET /sub/../../secret.txt HTTP/1.1',
  'GET /../root-sibling/secret.txt HTTP/1.1',
  'GET /..%2fsecret.txt HTTP/1.1',
  'GET /%2e%2e/secret.txt HTTP/1.1',
  'GET /%2e%2e%2fsecret.txt HTTP/1.1',
  'GET /%2E%2E%2F%2E%2E%2Fsecret.txt HTTP/1.1',
  'GET /%252e%252e%252fsecret.txt HTTP/1.1',
  'GET /%c0%ae%c0%ae/secret.txt HTTP/1.1',
  'GET /..\\secret.txt HTTP/1.1',
  'GET /..%5csecret.txt HTTP/1.1',
  'GET /..%255csecret.txt HTTP/1.1',
  'GET /index.html%00.js HTTP/1.1',
  'GET /%00 HTTP/1.1',
  'GET /index.html\0 HTTP/1.1',
  'GET //secret.txt HTTP/1.1',
  'GET http://localhost/../secret.txt HTTP/1.1',
  'GET * HTTP/1.1',
  'GET ../secret.txt HTTP/1.1',
  'POST /index.html HTTP/1.1',
  'DELETE /index.html HTTP/1.1',
  `GET /${'a/'.repeat(2000)} HTTP/1.1`,
  `GET /${'%2e%2e/'.repeat(20_000)}secret.txt HTTP/1.1`,
  'GARBAGE',
];

async function attack(url: string): Promise<void> {
  for (const line of ATTACKS) {
    const r = await rawRequest(url, line);
    expect([line.slice(0, 60), r.status >= 400 && r.status < 500]).toEqual([line.slice(0, 60), true]);
    expect(r.text).not.toContain(SECRET);
  }
}

describe('the playground server', () => {
  const dir = tempDir();
  const root = join(dir, 'root');
  let close = () => {};
  let url = '';

  beforeAll(async () => {
    mkdirSync(join(root, 'sub'), { recursive: true });
    mkdirSync(join(dir, 'root-sibling'));
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>page</title>');
    writeFileSync(join(root, 'sub', 'a.txt'), 'inside');
    writeFileSync(join(dir, 'secret.txt'), SECRET);
    writeFileSync(join(dir, 'root-sibling', 'secret.txt'), SECRET);
    const s = await serveStatic(root, '127.0.0.1', 0);
    [url, close] = [s.url, () => void s.server.close()];
  });
  afterAll(() => close());

  it('answers every hostile request with a 4xx, never a file outside its root, and keeps serving', async () => {
    await attack(url);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>page</title>');
    expect(page.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(page.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect(await (await fetch(new URL('sub/a.txt', url))).text()).toBe('inside');
    expect((await fetch(new URL('missing.js', url))).status).toBe(404);
  });
});

describe('semigan playground', () => {
  it('stops on the first Ctrl-C, even while a browser holds a keep-alive connection', async () => {
    const child = semiganAsync('playground', '--port', '0');
    let out = '';
    const url = await new Promise<string>((ok, fail) => {
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /(http:\/\/\S+)/.exec(out);
        if (m) ok(m[1]);
      });
      child.once('exit', () => fail(new Error(`playground exited early: ${out}`)));
    });
    const agent = new Agent({ keepAlive: true });
    const status = await new Promise<number>((ok, fail) =>
      get(url, { agent }, (res) => {
        res.resume();
        res.on('end', () => ok(res.statusCode ?? 0));
      }).on('error', fail),
    );
    expect(status).toBe(200);
    const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
    child.kill('SIGINT');
    const code = await Promise.race([
      exited,
      new Promise((ok) => setTimeout(() => ok('still running'), 5000)),
    ]);
    agent.destroy();
    if (code === 'still running') child.kill('SIGKILL');
    expect(code).toBe(0);
    expect(out).toContain('stopped');
  }, 20_000);
});

describe.skipIf(!haveBrowser)('the built playground after hostile requests (headless Chromium)', () => {
  it('still loads, cross-origin isolated, and starts its wasm backend', async () => {
    const p = await openPlayground();
    try {
      await attack(p.url);
      await p.page.reload();
      const read = () =>
        p.page.evaluate(() => ({
          isolated: crossOriginIsolated,
          s: (window as unknown as { semigan: { state(): { backend: string } } }).semigan.state(),
        }));
      const got = await pollUntil(p.page, read, (x) => x.s.backend !== '', 30_000);
      expect(got.s.backend).toBe('wasm');
      expect(got.isolated).toBe(true); // SharedArrayBuffer: tfjs-wasm may use threads
      expect(p.errors).toEqual([]);
    } finally {
      await p.close();
    }
  }, 60_000);
});
