/**
 * Training-step speed, semigan vs PyTorch on the same machine in the same run (issue: performance).
 *
 *   npm run bench:speed            → bench/results/speed.json
 *
 * semigan is timed in child processes as a user gets it (wasm + the OpenBLAS addon when present), alternating
 * round by round with the peer (bench/peer/speed_peer.py on Debian's python3-torch), so both sides see the same
 * machine load; then once with pure wasm kernels (SEMIGAN_NATIVE=0). Environment:
 *   SPEED_WORKLOADS=a,b   only these workloads; the others keep their entries in speed.json
 *   SPEED_ROUNDS=3        rounds per side (each keeps its best median)
 *   SPEED_REPS=20         timed steps per workload and round
 *   SPEED_PURE_WASM=0     skip the pure wasm run (its figures stay as they were)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { backendAcceleration, useBackend } from '../src/backend.js';
import { chooseOpenBlasCore, readCpuFlags } from '../src/native/openblas.js';
import { writeFileAtomic } from '../src/util/fs.js';
import { benchContext } from './machine.js';
import { makeWorkloadTrainer, median, timeSteps, WORKLOADS } from './speed-workloads.js';

const here = import.meta.dirname;
// both sides on the same OpenBLAS kernels: the peer (Debian's PyTorch, same OpenBLAS) gets semigan's choice
chooseOpenBlasCore(readCpuFlags());
const reps = Number(process.env.SPEED_REPS ?? 20);
// Each side runs this many times in fresh processes and keeps its best median per workload: on 2 cores a
// process's timings can be bimodal (measured: PyTorch's rings step 15.4 ms in one run, 2.2 ms in the next,
// when its OpenMP and OpenBLAS threads spin against each other), and one round would report noise as a ratio.
const rounds = Number(process.env.SPEED_ROUNDS ?? 3);
const only = process.env.SPEED_WORKLOADS?.split(',').filter(Boolean);
const unknown = only?.filter((n) => !WORKLOADS.some((w) => w.name === n)) ?? [];
if (unknown.length) {
  console.error(
    `SPEED_WORKLOADS: unknown ${unknown.join(', ')}; one of ${WORKLOADS.map((w) => w.name).join(', ')}`,
  );
  process.exit(1);
}
const selected = only ? WORKLOADS.filter((w) => only.includes(w.name)) : WORKLOADS;

interface ChildResult {
  acceleration: string;
  workloads: Record<string, number>;
  matmulGflops: number;
  rss?: { after100: number; after1000: number; numTensors: [number, number] };
  scale?: { workload: string; batch: number; shape: number[]; ms: number }[];
}

function matmulGflops(n = 1024, times = 10): number {
  const a = tf.randomNormal([n, n]);
  const b = tf.randomNormal([n, n]);
  tf.matMul(a, b).dataSync();
  const t0 = performance.now();
  for (let i = 0; i < times; i++) {
    // (not inside tidy: tidy would walk a returned TypedArray element by element)
    const c = tf.matMul(a, b);
    c.dataSync();
    c.dispose();
  }
  const ms = (performance.now() - t0) / times;
  tf.dispose([a, b]);
  return (2 * n ** 3) / ms / 1e6;
}

async function child(): Promise<void> {
  await useBackend('wasm');
  const out: ChildResult = { acceleration: backendAcceleration(), workloads: {}, matmulGflops: 0 };
  out.matmulGflops = Number(matmulGflops().toFixed(1));
  for (const w of selected) {
    const trainer = makeWorkloadTrainer(w);
    out.workloads[w.name] = Number(median(timeSteps(trainer, 5, reps)).toFixed(2));
    trainer.dispose();
  }
  if (process.env.SPEED_SCALE === '1') {
    // how step time grows with batch size and image size (docs/performance.md)
    out.scale = [];
    const base = WORKLOADS.find((w) => w.name === 'dcgan-resnet-64')!;
    const mnist = WORKLOADS.find((w) => w.name === 'mnist-mlp')!;
    const cases = [
      ...[16, 32, 64, 128].map((batch) => ({ ...base, name: `dcgan-resnet-64/batch${batch}`, batch })),
      ...[32, 128].map((px) => ({ ...base, name: `dcgan-resnet-${px}/batch64`, featureShape: [px, px, 3] })),
      ...[50, 100, 200, 400].map((batch) => ({ ...mnist, name: `mnist-mlp/batch${batch}`, batch })),
    ];
    for (const w of cases) {
      const trainer = makeWorkloadTrainer(w);
      const ms = median(timeSteps(trainer, 3, 8));
      out.scale.push({ workload: w.name, batch: w.batch, shape: w.featureShape, ms: Number(ms.toFixed(1)) });
      trainer.dispose();
    }
  }
  if (process.env.SPEED_RSS === '1') {
    const trainer = makeWorkloadTrainer(WORKLOADS.find((w) => w.name === 'mnist-mlp')!);
    const run = (n: number) => {
      for (let i = 0; i < n; i++) trainer.step();
      trainer.readLosses();
    };
    run(100);
    const t100 = tf.memory().numTensors;
    const after100 = process.memoryUsage().rss;
    run(900);
    out.rss = {
      after100: Math.round(after100 / 2 ** 20),
      after1000: Math.round(process.memoryUsage().rss / 2 ** 20),
      numTensors: [t100, tf.memory().numTensors],
    };
    trainer.dispose();
  }
  console.log(`SPEED_RESULT ${JSON.stringify(out)}`);
}

function runChild(env: Record<string, string>): ChildResult {
  const r = spawnSync(process.execPath, [...process.execArgv, process.argv[1]], {
    env: { ...process.env, SPEED_CHILD: '1', ...env },
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  const line = r.stdout.split('\n').find((l) => l.startsWith('SPEED_RESULT '));
  if (!line) throw new Error(`semigan child failed:\n${r.stderr.slice(-2000)}`);
  return JSON.parse(line.slice('SPEED_RESULT '.length)) as ChildResult;
}

interface PeerResult {
  torch: string;
  threads: number;
  blas: string;
  matmulGflops: number;
  workloads: Record<string, number>;
}

function runPeer(threads: number): PeerResult | { missing: string } {
  const r = spawnSync(
    'python3',
    [
      join(here, 'peer', 'speed_peer.py'),
      ...['--threads', String(threads), '--reps', String(reps)],
      ...['--workloads', selected.map((w) => w.name).join(',')],
    ],
    { encoding: 'utf8', env: { ...process.env, PYENV_VERSION: 'system' } },
  );
  const line = r.stdout?.trim().split('\n').at(-1);
  if (r.status !== 0 || !line?.startsWith('{')) {
    return {
      missing:
        "PyTorch peer unavailable: install Debian's python3-torch and libopenblas0-pthread " +
        `(apt-get install python3-torch libopenblas0-pthread). ${(r.stderr ?? '').trim().split('\n').at(-1) ?? ''}`,
    };
  }
  return JSON.parse(line) as PeerResult;
}

/** The result file as it stands, for the workloads and figures a partial run does not measure again. */
function previousResult(file: string): Record<string, unknown> & { workloads?: Record<string, unknown> } {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, never>) : {};
}

