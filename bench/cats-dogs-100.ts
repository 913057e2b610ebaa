/**
 * Cats vs dogs with 100 labels and no other label anywhere: random vs representative labels × supervised vs
 * FixMatch vs the SSL-GAN (klogit-fm) vs the SSL-GAN with FixMatch's term, 3 seeds, on the photo-cnn preset at
 * 64 px (the `semigan compare` experiment on ../shared/data/cats-dogs). Every method trains on the same labeled
 * images with the same augmentation and the same fixed schedule, and reports its last epoch: no validation
 * labels, no epoch picked on test data.
 *
 *   npm run bench:cats-dogs      → bench/results/cats-dogs-100.json (+ cats-dogs-100-report.html)
 *   CD_SEEDS=4,5,6 npm run bench:cats-dogs → cats-dogs-100-seeds4-6.json (+ report): the fresh seeds that judge
 *   a recipe chosen on seed 1 (docs/reproduction.md)
 *
 * Resumable: runs live in bench/runs/cats-dogs-100/ (SEMIGAN_BENCH_RUNS moves it) and continue from their
 * checkpoints; finished runs are only aggregated, and runs in the committed results are reused only where
 * their settings and code signature match. Several processes may share the work (CD_SEEDS=1 … and
 * CD_SEEDS=2,3 …): each merges its finished runs into the partial file, and the full file is written once
 * every strategy × method in it has 3 seeds. Env: CD_SIZE (image px, default 64), CD_EPOCHS (default 30), CD_VALIDATION (per class, default
 * 0), CD_SEEDS, CD_METHODS, CD_SELECT, CD_DIR; levers for every method alike: CD_AUGMENT (an --augment spec, e.g.
 * strong), CD_THRESHOLD (FixMatch's τ), CD_GAN_WEIGHT (D's real/fake loss in the GAN methods; without it, each method
 * trains at `semigan compare`'s weight on photos: klogit-fm+fixmatch at 0.1, the others at 1).
 * A protocol other than the default (64 px, 30 epochs, no validation labels, no lever) is tagged: its runs and results are cats-dogs-100-e10…, -32px…, -aug-strong…, -tau0p8…, -gw0p1…;
 * methods outside the bar's four (kplus1, kplus1-fm, klogit: the talk's heads ablation) run under -heads…, reusing the bar's finished runs;
 * seeds beyond 1–3 confirm what seeds 1–3 chose and are tagged too (-seeds4-6). The earlier 32 px protocol (dcgan-resnet, 50 validation labels
 * per class for the supervised baseline) is kept in cats-dogs-100-32px-dcgan.json.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { useBackend, backendAcceleration } from '../src/backend.js';
import {
  formatCompareTable,
  labeledSetConflicts,
  mergeRuns,
  once,
  runCompare,
  summarise,
  type CompareRun,
} from '../src/experiments/compare.js';
import { compareRunConfig, methodGanWeight } from '../src/experiments/compare-config.js';
import { runSettings } from '../src/train/run-settings.js';
import { describeDataSpec, parseDataSpec } from '../src/data/spec.js';
import { augmentOption } from '../src/cli/parse.js';
import { Stopped, UsageError } from '../src/errors.js';
import { stopOnInterrupt } from '../src/cli/interrupt.js';
import { writeFileAtomic } from '../src/util/fs.js';
import { benchContext, benchRunsDir, provenanceHeader, refuseDirtyCheckout } from './machine.js';
import { catsDogsProtocol } from './cats-dogs-protocol.js';
import { mergeIntoResultsFile, readRuns, runsOfProtocol } from './partial-results.js';

refuseDirtyCheckout();
const here = import.meta.dirname;
// data paths in results are relative to the repository: the bench runs from its root
process.chdir(join(here, '..'));
const dataDir = relative(
  process.cwd(),
  process.env.CD_DIR ?? join(here, '..', '..', 'shared', 'data', 'cats-dogs'),
);
const cd = catsDogsProtocol(process.env);
const { size, epochs, validation, seeds, methods, select, augmentSpec, threshold, weights } = cd;
const { name, related, header: protocol } = cd;
const out = benchRunsDir(name);
const partialFile = join(here, 'results', `${name}.partial.json`);

// runs already in the committed results: their checkpoint directories die with a machine, their figures stay
const ownFiles = [`${name}.json`, `${name}.partial.json`].map((f) => ({
  f,
  runs: readRuns(join(here, 'results', f)),
}));
const finished = [
  ...related
    .flatMap((n) => [`${n}.json`, `${n}.partial.json`])
    .flatMap((f) => readRuns(join(here, 'results', f))),
  ...ownFiles.flatMap((o) => o.runs),
];
refuseOtherWeights(ownFiles);
// each seed's selection (ids and their key, no label) is committed beside the results: a representative one trains
// a feature net for ≈25 minutes, and the run directory it is saved in dies with the machine
const committedSelections = join(here, 'results', 'selections', name);
restoreSelections();
const backend = await useBackend('wasm');
const context = benchContext();
const t0 = performance.now();
const done: CompareRun[] = [];
const { shouldStop } = stopOnInterrupt();
const options = {
  data: `images:${dataDir}?size=${size}`,
  labels: 100,
  select,
  methods,
  seeds,
  epochs,
  validationPerClass: validation,
  out,
  finished,
  ...(augmentSpec ? { augment: augmentOption(augmentSpec) } : {}),
  ...(threshold === undefined ? {} : { pseudoThreshold: threshold }),
  ...(weights === undefined ? {} : { ganWeight: weights }),
};
// the partial file is summarised after every finished run: name each left-out run once per process
const sayLeftOutOnce = once((line) => console.log(`  ${line}`))!;
const result = await runCompare(options, {
  shouldStop,
  onRunStart: ({ select, method, seed, index, total }) => {
    keepSelection(`${select}-seed${seed}.json`);
    console.log(
      `${new Date().toISOString()} [${index + 1}/${total}] ${method}, ${select} labels, seed ${seed}`,
    );
  },
  onEpoch: (m, total) =>
    console.log(
      `  epoch ${m.epoch}/${total}: test accuracy ${(m.testAccuracy * 100).toFixed(2)}%  ${m.seconds}s`,
    ),
  onNote: (line) => console.log(`  ${line}`),
  onWarning: (line) => console.log(`  warning: ${line}`),
  onRunDone: (r) => {
    console.log(`  → ${(r.testAccuracy * 100).toFixed(2)}%, ${r.labelsRead} labels read`);
    // progress for runs that span sessions: every finished run, merged with what other processes wrote
    done.push(r);
    writePartial(done);
  },
}).catch((e: Error) => {
  // a signal stopped the work (a run at a checkpoint, or a selection from scratch): the same command continues
  if (e instanceof Stopped) {
    console.log(`${e.message}; the same command continues`);
    process.exit(130);
  }
  // a setting no run could train with: its one line, as the CLI says it
  if (e instanceof UsageError) {
    console.error(e.message);
    process.exit(2);
  }
  throw e;
});

/**
 * A results file holds one protocol: before training, every run already in this call's files must have trained
 * its method at the GAN weight this call gives it (the untagged protocol's weights are compare's defaults,
 * which have changed: the 10-epoch file holds a weight-1 run of klogit-fm+fixmatch). One line, then exit.
 */
