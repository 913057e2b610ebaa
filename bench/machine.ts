import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { checkoutState } from '../src/train/provenance.js';

/**
 * The checkout as this process loaded its code: read once, at import. A bench runs for hours while commits land;
 * its results must name the code that ran, not the checkout at the moment it writes.
 */
const loaded = checkoutState(join(import.meta.dirname, '..')) ?? { commit: 'unknown', dirty: false };

/** What every benchmark result records about where and from what it ran. */
export function benchContext(): {
  commit: string;
  dirty: boolean;
  machine: string;
  node: string;
  date: string;
} {
  const cpu = cpus();
  return {
    ...loaded,
    machine: `${cpu.length}x ${cpu[0]?.model ?? 'unknown cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB`,
    node: process.version,
    date: new Date().toISOString(),
  };
}

/**
 * A long bench refuses to start from a checkout whose code differs from its commit: its runs would name a commit
 * that is not the code that ran, and no one could check them. SEMIGAN_BENCH_ALLOW_DIRTY=1 lets exploration go on
 * (its runs still record dirty: true).
 */
export function refuseDirtyCheckout(): void {
  if (!loaded.dirty || process.env.SEMIGAN_BENCH_ALLOW_DIRTY === '1') return;
  console.error(
    `the checkout's code differs from its commit ${loaded.commit.slice(0, 12)}: commit or stash it first, so ` +
      'the results name the code that ran (SEMIGAN_BENCH_ALLOW_DIRTY=1 to explore anyway)',
  );
  process.exit(2);
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
 * every machine its runs name (runs of one file can span machines: each run's own code entries say which), then
 * where it was written, and which code last wrote the file, which is not the code of its runs.
 */
export function provenanceHeader(
  runsCode: ({ commit: string; dirty: boolean; machine?: string }[] | undefined)[],
  context = benchContext(),
): Record<string, unknown> {
  const all = runsCode.flatMap((c) => c ?? []);
  const machines = [...new Set(all.flatMap((c) => (c.machine ? [c.machine] : [])))];
  const { commit, dirty, date, ...where } = context;
  return {
    commits: [...new Set(all.map((c) => c.commit))],
    dirty: all.some((c) => c.dirty),
    ...(machines.length ? { runMachines: machines } : {}),
    ...where,
    writtenBy: { commit, dirty, date },
  };
}

/** `abc123…+dirty@step600` (a per-seed commit entry of the MNIST results) as the commit and its dirty flag. */
export const parseCommitEntry = (s: string) => ({ commit: s.split(/[+@]/)[0], dirty: s.includes('+dirty') });

/**
 * A bench's tag for its seeds: '' for seeds 1–3 (where recipes are chosen), '-seeds4-6' for 4–6 and so on, so
 * fresh seeds that confirm a recipe keep their own runs and file and are never averaged with the seeds that
 * chose it. Seeds of one group may be split across processes; one call may not mix groups.
 */
export function seedGroupTag(seeds: number[]): string {
  const groups = [...new Set(seeds.map((s) => Math.floor((s - 1) / 3)))];
  if (groups.length !== 1 || seeds.some((s) => !Number.isInteger(s) || s < 1))
    throw new Error(`seeds must come from one group of three (1–3, 4–6, …), got ${seeds.join(',')}`);
  const g = groups[0];
  return g === 0 ? '' : `-seeds${3 * g + 1}-${3 * g + 3}`;
}

/**
 * What a results file's seeds can show, written into the file itself: seeds 1–3 are where recipes were chosen by
 * their test figures, so they can illustrate a recipe but not confirm a target; later groups are fresh.
 */
export function seedRole(seeds: number[]): string {
  return seedGroupTag(seeds) === ''
    ? 'exploration: recipes and schedules were chosen on these seeds by their test figures; not evidence for a target'
    : 'fresh: no choice of recipe looked at these seeds; targets are judged on them';
}

/**
 * The seeds a summary's mean and spread count: those that ran their whole length; while none has, every seed
 * at its last epoch (the file says which). A run still in progress never moves the figure of finished ones.
 */
export function countedSeeds(epochs: number[], target: number): number[] {
  const finished = epochs.flatMap((e, i) => (e >= target ? [i] : []));
  return finished.length ? finished : epochs.map((_, i) => i);
}

/** A setting's value as part of a file name, every character kept apart: 'scale=0.1' → 'scale0p1'. */
export const tagValue = (v: string) => v.replace(/\./g, 'p').replace(/[^a-z0-9p]+/gi, '');
