import { SingleBar, Presets } from 'cli-progress';
import { homedir } from 'node:os';
import { imageCacheDir } from '../data/image-decode.js';

export interface Progress {
  /** Begins a phase of `total` units (steps, images), `value` of them already done (a resumed run). */
  start(label: string, total: number, opts?: { unit?: string; value?: number }): void;
  update(value: number, info?: string): void;
  /** Ends the phase, printing `summary` on its own line when there is one. */
  stop(summary?: string): void;
}

export interface ProgressOptions {
  /**
   * Seconds between progress lines when the stream is not a terminal (a log file, CI); the environment
   * variable SEMIGAN_PROGRESS_SECONDS overrides it. Default 30.
   */
  lineEverySeconds?: number;
  /** Whether to draw a bar; default: the stream is a terminal and $CI is unset. */
  interactive?: boolean;
  /** Milliseconds clock, for tests. */
  now?: () => number;
}

/** `12s`, `3m05s`, `2h07m`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

const formatRate = (r: number) => (r >= 100 ? r.toFixed(0) : r >= 10 ? r.toFixed(1) : r.toFixed(2));

/**
 * Units per second over about the last half minute, so the ETA follows the current pace (the pauses for
 * evaluation at each epoch's end included) rather than the first seconds' warm-up.
 */
export function rateMeter(windowMs = 30_000) {
  let samples: [number, number][] = [];
  return {
    add(t: number, value: number): void {
      const last = samples.at(-1);
      if (last && value < last[1]) samples = [];
      // a sample at most every 200 ms keeps the window small at thousands of updates a second
      else if (last && t - last[0] < 200 && samples.length > 1) samples.pop();
      samples.push([t, value]);
      while (samples.length > 2 && t - samples[1][0] >= windowMs) samples.shift();
    },
    /** Units per second, or undefined before two samples far enough apart. */
    rate(): number | undefined {
      if (samples.length < 2) return undefined;
      const [t0, v0] = samples[0];
      const [t1, v1] = samples[samples.length - 1];
      return t1 - t0 >= 500 && v1 > v0 ? ((v1 - v0) * 1000) / (t1 - t0) : undefined;
    },
    reset(): void {
      samples = [];
    },
  };
}

/** `21.3 steps/s, ETA 36m35s`, or '' while the pace is not known yet. */
function pace(value: number, total: number, unit: string, rate: number | undefined): string {
  if (rate === undefined) return '';
  return `${formatRate(rate)} ${unit}/s, ETA ${formatDuration((total - value) / rate)}`;
}

function lineEveryMs(opts: ProgressOptions): number {
  const env = Number(process.env.SEMIGAN_PROGRESS_SECONDS);
  const seconds =
    process.env.SEMIGAN_PROGRESS_SECONDS && Number.isFinite(env) && env >= 0
      ? env
      : (opts.lineEverySeconds ?? 30);
  return seconds * 1000;
}

/**
 * A bar with rate and ETA on a terminal; otherwise (piped, in CI) a line every `lineEverySeconds` and one
 * per finished phase, so logs show a long run is alive without filling up.
 */
export function makeProgress(
  stream: NodeJS.WriteStream = process.stderr,
  opts: ProgressOptions = {},
): Progress {
  const now = opts.now ?? Date.now;
  const interactive = opts.interactive ?? (!!stream.isTTY && !process.env.CI);
  const meter = rateMeter();
  const every = lineEveryMs(opts);
  let phase = { label: '', total: 0, unit: 'steps' };
  let bar: SingleBar | null = null;
  let lastLine = now();
  const begin = (label: string, total: number, unit: string, value: number) => {
    if (total !== phase.total || unit !== phase.unit) meter.reset();
    phase = { label, total, unit };
    meter.add(now(), value);
  };
  const end = (summary?: string) => {
    if (summary) {
      stream.write(summary + '\n');
      lastLine = now();
    }
  };
  if (!interactive) {
    return {
      start: (label, total, { unit = 'steps', value = 0 } = {}) => begin(label, total, unit, value),
      update(value, info = '') {
        const t = now();
        meter.add(t, value);
        if (t - lastLine < every) return;
        lastLine = t;
        const { label, total, unit } = phase;
        const p = pace(value, total, unit, meter.rate());
        const pct = total ? ` (${((100 * value) / total).toFixed(0)}%)` : '';
        stream.write(
          `${label} ${value}/${total} ${unit}${pct}${p ? `, ${p}` : ''}${info ? `  ${info}` : ''}\n`,
        );
      },
      stop: end,
    };
  }
  return {
    start(label, total, { unit = 'steps', value = 0 } = {}) {
      bar?.stop();
      begin(label, total, unit, value);
      bar = new SingleBar(
        {
          format: `${label.padEnd(12)} [{bar}] {value}/{total} ${unit}  {pace}  {info}`,
          stream,
          hideCursor: true,
          // the phase's summary line takes the bar's place
          clearOnComplete: true,
        },
        Presets.shades_classic,
      );
      bar.start(total, value, { pace: pace(value, total, unit, meter.rate()), info: '' });
    },
    update(value, info = '') {
      meter.add(now(), value);
      bar?.update(value, { pace: pace(value, phase.total, phase.unit, meter.rate()), info });
    },
    stop(summary) {
      bar?.stop();
      bar = null;
      end(summary);
    },
  };
}

