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
