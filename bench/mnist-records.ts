/**
 * The MNIST bench's per-seed records: read from a run directory or from the results file, and merged so that
 * only provably the same run is counted. A record whose settings (all but its length, which grows round by
 * round) or code signature differ from what the bench asks of that method and seed is left out, with one line
 * saying why. Records written before the bench recorded settings (or signatures) are kept on what they have.
 */
import { existsSync, readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import type { RunMetrics, Rollback } from '../src/train/run-config.js';
import { runSettings, whyNotSameRun, type RunSettings } from '../src/train/run-settings.js';
import { CODE_SIGNATURE } from '../src/train/provenance.js';
import { rounded, seedStats } from '../src/util/stats.js';
import { countedSeeds } from './machine.js';

export interface SeedRecord {
  seed: number;
  testError: number;
  epochs: number;
  targetEpochs: number;
  complete: boolean;
  wallSeconds: number;
  labeledSubset: unknown;
  curve: number[];
  /** the commits that trained this seed, one per stretch (a run spans sessions); absent in old results */
  commits?: string[];
  /** the code signatures those stretches ran; absent in results written before the bench recorded them */
  signatures?: string[];
  /** the machines those stretches ran on (the header names only the last writer's); absent in older results */
  machines?: string[];
  /** everything the seed's figures depend on, and its rollbacks; absent in old results */
  settings?: RunSettings;
  rollbacks?: Rollback[];
}

/** A method's entry in the results file: one array element per seed. */
export interface MethodRecords {
  seeds: number[];
  testErrors: number[];
  epochs: number[];
  targetEpochs: number;
  complete: boolean;
  wallSeconds: number;
  wallSecondsPerSeed?: number[];
  labeledSubsets: unknown[];
  testErrorCurves: number[][];
  commitsPerSeed?: (string[] | null)[];
  signaturesPerSeed?: (string[] | null)[];
  machinesPerSeed?: (string[] | null)[];
  settingsPerSeed?: (RunSettings | null)[];
  rollbacksPerSeed?: (Rollback[] | null)[];
}

/** What the bench asks of a method and seed: the settings its run must have, at any length. */
export type WantedSettings = (method: string, seed: number) => RunSettings;

export const recordKey = (method: string, seed: number) => `${method}-seed${seed}`;
export const methodOfKey = (key: string) => key.replace(/-seed\d+$/, '');

/** A data spec with its path relative to `root`, as committed results name it: `mnist:../shared/data/mnist`. */
export function relativeData(spec: string, root: string): string {
  const i = spec.indexOf(':');
  return i < 0 ? spec : `${spec.slice(0, i)}:${relative(root, resolve(spec.slice(i + 1)))}`;
}

/** A run directory's record; `target` is its method's length in this recipe, `root` the repository's. */
export function recordFromRun(r: RunMetrics, target: number, root: string): SeedRecord | undefined {
  if (!r.epochs.length) return undefined;
  return {
    seed: r.config.seed,
    testError: r.epochs.at(-1)!.testError,
    epochs: r.epochs.length,
    targetEpochs: target,
    complete: r.complete && r.epochs.length >= target,
    wallSeconds: Math.round(r.epochs.reduce((b, e) => b + e.seconds, 0)),
    labeledSubset: r.labeledSubset,
    curve: r.epochs.map((e) => e.testError),
    // the top-level commit is whoever wrote the file last; these say what trained each seed
    commits: (r.code ?? []).map((c) => `${c.commit.slice(0, 12)}${c.dirty ? '+dirty' : ''}@step${c.atStep}`),
    signatures: [...new Set((r.code ?? []).map((c) => c.signature ?? 'none'))],
    machines: [...new Set((r.code ?? []).map((c) => c.machine ?? 'unknown'))],
    // data paths in committed results are relative to the repository, whatever path the run trained from
    settings: { ...runSettings(r.config), data: relativeData(r.config.data, root) },
    rollbacks: r.rollbacks ?? [],
  };
}

/** The per-seed records a results file holds, by `<method>-seed<n>`. */
export function recordsInFile(path: string): Map<string, SeedRecord> {
  return existsSync(path) ? recordsOf(JSON.parse(readFileSync(path, 'utf8')) as ResultsFile) : new Map();
}

/** The results file's shape, as far as the records are concerned. */
export interface ResultsFile {
  methods?: Record<string, MethodRecords>;
  provenanceNote?: string;
}

/** The per-seed records of a results file already read. */
export function recordsOf(file: ResultsFile): Map<string, SeedRecord> {
  const records = new Map<string, SeedRecord>();
  for (const [m, r] of Object.entries(file.methods ?? {})) {
    const totalEpochs = r.epochs.reduce((a, b) => a + b, 0);
    r.seeds.forEach((seed, i) => {
      const optional = {
        commits: r.commitsPerSeed?.[i],
        signatures: r.signaturesPerSeed?.[i],
        machines: r.machinesPerSeed?.[i],
        settings: r.settingsPerSeed?.[i],
        rollbacks: r.rollbacksPerSeed?.[i],
      };
      records.set(recordKey(m, seed), {
        seed,
        testError: r.testErrors[i]!,
        epochs: r.epochs[i]!,
        targetEpochs: r.targetEpochs,
        // per seed: the method's flag is false while any one seed trains, which says nothing of this one
        complete: r.epochs[i]! >= r.targetEpochs,
        wallSeconds: r.wallSecondsPerSeed?.[i] ?? Math.round((r.wallSeconds * r.epochs[i]!) / totalEpochs),
        labeledSubset: r.labeledSubsets[i],
        curve: r.testErrorCurves[i]!,
        ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v != null)),
      });
    });
  }
  return records;
}

