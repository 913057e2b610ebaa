import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { BIN, tempDir } from './helpers.js';

/** The rows of docs/errors.md's first table: mistake, command, exit code, message. */
function documentedRows(): { mistake: string; args: string[]; code: number; message: string }[] {
  const doc = readFileSync(join(import.meta.dirname, '..', 'docs', 'errors.md'), 'utf8');
  const table = doc.split('\n| mistake | command | exit | message |')[1].split('\n\n')[0];
  return table
    .split('\n')
    .filter((l) => l.startsWith('| ') && !l.startsWith('| ---'))
    .map((l) => {
      const [mistake, command, code, message] = l
        .slice(2, -2)
        .split(' | ')
        .map((c) => c.replace(/^`|`$/g, ''));
      return { mistake, args: command.split(' ').slice(1), code: Number(code), message };
    });
}

/** A documented message with `…` standing for any text (a path that depends on the machine). */
const pattern = (message: string) =>
  new RegExp(
    `^${message
      .split('…')
      .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );

describe('docs/errors.md: every row is what semigan prints', () => {
  // the scratch directory the page describes: a regular file, broken MNIST files, a config with a bad key
  const dir = tempDir();
  writeFileSync(join(dir, 'afile'), 'x');
  mkdirSync(join(dir, 'idx'));
  const gz = gzipSync(Buffer.alloc(1000));
  for (const f of ['train-images-idx3', 'train-labels-idx1', 't10k-images-idx3', 't10k-labels-idx1'])
    writeFileSync(join(dir, 'idx', `${f}-ubyte.gz`), gz.subarray(0, gz.length - 8));
  writeFileSync(join(dir, 'bad.json'), JSON.stringify({ bogus: 1 }));
  const rows = documentedRows();

  it('the table has its rows', () => expect(rows.length).toBeGreaterThan(15));

  for (const row of rows) {
    it(`${row.mistake}: semigan ${row.args.join(' ')}`, () => {
      const r = spawnSync(process.execPath, [BIN, ...row.args], {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, CI: 'true' },
      });
      expect(r.status, r.stderr).toBe(row.code);
      expect(r.stderr.trim()).toMatch(pattern(row.message));
    });
  }
});
