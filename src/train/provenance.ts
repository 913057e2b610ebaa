import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requestedThreads } from '../native/openblas.js';

/**
 * Which code trained a run: the git commit of semigan's own checkout (with a dirty flag), when it is one, and the
 * CPU and kernels it ran on.
 */
export interface CodeVersion {
  commit: string;
  dirty: boolean;
  /** CODE_SIGNATURE of the code that ran; absent in runs recorded before semigan wrote it */
  signature?: string;
  /** absent in runs recorded before semigan wrote it */
  machine?: string;
  atStep: number;
  date: string;
}

/**
 * What a finished run's numbers depend on besides its settings: the version of the training computation. Bump it
 * with any change that alters what a run with the same settings computes (nets, objectives, trainer step, data
 * decoding or order, evaluation), so `compare` trains such runs again instead of reusing them. A commit hash
 * would be stricter but would forbid reusing any committed result, since results are always committed after
 * the code that produced them; each run records its commits beside this signature.
 */
export const CODE_SIGNATURE = 'semigan-training-v1';

/**
 * What "dirty" looks at: the checkout minus what changes no computation (result files that benchmarks write
 * while they run, and prose), so a doc edit during a long run does not mark its figures as uncommitted code.
 */
export const CODE_PATHSPEC = [
  ':(top)',
  ':(top,exclude)bench/results',
  ':(top,exclude)docs',
  ':(top,exclude,glob)**/*.md',
];

/**
 * The checkout as this process loaded its code, read once at import: a process trains for hours while commits
 * land and files are edited, and its runs must name the code that ran, not the tree at the time they record it.
 * Null for an installed package: a checkout only counts when it is semigan's own (its top level is the package
 * root), not a project that happens to hold node_modules/semigan.
 */
// src/train/provenance.ts and dist/train/provenance.js both sit two levels below the package root
const loaded = checkoutState(resolve(dirname(fileURLToPath(import.meta.url)), '..', '..'));

/** The commit and dirty flag of the git checkout whose top level is `root`; null when `root` is not one. */
export function checkoutState(root: string): { commit: string; dirty: boolean } | null {
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    if (realpathSync(git('rev-parse', '--show-toplevel')) !== realpathSync(root)) return null;
    return {
      commit: git('rev-parse', 'HEAD'),
      dirty: git('status', '--porcelain', '--untracked-files=no', '--', ...CODE_PATHSPEC) !== '',
    };
  } catch {
    return null; // no git, or not a checkout
  }
}

/**
 * The CPU and kernels a run computes with. A resume is bit-exact only on the same: another CPU model or BLAS
 * kernel sums in another order (measured: MNIST badgan seed 1's first epoch ended at 21.88% test error on a Xeon
 * and at 22.14% on an EPYC with OPENBLAS_CORETYPE=Haswell, same commit and seed).
 */
export function machineSignature(backend: string, kernels: string): string {
  const cpu = cpus()[0]?.model.trim() || 'unknown CPU';
  const coretype = process.env.OPENBLAS_CORETYPE
    ? `, OPENBLAS_CORETYPE=${process.env.OPENBLAS_CORETYPE}`
    : '';
  // the reason native kernels are off does not change the arithmetic
  if (kernels.startsWith('none')) return `${cpu}; ${backend}, no native kernels${coretype}`;
  // OpenBLAS and oneDNN block their work by thread count, so another count can sum in another order
  const threads = requestedThreads();
  return `${cpu}; ${backend}, ${kernels}${coretype}${threads ? `, SEMIGAN_THREADS=${threads}` : ''}`;
}

/**
 * The code history of a run: one entry when it starts and one whenever a resume runs other code or runs on
 * another machine.
 */
export function recordCode(
  history: CodeVersion[] | undefined,
  atStep: number,
  machine: string,
): CodeVersion[] {
  const g = loaded ?? { commit: 'unknown (not a git checkout)', dirty: false };
  const last = history?.at(-1);
  if (
    last &&
    last.commit === g.commit &&
    last.dirty === g.dirty &&
    last.machine === machine &&
    last.signature === CODE_SIGNATURE
  )
    return history!;
  const entry = { ...g, signature: CODE_SIGNATURE, machine, atStep, date: new Date().toISOString() };
  return [...(history ?? []), entry];
}
