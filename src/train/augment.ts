import type { Rng } from '../random.js';

/** Random left-right flips and shifts of up to `translate` pixels applied to real images. */
export interface Augmentation {
  flip: boolean;
  translate: number;
}

/** Whether an augmentation changes anything (`{ flip: false, translate: 0 }` is none). */
export function augments(a: Augmentation | undefined): boolean {
  return !!a && (a.flip || a.translate > 0);
}

/**
 * One image (HWC floats) flipped left-right with probability ½ and shifted by up to `translate` pixels in
 * each direction, edge pixels repeated: the light augmentation of SSL image benchmarks. Draws from the
 * run's Rng, so it is part of the exact-resume state.
 */
export function augmentImage(
  src: Float32Array,
  dst: Float32Array,
  shape: number[],
  opts: Augmentation,
  rng: Rng,
): void {
  const [h, w, c] = shape;
  const flip = opts.flip && rng.uniform() < 0.5;
  const t = opts.translate;
  const dy = t > 0 ? rng.int(2 * t + 1) - t : 0;
  const dx = t > 0 ? rng.int(2 * t + 1) - t : 0;
  for (let y = 0; y < h; y++) {
    const sy = Math.min(h - 1, Math.max(0, y + dy));
    for (let x = 0; x < w; x++) {
      let sx = Math.min(w - 1, Math.max(0, x + dx));
      if (flip) sx = w - 1 - sx;
      const s = (sy * w + sx) * c;
      const d = (y * w + x) * c;
      for (let k = 0; k < c; k++) dst[d + k] = src[s + k];
    }
  }
}
