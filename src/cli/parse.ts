import { didYouMean } from '../util/closest.js';
import { InvalidArgumentError, type Command } from 'commander';
import { BACKENDS } from '../backend.js';
import { UsageError } from '../errors.js';
import { augmentationProblem, type Augmentation } from '../train/augment.js';
import { IMAGES_DEFAULTS } from '../experiments/data-defaults.js';
import { METHOD_DESCRIPTIONS, type MethodName } from '../train/methods.js';

/** A flag given bare takes the next flag as its value (`--epochs --out x`): say so rather than "got '--out'". */
function refuseFlagAsValue(name: string, value: string): void {
  if (/^--[a-z]/.test(value))
    throw new InvalidArgumentError(`${name} needs a value before the next option ${value}`);
}

/** Option parsers for commander: a bad value becomes one clear usage error, never NaN downstream. */
export function intOption(name: string, min = 0, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    refuseFlagAsValue(name, value);
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}, got '${value}'`);
    }
    return n;
  };
}

export function floatOption(name: string, min = -Infinity, max = Infinity) {
  return (value: string): number => {
    refuseFlagAsValue(name, value);
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
    throw new InvalidArgumentError(
      `unknown ${name} '${value}'${didYouMean(value, choices)} (choose one of: ${choices.join(', ')})`,
    );
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

export const AUGMENT_OPTION = [
  '--augment <spec>',
  "augment real images: off, or a comma-joined list of flip, shift=N, rotate=DEG, scale=F, strong (colour, contrast and cutout on top; alone: flip,shift=4,strong; not with FixMatch's term, which has its own strong view); default: the preset's (MNIST none, photos flip,shift=4)",
  (v: string) => augmentOption(v),
] as const;

export const PSEUDO_THRESHOLD_OPTION = [
  '--pseudo-threshold <p>',
  'confidence a weak view needs before its prediction becomes a target (default 0.95)',
  floatOption('--pseudo-threshold', 0.01, 1),
] as const;

// the photos' recipes that set their own weight, as help says them: "0.1 for klogit-fm+fixmatch"
const imageGanWeights = Object.entries(IMAGES_DEFAULTS.ganWeights ?? {})
  .map(([method, w]) => `${w} for ${method}`)
  .join(', ');

export const GAN_WEIGHT_OPTION = [
  '--gan-weight <w>',
  `weight of the discriminator's real/fake (GAN) loss against its labeled cross-entropy, for GAN methods (default 1; on images ${imageGanWeights}; 0 keeps the generator but gives D no GAN signal)`,
  floatOption('--gan-weight', 0, 1000),
] as const;

/**
 * `--augment off | flip | shift=N | rotate=D | scale=F | strong`, comma-joined: random flips, shifts of up to N
 * pixels, rotations of up to D degrees, rescaling by up to ±F, and the strong policy (colour, contrast,
 * cutout) on top. `strong` alone means the photos' flips and 4 px shifts with the strong policy.
 */
export function augmentOption(value: string): Augmentation {
  const out: Augmentation = { flip: false, translate: 0 };
  if (value.trim() === 'off') return out;
  if (value.trim() === 'strong') return { flip: true, translate: 4, strong: true };
  const usage = new InvalidArgumentError(
    `--augment takes off or a comma-joined list of flip, shift=N (0–64 pixels), rotate=D (0–45 degrees), scale=F (0–0.5, exclusive), strong; got '${value}'`,
  );
  for (const part of value.split(',').map((p) => p.trim())) {
    const [key, arg] = part.split('=') as [string, string | undefined];
    const n = arg !== undefined && /^\d+(\.\d+)?$/.test(arg) ? Number(arg) : NaN;
    if (part === 'flip') out.flip = true;
    else if (part === 'strong') out.strong = true;
    else if (key === 'shift') out.translate = n;
    else if (key === 'rotate') out.rotate = n;
    else if (key === 'scale') out.scale = n;
    else throw usage;
  }
  // the bounds are the run config's own (augmentationProblem), so the CLI and a config file agree
  if (augmentationProblem(out)) throw usage;
  return out;
}

/** The methods a command takes, one line each with what it is: printed after the command's options in --help. */
export function methodsHelp(methods: readonly MethodName[]): string {
  const width = Math.max(...methods.map((m) => m.length));
  return `\nMethods:\n${methods.map((m) => `  ${m.padEnd(width)}  ${METHOD_DESCRIPTIONS[m]}`).join('\n')}\n`;
}
