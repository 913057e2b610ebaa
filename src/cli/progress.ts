import { SingleBar, Presets } from 'cli-progress';

export interface Progress {
  start(label: string, total: number): void;
  update(value: number, info?: string): void;
  stop(summary: string): void;
}

/** A progress bar on a terminal; one line per finished phase when piped or in CI, so logs stay short. */
export function makeProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  const interactive = stream.isTTY && !process.env.CI;
  if (!interactive) {
    return {
      start: () => {},
      update: () => {},
      stop: (summary) => stream.write(summary + '\n'),
    };
  }
  let bar: SingleBar | null = null;
  return {
    start(label, total) {
      bar = new SingleBar(
        { format: `${label.padEnd(12)} [{bar}] {value}/{total} steps  {info}`, stream, hideCursor: true },
        Presets.shades_classic,
      );
      bar.start(total, 0, { info: '' });
    },
    update(value, info = '') {
      bar?.update(value, { info });
    },
    stop(summary) {
      bar?.stop();
      bar = null;
      stream.write(summary + '\n');
    },
  };
}

/**
 * A step bar for runs whose log lines (epoch summaries, warnings, rollbacks) end the current bar: the next
 * step starts a fresh one under the line.
 */
export function stepBar(progress: Progress) {
  let started = false;
  return {
    onStep(step: number, total: number): void {
      if (!started) progress.start('train', total);
      started = true;
      if (step % 10 === 0) progress.update(step);
    },
    line(text: string): void {
      progress.stop(text);
      started = false;
    },
  };
}