/** Why a record is not the run the bench asks for (its length aside); undefined when it is, or cannot be told. */
export function whyNotWanted(record: SeedRecord, wanted: RunSettings): string | undefined {
  if (!record.settings) return undefined;
  return whyNotSameRun(
    {
      settings: { ...record.settings, epochs: wanted.epochs },
      // a record written before the bench kept signatures is judged on its settings alone
      code: (record.signatures ?? [CODE_SIGNATURE]).map((signature) => ({ signature })),
    },
    wanted,
  );
}

/**
 * The records to summarise: the results file's (which other bench processes also write), then each run
 * directory's where it got at least as far or finished. A record that is not the run the bench asks for is left
 * out, and `note` says why.
 */
export function mergeRecords(
  inFile: Map<string, SeedRecord>,
  onDisk: Map<string, SeedRecord>,
  wanted: WantedSettings,
  note: (line: string) => void,
): Map<string, SeedRecord> {
  const out = new Map<string, SeedRecord>();
  const consider = (key: string, r: SeedRecord, where: string) => {
    const why = whyNotWanted(r, wanted(methodOfKey(key), r.seed));
    if (why) return note(`${key} ${where} is not the run this recipe asks for (${why}): left out`);
    const old = out.get(key);
    if (!old || r.complete || r.epochs >= old.epochs) out.set(key, r);
  };
  for (const [key, r] of inFile) consider(key, r, 'in the results file');
  for (const [key, r] of onDisk) consider(key, r, 'on disk');
  return out;
}

export type MethodSummary = MethodRecords & {
  meanOfSeeds: number[];
  meanTestError: number;
  stdTestError: number | null;
  seTestError: number | null;
};

/** Each method's seeds, figures and provenance, with the mean, sample SD and standard error of its finished seeds. */
export function summariseRecords(records: Map<string, SeedRecord>): Record<string, MethodSummary> {
  const out: Record<string, MethodSummary> = {};
  const methods = [...new Set([...records.keys()].map(methodOfKey))].sort();
  for (const m of methods) {
    const runs = [...records.entries()]
      .filter(([k]) => methodOfKey(k) === m)
      .map(([, r]) => r)
      .sort((a, b) => a.seed - b.seed);
    const errors = runs.map((r) => r.testError);
    const target = Math.max(...runs.map((r) => r.targetEpochs));
    const counted = countedSeeds(
      runs.map((r) => (r.complete ? target : r.epochs)),
      target,
    );
    const s = seedStats(counted.map((i) => errors[i]));
    out[m] = {
      seeds: runs.map((r) => r.seed),
      testErrors: errors.map((e) => Number(e.toFixed(5))),
      meanOfSeeds: counted.map((i) => runs[i].seed),
      meanTestError: Number(s.mean.toFixed(5)),
      // the sample SD (n − 1) and the standard error of the mean; null with one seed
      stdTestError: rounded(s.sd, 5),
      seTestError: rounded(s.se, 5),
      epochs: runs.map((r) => r.epochs),
      targetEpochs: target,
      complete: runs.every((r) => r.complete),
      wallSeconds: runs.reduce((a, r) => a + r.wallSeconds, 0),
      wallSecondsPerSeed: runs.map((r) => r.wallSeconds),
      labeledSubsets: runs.map((r) => r.labeledSubset),
      testErrorCurves: runs.map((r) => r.curve.map((e) => Number(e.toFixed(5)))),
      commitsPerSeed: runs.map((r) => r.commits ?? null),
      signaturesPerSeed: runs.map((r) => r.signatures ?? null),
      machinesPerSeed: runs.map((r) => r.machines ?? null),
      settingsPerSeed: runs.map((r) => r.settings ?? null),
      rollbacksPerSeed: runs.map((r) => r.rollbacks ?? null),
    };
  }
  return out;
}
