/**
 * Re-derives the summaries of the committed results from their per-seed figures, without training: the sample
 * standard deviation (n − 1) and the standard error of the mean beside every mean. For the MNIST results it also
 * records the labels each seed's split read (labelsRead): the split is recomputed from the data and the seed,
 * and written only where its labeled-id hash equals the committed one. Where every seed recorded its commits,
 * the header lists them all (`commits`), and the commit that wrote the file moves to `writtenBy`. The rings
 * heads and gap files get the labels each seed's split read (`labelsReadPerSeed`), recomputed from the seed.
 *
 *   npx tsx bench/rederive-summaries.ts   (MNIST_DIR for the MNIST files, default ../shared/data/mnist)
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadMnistDir } from '../src/data/mnist.js';
import { splitDataset } from '../src/data/split.js';
import type { Dataset } from '../src/data/dataset.js';
import { writeFileAtomic } from '../src/util/fs.js';
import { summarise } from '../src/experiments/compare-summary.js';
import type { CompareRun } from '../src/experiments/compare-types.js';
import { ringsLabelsRead, summarize } from './rings-runs.js';
import { parseCommitEntry } from './machine.js';
import { recordsOf, summariseRecords } from './mnist-records.js';

const results = join(import.meta.dirname, 'results');
const mnistDir = process.env.MNIST_DIR ?? join(import.meta.dirname, '..', '..', 'shared', 'data', 'mnist');
const SPREAD = 'std*: sample SD over seeds (n − 1); se*: standard error of the mean, SD / √n';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * compare results (cats-dogs): the summary as the bench writes it (`summarise`), from the runs. The oldest files'
 * runs did not record the labels they read; their cells leave that out rather than claim a figure.
 */
function compareFile(d: Json): void {
  const runs = d.runs as CompareRun[];
  const recorded = runs.every((r) => r.labelsRead !== undefined);
  d.summary = Object.fromEntries(
    Object.entries(summarise(runs)).map(([select, byMethod]) => [
      select,
      Object.fromEntries(
        Object.entries(byMethod).map(([m, { labelsRead, ...cell }]) => [
          m,
          recorded ? { ...cell, labelsRead } : cell,
        ]),
      ),
    ]),
  );
}

/** rings demo: per method, test accuracy and fakes in the gap, as bench/rings-demo.ts summarises them. */
function ringsFile(d: Json): void {
  const runs = d.runs as Json[];
  for (const key of ['testAccuracy', 'fakesInGap'])
    d.summary[key] = Object.fromEntries(
      Object.keys(runs[0][key]).map((m) => [m, summarize(runs.map((r) => r[key][m] as number))]),
    );
}

/** rings-heads and rings-gap: the labels each seed's split read, recomputed from the seed (the split is the demo's). */
function ringsLabels(d: Json): void {
  const seeds = (d.seeds ??
    Object.values(d.results as Record<string, Json>)[0].runs.map((r: Json) => r.seed)) as number[];
  const { results, ...rest } = d;
  for (const k of Object.keys(d)) delete d[k];
  Object.assign(d, { ...rest, labelsReadPerSeed: ringsLabelsRead(seeds), results });
}

let mnistTrain: Dataset | undefined;

/** The header's commits from every seed's, when every seed recorded them (12-character prefixes). */
function mnistCommits(d: Json): void {
  const perSeed = Object.values(d.methods as Record<string, Json>).flatMap(
    (r) => (r.commitsPerSeed ?? r.seeds.map(() => null)) as (string[] | null)[],
  );
  if (perSeed.some((c) => !c) || d.writtenBy) return;
  const all = perSeed.flatMap((c) => c!.map(parseCommitEntry));
  const { commit, dirty, date, ...rest } = d;
  for (const k of Object.keys(d)) delete d[k];
  Object.assign(d, {
    bench: rest.bench,
    commits: [...new Set(all.map((c) => c.commit))],
    dirty: all.some((c) => c.dirty),
    ...rest,
    writtenBy: { commit, dirty, date },
  });
}

/** MNIST: per method, the bench's own summary of its seeds; labelsRead per seed where the split reproduces. */
function mnistFile(d: Json): void {
  const summary = summariseRecords(recordsOf(d));
  for (const [m, r] of Object.entries(d.methods as Record<string, Json>)) {
    const { meanOfSeeds, meanTestError, stdTestError, seTestError, complete } = summary[m]!;
    Object.assign(r, { meanOfSeeds, meanTestError, stdTestError, seTestError, complete });
    if (!existsSync(mnistDir)) continue;
    mnistTrain ??= loadMnistDir(mnistDir).train;
    (r.labeledSubsets as Json[]).forEach((sub, i) => {
      const split = splitDataset(mnistTrain!, { labeledPerClass: 10, seed: r.seeds[i] as number });
      if (split.record.idsSha256 === sub.idsSha256) sub.labelsRead = split.record.labelsRead;
      else console.log(`  seed ${r.seeds[i]}: the split does not reproduce; labelsRead left out`);
    });
  }
}

for (const f of readdirSync(results).filter((n) => n.endsWith('.json'))) {
  const path = join(results, f);
  const d = JSON.parse(readFileSync(path, 'utf8')) as Json;
  if (f.startsWith('cats-dogs-100')) compareFile(d);
  else if (f.startsWith('rings-demo')) ringsFile(d);
  else if (f.startsWith('rings-heads') || f.startsWith('rings-gap')) ringsLabels(d);
  else if (f.startsWith('mnist-100')) {
    mnistFile(d);
    mnistCommits(d);
  } else continue;
  d.spread = SPREAD;
  writeFileAtomic(path, JSON.stringify(d, null, 2) + '\n');
  console.log(`rederived ${f}`);
}
