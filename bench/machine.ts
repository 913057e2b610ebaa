import { execSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

/** What every benchmark result records about where and from what it ran. */
export function benchContext(): {
  commit: string;
  dirty: boolean;
  machine: string;
  node: string;
  date: string;
} {
  const git = (cmd: string) => {
    try {
      return execSync(`git ${cmd}`, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return 'unknown';
    }
  };
  const cpu = cpus();
  return {
    commit: git('rev-parse HEAD'),
    // results written by other benches running at the same time do not change the code that runs
    dirty: git('status --porcelain --untracked-files=no -- . :!bench/results') !== '',
    machine: `${cpu.length}x ${cpu[0]?.model ?? 'unknown cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB`,
    node: process.version,
    date: new Date().toISOString(),
  };
}

/**
 * Where a resumable benchmark keeps its run directories (checkpoints, not committed). SEMIGAN_BENCH_RUNS moves
 * them out of the work tree, so they survive a fresh checkout of the repository on the same machine.
 */
export function benchRunsDir(name: string): string {
  const root = process.env.SEMIGAN_BENCH_RUNS ?? join(import.meta.dirname, 'runs');
  return join(root, name);
}

/**
 * A results file's header: every commit that trained one of its runs (and whether any ran on a dirty tree),
 * then where it ran, and which code last wrote the file, which is not the code of its runs.
 */
export function provenanceHeader(
  runsCode: ({ commit: string; dirty: boolean }[] | undefined)[],
  context = benchContext(),
): Record<string, unknown> {
  const all = runsCode.flatMap((c) => c ?? []);
  const { commit, dirty, date, ...where } = context;
  return {
    commits: [...new Set(all.map((c) => c.commit))],
    dirty: all.some((c) => c.dirty),
    ...where,
    writtenBy: { commit, dirty, date },
  };
}

/** `abc123…+dirty@step600` (a per-seed commit entry of the MNIST results) as the commit and its dirty flag. */
export const parseCommitEntry = (s: string) => ({ commit: s.split(/[+@]/)[0], dirty: s.includes('+dirty') });
