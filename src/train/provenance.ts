import { execFileSync } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Which code trained a run: the git commit of semigan's own checkout (with a dirty flag), when it is one. */
export interface CodeVersion {
  commit: string;
  dirty: boolean;
  atStep: number;
  date: string;
}

let cached: { commit: string; dirty: boolean } | null | undefined;

function gitState(): { commit: string; dirty: boolean } | null {
  if (cached !== undefined) return cached;
  const cwd = dirname(fileURLToPath(import.meta.url));
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    cached = {
      commit: git('rev-parse', 'HEAD'),
      dirty: git('status', '--porcelain', '--untracked-files=no') !== '',
    };
  } catch {
    cached = null; // an installed package, not a checkout
  }
  return cached;
}

/** The code history of a run: one entry when it starts and one whenever a resume runs other code. */
export function recordCode(history: CodeVersion[] | undefined, atStep: number): CodeVersion[] | undefined {
  const g = gitState();
  if (!g) return history;
  const last = history?.at(-1);
  if (last && last.commit === g.commit && last.dirty === g.dirty) return history;
  return [...(history ?? []), { ...g, atStep, date: new Date().toISOString() }];
}
