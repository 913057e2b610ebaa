import { InvalidArgumentError, type Command } from 'commander';
import { BACKENDS } from '../backend.js';
import { UsageError } from '../errors.js';
import type { Augmentation } from '../train/augment.js';

/** Option parsers for commander: a bad value becomes one clear usage error, never NaN downstream. */
export function intOption(name: string, min = 0, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}, got '${value}'`);
    }
    return n;
  };
}

export function floatOption(name: string, min = -Infinity, max = Infinity) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
      throw new InvalidArgumentError(`${name} must be a number from ${min} to ${max}, got '${value}'`);
    }
    return n;
  };
}

export function choiceOption<T extends string>(name: string, choices: readonly T[]) {
  return (value: string): T => {
    if ((choices as readonly string[]).includes(value)) return value as T;
    throw new InvalidArgumentError(`unknown ${name} '${value}' (choose one of: ${choices.join(', ')})`);
  };
}

export function listOption<T extends string>(name: string, choices: readonly T[]) {
  return (value: string): T[] => value.split(',').map((v) => choiceOption(name, choices)(v.trim()));
}

/** The --backend option every command that computes takes. */
export function addBackendOption(cmd: Command): Command {
  return cmd.option(
    '--backend <name>',
    `tensor backend: ${BACKENDS.join(', ')}`,
    choiceOption('backend', BACKENDS),
    'auto',
  );
}

/** `--labels N` is a total, spread evenly over the classes (as in "MNIST with 100 labels"). */
export function labelsPerClass(total: number, classNames: string[]): number {
  const k = classNames.length;
  if (total % k !== 0) {
    const lo = Math.max(k, total - (total % k));
    throw new UsageError(
      `--labels ${total} cannot be spread evenly over ${k} classes; use a multiple of ${k}, e.g. ${lo} or ${lo + k}`,
    );
  }
  return total / k;
}

/** `--image-size`, shared by every command that reads images:<dir> data. */
export const IMAGE_SIZE_OPTION = [
  '--image-size <px>',
  'images: resize to px×px (default 64)',
  intOption('--image-size', 8, 512),
] as const;

/** `--augment off | flip | shift=N | flip,shift=N`: random flips and shifts of up to N pixels. */
export function augmentOption(value: string): Augmentation {
  const out: Augmentation = { flip: false, translate: 0 };
  if (value.trim() === 'off') return out;
  for (const part of value.split(',').map((p) => p.trim())) {
    const shift = /^shift=(\d+)$/.exec(part);
    if (part === 'flip') out.flip = true;
    else if (shift && Number(shift[1]) <= 64) out.translate = Number(shift[1]);
    else
      throw new InvalidArgumentError(
        `--augment takes off, flip, shift=N (N from 0 to 64 pixels) or flip,shift=N; got '${value}'`,
      );
  }
  return out;
}