/** A run's length in epochs, from its steps: with --steps it need not be whole (`2.5`, `10.01`). */
export function formatEpochs(totalSteps: number, stepsPerEpoch: number): string {
  const e = totalSteps / stepsPerEpoch;
  // two decimals, but never rounded to a whole number a step or two away from it
  const shown = Number(e.toFixed(2));
  return Number.isInteger(e) || !Number.isInteger(shown) ? String(shown) : e.toFixed(3);
}

/** About how many epoch lines a long run prints (the bar shows every step in between). */
const EPOCH_LINES = 25;

/**
 * A step bar for runs whose log lines (epoch summaries, warnings, rollbacks) end the current bar: the next
 * step starts a fresh one under the line. `onStart` takes the run's length, so epoch lines read `epoch 3/4`
 * whether it was given in epochs or in steps.
 */
export function stepBar(progress: Progress, now: () => number = Date.now) {
  let started = false;
  let epochs = '?';
  let shown = 0;
  let every = 1;
  let last = Infinity;
  return {
    onStart(info: { totalSteps: number; stepsPerEpoch: number }): void {
      epochs = formatEpochs(info.totalSteps, info.stepsPerEpoch);
      const e = info.totalSteps / info.stepsPerEpoch;
      every = e <= 2 * EPOCH_LINES ? 1 : Math.ceil(e / EPOCH_LINES);
      last = Math.ceil(e);
    },
    /** `epoch 3/4` */
    epoch(n: number): string {
      return `epoch ${n}/${epochs}`;
    },
    /**
     * Whether epoch n gets its log line: every epoch of a run of up to 50, else the first (training is under
     * way), about 25 evenly spaced ones and the last, so 1500 steps on the rings print 26 lines, not 150.
     */
    logsEpoch(n: number): boolean {
      return n === 1 || n % every === 0 || n >= last;
    },
    onStep(step: number, total: number): void {
      if (!started) progress.start('train', total, { value: step });
      started = true;
      // every 10th step, and at least once a second when steps are slow (photos: seconds each)
      const t = now();
      if (step % 10 === 0 || t - shown >= 1000) {
        shown = t;
        progress.update(step);
      }
    },
    line(text: string): void {
      progress.stop(text);
      started = false;
    },
  };
}

/** The cache folder as a user would type it: ~/… under the home folder. */
function shownCacheDir(): string {
  const dir = imageCacheDir();
  return dir.startsWith(homedir() + '/') ? `~${dir.slice(homedir().length)}` : dir;
}

/**
 * The `onProgress(done, total)` that image loaders call: a note when decoding starts (so a first run on
 * thousands of photos is never silent), then a bar or a line every 10 s, then a summary.
 */
export function decodeProgress(
  opts: ProgressOptions & {
    stream?: NodeJS.WriteStream;
    /** false where nothing is cached (predict), so the lines do not promise a faster next run. */
    cached?: boolean;
    /** Say nothing for fewer images than this: they take a second or two. Default 0. */
    minTotal?: number;
  } = {},
): (done: number, total: number) => void {
  const stream = opts.stream ?? process.stderr;
  const progress = makeProgress(stream, { lineEverySeconds: 10, ...opts });
  return (done, total) => {
    if (total < (opts.minTotal ?? 0)) return;
    if (done === 1) {
      stream.write(
        `decoding ${total} images${opts.cached === false ? '' : ` (once: later runs read the cache in ${shownCacheDir()})`}\n`,
      );
      progress.start('decode', total, { unit: 'images', value: done });
    }
    progress.update(done);
    // not 'decoded N images': unreadable files are skipped with a warning each, and a cache write can still fail
    if (done === total) progress.stop(`decode finished: ${total} image files`);
  };
}

/**
 * The `onFeatureStep(step, total)` of a representative selection on photos: the label-free feature net
 * trains for minutes before any label is chosen, so it says so, then shows a bar or a line every 10 s.
 */
export function selectionProgress(
  opts: ProgressOptions & { stream?: NodeJS.WriteStream } = {},
): (step: number, total: number) => void {
  const stream = opts.stream ?? process.stderr;
  const progress = makeProgress(stream, { lineEverySeconds: 10, ...opts });
  const now = opts.now ?? Date.now;
  let t0 = 0;
  return (step, total) => {
    if (step === 1) {
      t0 = now();
      stream.write(
        `representative selection: training a feature net on the unlabeled images (${total} steps)\n`,
      );
      progress.start('features', total, { value: step });
    }
    progress.update(step);
    if (step === total) progress.stop(`feature net trained in ${formatDuration((now() - t0) / 1000)}`);
  };
}

/** Fewer steps than this and a run has barely begun to learn: said up front, not after the run. */
const FEW_STEPS = 300;

/**
 * The warning for a run whose epochs (passes over the unlabeled data) give few steps, as on a small folder;
 * `flags` names what lengthens it.
 */
export function fewStepsWarning(
  info: { totalSteps: number; stepsPerEpoch: number },
  flags: string,
): string | undefined {
  if (info.totalSteps >= FEW_STEPS) return undefined;
  const count = (n: number | string, word: string) => `${n} ${word}${String(n) === '1' ? '' : 's'}`;
  return (
    `warning: this run is only ${count(info.totalSteps, 'step')} (${count(formatEpochs(info.totalSteps, info.stepsPerEpoch), 'epoch')} of ${count(info.stepsPerEpoch, 'step')}); ` +
    `training needs hundreds to thousands: give a larger ${flags}`
  );
}
