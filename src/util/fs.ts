import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  rmdirSync,
  statSync,
  writeSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { SemiganError, UsageError } from '../errors.js';

/**
 * Writes via a temp file, fsync and rename: a crash mid-write leaves the old file (or none), never a
 * truncated one that looks complete.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = join(dirname(path), `.${Date.now()}-${process.pid}.tmp`);
  try {
    const fd = openSync(tmp, 'w');
    try {
      const bytes = typeof data === 'string' ? Buffer.from(data) : data;
      let off = 0;
      if (process.env.SEMIGAN_FAULT_ENOSPC && path.endsWith(process.env.SEMIGAN_FAULT_ENOSPC)) {
        // fault injection (tests, drills): the disk fills up halfway through this file
        writeSync(fd, bytes, 0, bytes.length >> 1);
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      }
      while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new SemiganError(`cannot write ${path}: ${describeFsError(e)}`);
  }
}

/** Creates the output directory and proves it is writable before any long work starts. */
export function ensureWritableDir(dir: string): void {
  if (existsSync(dir) && !statSync(dir).isDirectory())
    throw new UsageError(
      `output directory ${dir} is a file, not a directory: give --out a new or existing directory instead`,
    );
  try {
    mkdirSync(dir, { recursive: true });
    const probe = join(dir, `.semigan-write-test-${process.pid}`);
    const fd = openSync(probe, 'w');
    closeSync(fd);
    rmSync(probe);
  } catch (e) {
    throw new UsageError(`output directory ${dir} is not writable: ${describeFsError(e)}`);
  }
}

export function describeFsError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const byCode: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    ENOTDIR: 'a part of the path is a file, not a directory',
    ENOENT: 'no such file or directory',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on device',
    EEXIST: 'already exists',
    EISDIR: 'is a directory',
  };
  return (err.code && byCode[err.code]) || err.message?.split('\n')[0] || String(e);
}

/** Removes dir if it exists and holds nothing (a folder this command made and never wrote to). */
export function removeIfEmpty(dir: string): void {
  try {
    if (existsSync(dir) && statSync(dir).isDirectory() && readdirSync(dir).length === 0) rmdirSync(dir);
  } catch {
    // best effort: a folder left behind is untidy, never harmful
  }
}

/** Renames `dir` to the first free `<dir>.replaced-<n>` and returns that path: a run set aside, never deleted. */
export function moveAside(dir: string): string {
  let i = 1;
  while (existsSync(`${dir}.replaced-${i}`)) i++;
  renameSync(dir, `${dir}.replaced-${i}`);
  return `${dir}.replaced-${i}`;
}

/**
 * The entries of `dir` that neither `owns` claims nor are among `inputs` (files the command reads, which may sit
 * there), hidden ones (.DS_Store, a write's temporary) left out, named for a one-line refusal; null when none.
 */
export function foreignEntries(
  dir: string,
  owns: (name: string) => boolean,
  inputs: string[] = [],
): string | null {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return null;
  const given = new Set(inputs.map((f) => resolve(f)));
  const others = readdirSync(dir)
    .filter((f) => !f.startsWith('.') && !owns(f) && !given.has(resolve(dir, f)))
    .sort();
  if (!others.length) return null;
  return others.slice(0, 2).join(', ') + (others.length > 2 ? `, … ${others.length} in all` : '');
}
