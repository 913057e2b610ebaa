import { Rng } from '../random.js';
import type { Dataset } from './dataset.js';

/** The 2-D toy distributions. Rings is the default and the picture that explains the project. */
export const TOY_DATASETS = ['rings', 'moons', 'spirals', 'blobs'] as const;
export type ToyName = (typeof TOY_DATASETS)[number];

export interface ToyOptions {
  /** Examples per class. */
  perClass: number;
  /** Standard deviation of the Gaussian jitter added to every point. */
  noise?: number;
  seed: number;
}

type Sampler = (cls: number, rng: Rng) => [number, number];

/** The rings' radii by class (inner, outer) and their default jitter: the geometry the gap is measured from. */
export const RINGS_GEOMETRY = { radii: [1, 2], noise: 0.1 } as const;

const samplers: Record<ToyName, { classes: string[]; defaultNoise: number; sample: Sampler }> = {
  rings: {
    classes: ['inner', 'outer'],
    defaultNoise: RINGS_GEOMETRY.noise,
    sample: (cls, rng) => {
      const r = RINGS_GEOMETRY.radii[cls];
      const a = rng.uniform() * 2 * Math.PI;
      return [r * Math.cos(a), r * Math.sin(a)];
    },
  },
  moons: {
    classes: ['upper', 'lower'],
    defaultNoise: 0.1,
    sample: (cls, rng) => {
      const a = rng.uniform() * Math.PI;
      return cls === 0
        ? [Math.cos(a) - 0.5, Math.sin(a) - 0.25]
        : [1 - Math.cos(a) - 0.5, 0.25 - Math.sin(a) + 0.0];
    },
  },
  spirals: {
    classes: ['spiral A', 'spiral B'],
    defaultNoise: 0.08,
    sample: (cls, rng) => {
      const t = 0.25 + rng.uniform() * 2.25; // turns, in units of pi
      const r = t * 0.8;
      const a = t * Math.PI + cls * Math.PI;
      return [r * Math.cos(a), r * Math.sin(a)];
    },
  },
  blobs: {
    classes: ['left', 'right'],
    defaultNoise: 0.45,
    sample: (cls) => (cls === 0 ? [-1.2, 0] : [1.2, 0]),
  },
};

export function toyClassNames(name: ToyName): string[] {
  return samplers[name].classes;
}

/** Draws a seeded 2-D dataset, classes interleaved so any prefix is roughly balanced. */
export function makeToyDataset(name: ToyName, opts: ToyOptions): Dataset {
  const spec = samplers[name];
  const rng = new Rng(opts.seed);
  const noise = opts.noise ?? spec.defaultNoise;
  const k = spec.classes.length;
  const n = opts.perClass * k;
  const x = new Float32Array(n * 2);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const cls = i % k;
    const [px, py] = spec.sample(cls, rng);
    x[2 * i] = px + rng.normal() * noise;
    x[2 * i + 1] = py + rng.normal() * noise;
    y[i] = cls;
  }
  return { name, featureShape: [2], x, y, classNames: spec.classes.slice() };
}

export function isToyName(s: string): s is ToyName {
  return (TOY_DATASETS as readonly string[]).includes(s);
}