function refuseOtherWeights(files: { f: string; runs: CompareRun[] }[]): void {
  for (const { f, runs } of files) {
    for (const r of runs) {
      const had = r.settings?.ganWeight ?? 1;
      const want = methodGanWeight(weights, r.method) ?? 1;
      if (had === want) continue;
      console.error(
        `bench/results/${f} holds ${r.select}/${r.method}/seed ${r.seed} at GAN weight ${had}, and this call ` +
          `trains ${r.method} at ${want}: that file was written under other defaults; move it aside, or give ` +
          `CD_GAN_WEIGHT for a file of that weight's own`,
      );
      process.exit(2);
    }
  }
}

/** Committed selections into the run directory where it has none: compare reuses one only if its key matches. */
function restoreSelections(): void {
  if (!existsSync(committedSelections)) return;
  mkdirSync(join(out, 'labels'), { recursive: true });
  for (const f of readdirSync(committedSelections).filter((n) => n.endsWith('.json'))) {
    if (!existsSync(join(out, 'labels', f)))
      copyFileSync(join(committedSelections, f), join(out, 'labels', f));
  }
}

/** A selection compare saved, into the committed folder (a new one replaces the old only when it differs). */
function keepSelection(file: string): void {
  const made = join(out, 'labels', file);
  const kept = join(committedSelections, file);
  if (!existsSync(made) || (existsSync(kept) && readFileSync(kept, 'utf8') === readFileSync(made, 'utf8')))
    return;
  mkdirSync(committedSelections, { recursive: true });
  copyFileSync(made, kept);
}