/** Per-workload figures: the best median of each side, the pure-wasm time and every round's figures. */
function mergeWorkloads(m: {
  nativeRounds: ChildResult[];
  peerRuns: (PeerResult | { missing: string })[];
  wasm: ChildResult | undefined;
  before: ReturnType<typeof previousResult>;
  load: { start: number[]; end: number[] };
  full: boolean;
  context: { date: string; commit: string };
}): Record<string, unknown> {
  const { nativeRounds, peerRuns, wasm, before, load, full, context } = m;
  const best = (runs: Record<string, number>[], name: string) =>
    Math.min(...runs.map((w) => w[name] ?? Infinity));
  const peerRounds = peerRuns.flatMap((p) => ('missing' in p ? [] : [p.workloads]));
  const oldWorkloads = (before.workloads ?? {}) as Record<string, { semiganPureWasmMs?: number }>;
  // a partial run keeps the other workloads' entries, each stamped with the run that measured it
  const stamp = { date: before.date, commit: before.commit };
  const workloads: Record<string, unknown> = full
    ? {}
    : Object.fromEntries(Object.entries(oldWorkloads).map(([k, v]) => [k, { ...stamp, ...v }]));
  for (const name of Object.keys(nativeRounds[0].workloads)) {
    const ms = best(
      nativeRounds.map((n) => n.workloads),
      name,
    );
    const torchMs = peerRounds.length === peerRuns.length ? best(peerRounds, name) : null;
    workloads[name] = {
      semiganMs: ms,
      torchMs,
      ratio: torchMs ? Number((ms / torchMs).toFixed(2)) : null,
      semiganPureWasmMs: wasm ? wasm.workloads[name] : (oldWorkloads[name]?.semiganPureWasmMs ?? null),
      rounds: { semigan: nativeRounds.map((n) => n.workloads[name]), torch: peerRounds.map((w) => w[name]) },
      // 1-, 5- and 15-minute load averages when this workload's rounds started and ended (2 cores: above 2,
      // other processes share the machine and both sides slow down)
      loadAverage: load,
      ...(full ? {} : { date: context.date, commit: context.commit }),
    };
  }
  return workloads;
}