/** This process's finished runs merged into the partial file; runs of another size, epochs or validation are left out. */
function writePartial(mine: CompareRun[]): void {
  const same = (r: CompareRun) =>
    r.settings?.data === mine[0].settings.data &&
    r.settings.epochs === epochs &&
    r.settings.validationPerClass === validation;
  const merged = mergeIntoResultsFile(partialFile, mine, same, (runs) => ({
    bench: name,
    partial: true,
    ...provenanceHeader(runs.map((r) => r.code)),
    ...protocol,
    runs,
    summary: summarise(ofThisProtocol(runs)),
  }));
  for (const line of labeledSetConflicts(merged)) console.log(`  warning: ${line}`);
}

/** This call's runs and every recorded run that provably trained what it trains (see runsOfProtocol). */
function ofThisProtocol(runs: CompareRun[]): CompareRun[] {
  const data = describeDataSpec(parseDataSpec(options.data));
  const wanted = (r: CompareRun) => runSettings(compareRunConfig(options, data, r, [], 50));
  return runsOfProtocol(runs, wanted, sayLeftOutOnce);
}

console.log(formatCompareTable(result));
writeFullResults();

/**
 * The full results file: every run of this protocol so far (this call's, other processes', earlier calls'),
 * once each strategy × method in it has its three seeds. The report shows this call's grid, so it is copied
 * only when that grid is the whole file.
 */
function writeFullResults(): void {
  const finalFile = join(here, 'results', `${name}.json`);
  const runs = ofThisProtocol(mergeRuns(mergeRuns(readRuns(finalFile), readRuns(partialFile)), result.runs));
  const cells = new Set(runs.map((r) => `${r.select}/${r.method}`));
  const seedsOf = (cell: string) => runs.filter((r) => `${r.select}/${r.method}` === cell).length;
  const conflicts = labeledSetConflicts(runs);
  if (conflicts.length) {
    console.log(`not writing ${name}.json: ${conflicts.join('; ')}`);
    return;
  }
  const short = [...cells].filter((c) => seedsOf(c) < 3);
  if (short.length) {
    console.log(`not writing ${name}.json yet: fewer than 3 seeds for ${short.join(', ')}`);
    return;
  }
  const old = existsSync(finalFile)
    ? (JSON.parse(readFileSync(finalFile, 'utf8')) as { labeledSets?: Record<string, unknown> })
    : {};
  writeFileAtomic(
    finalFile,
    JSON.stringify(
      {
        bench: name,
        ...provenanceHeader(
          runs.map((r) => r.code),
          context,
        ),
        backend,
        acceleration: backendAcceleration(),
        ...protocol,
        labelsUsed: Math.max(...runs.map((r) => r.labelsRead)),
        spread: 'stdTestAccuracy: sample SD over seeds (n − 1); seTestAccuracy: standard error, SD / √n',
        wallSecondsThisCall: Math.round((performance.now() - t0) / 1000),
        dataset: result.dataset,
        labels: result.labels,
        runs,
        summary: summarise(runs),
        labeledSets: { ...old.labeledSets, ...result.labeledSets },
      },
      null,
      2,
    ) + '\n',
  );
  if (result.runs.length === runs.length) {
    copyFileSync(join(out, 'report.html'), join(here, 'results', `${name}-report.html`));
    console.log(`wrote bench/results/${name}.json and ${name}-report.html`);
  } else {
    console.log(
      `wrote bench/results/${name}.json; its report shows one call's grid: run the whole grid once to refresh it`,
    );
  }
}