async function main(): Promise<void> {
  const context = benchContext();
  const threads = cpus().length;
  const file = join(here, 'results', 'speed.json');
  const load = { start: loadavg().map((l) => Number(l.toFixed(2))), end: [] as number[] };
  const full = !only;
  console.log(
    `${selected.map((w) => w.name).join(', ')}: ${rounds} rounds of ${reps} timed steps, semigan and PyTorch in turn…`,
  );
  const nativeRounds: ChildResult[] = [];
  const peerRuns: (PeerResult | { missing: string })[] = [];
  for (let r = 0; r < rounds; r++) {
    nativeRounds.push(runChild(r === 0 && full ? { SPEED_RSS: '1', SPEED_SCALE: '1' } : {}));
    peerRuns.push(runPeer(threads));
    console.log(
      `  round ${r + 1}: semigan ${JSON.stringify(nativeRounds[r].workloads)}, PyTorch ${JSON.stringify((peerRuns[r] as PeerResult).workloads ?? null)}`,
    );
  }
  const native = nativeRounds[0];
  console.log(`  ${native.acceleration}`);
  const pureWasm = process.env.SPEED_PURE_WASM !== '0';
  if (pureWasm) console.log('semigan with pure wasm kernels…');
  const wasm = pureWasm ? runChild({ SEMIGAN_NATIVE: '0' }) : undefined;
  load.end = loadavg().map((l) => Number(l.toFixed(2)));
  const peer = peerRuns.find((p) => 'missing' in p) ?? peerRuns[0];
  const before = previousResult(file);
  const workloads = mergeWorkloads({ nativeRounds, peerRuns, wasm, before, load, full, context });
  const result = {
    ...(full ? {} : before),
    bench: 'speed',
    ...context,
    backend: 'wasm',
    acceleration: native.acceleration,
    threads,
    reps,
    rounds,
    method:
      'per workload: the best of `rounds` medians, each of `reps` steps after ≥5 steps and ≥1 s of warm-up; ' +
      'semigan and PyTorch rounds alternate',
    ...(full ? {} : { lastRunWorkloads: selected.map((w) => w.name) }),
    workloads,
    matmulGflops: {
      semigan: native.matmulGflops,
      semiganPureWasm: wasm?.matmulGflops ?? null,
      torch: 'missing' in peer ? null : peer.matmulGflops,
    },
    peer: 'missing' in peer ? peer : { torch: peer.torch, threads: peer.threads, blas: peer.blas },
    memory: native.rss ?? before.memory,
    scale: native.scale ?? before.scale,
  };
  console.table(
    Object.fromEntries(
      Object.entries(workloads).map(([k, v]) => [
        k,
        { ...(v as object), rounds: undefined, loadAverage: undefined },
      ]),
    ),
  );
  console.log(`load average (1, 5, 15 min): ${load.start.join(' ')} → ${load.end.join(' ')}`);
  if ('missing' in peer) console.log(peer.missing);
  writeFileAtomic(file, JSON.stringify(result, null, 2) + '\n');
  console.log(`wrote ${file}`);
}

await (process.env.SPEED_CHILD === '1' ? child() : main());
