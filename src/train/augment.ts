import type { Rng } from '../random.js';
import { strongAugment } from './strong-augment.js';

/**
 * Random changes to real images: left-right flips, shifts of up to `translate` pixels, and (MNIST-style
 * deformations) rotations of up to `rotate` degrees and rescaling by up to ±`scale` (0.1 = 90–110%).
 */
export interface Augmentation {
  flip: boolean;
  translate: number;
  /** absent in runs recorded before semigan had it: none */
  rotate?: number;
  scale?: number;
  /**
   * The strong policy on top (RandAugment-style colour and contrast changes, then a cutout; see
   * strong-augment.ts): FixMatch's strong view, or `--augment strong` for every real batch.
   */
  strong?: boolean;
}

/** Whether an augmentation changes anything (`{ flip: false, translate: 0 }` is none). */
export function augments(a: Augmentation | undefined): boolean {
  return !!a && (a.flip || a.translate > 0 || (a.rotate ?? 0) > 0 || (a.scale ?? 0) > 0 || !!a.strong);
}

/** What is wrong with an augmentation's values, if anything: one rule for `--augment` and for run configs. */
export function augmentationProblem(a: Augmentation): string | undefined {
  if (!(Number.isInteger(a.translate) && a.translate >= 0 && a.translate <= 64))
    return `the augmentation shift must be an integer from 0 to 64 pixels, got ${a.translate}`;
  if (a.rotate !== undefined && !(a.rotate >= 0 && a.rotate <= 45))
    return `the augmentation rotation must be from 0 to 45 degrees, got ${a.rotate}`;
  if (a.scale !== undefined && !(a.scale >= 0 && a.scale < 0.5))
    return `the augmentation scale must be from 0 to 0.5 (exclusive), got ${a.scale}`;
  return undefined;
}

/**
 * One image (HWC floats) flipped left-right with probability ½ and shifted by up to `translate` pixels in
 * each direction, edge pixels repeated: the light augmentation of SSL image benchmarks. With a rotation or
 * scale it becomes one affine warp about the centre, sampled bilinearly. Draws from the run's Rng, so it is
 * part of the exact-resume state; flips and shifts alone draw exactly what they always drew, so runs
 * recorded before rotations existed resume bit for bit.
 */
export function augmentImage(
  src: Float32Array,
  dst: Float32Array,
  shape: number[],
  opts: Augmentation,
  rng: Rng,
): void {
  const [h, w] = shape;
  const flip = opts.flip && rng.uniform() < 0.5;
  const t = opts.translate;
  const dy = t > 0 ? rng.int(2 * t + 1) - t : 0;
  const dx = t > 0 ? rng.int(2 * t + 1) - t : 0;
  const rotate = opts.rotate ?? 0;
  const scale = opts.scale ?? 0;
  if ((rotate > 0 || scale > 0) && h! > 1 && w! > 1) {
    const angle = rotate > 0 ? ((2 * rng.uniform() - 1) * rotate * Math.PI) / 180 : 0;
    const s = scale > 0 ? 1 + (2 * rng.uniform() - 1) * scale : 1;
    warpImage(src, dst, shape, { angle, scale: s, dx, dy, flip });
  } else {
    shiftImage(src, dst, shape, dx, dy, flip);
  }
  // drawn after the geometry, so flips, shifts and warps draw what they always drew
  if (opts.strong) strongAugment(dst, shape, rng);
}

function shiftImage(
  src: Float32Array,
  dst: Float32Array,
  shape: number[],
  dx: number,
  dy: number,
  flip: boolean,
) {
  const [h, w, c] = shape;
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

/**
 * dst(p) = src(centre + R(−angle)(p − centre)/scale + shift), bilinear, edges repeated: the image turned by
 * `angle`, grown by `scale` and moved by −shift, as the integer path moves it.
 */
function warpImage(
  src: Float32Array,
  dst: Float32Array,
  shape: number[],
  m: { angle: number; scale: number; dx: number; dy: number; flip: boolean },
): void {
  const [h, w, c] = shape;
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  const cos = Math.cos(m.angle) / m.scale;
  const sin = Math.sin(m.angle) / m.scale;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const u = x - cx;
      const v = y - cy;
      let sx = Math.min(w - 1, Math.max(0, cx + cos * u + sin * v + m.dx));
      const sy = Math.min(h - 1, Math.max(0, cy - sin * u + cos * v + m.dy));
      if (m.flip) sx = w - 1 - sx;
      const x0 = Math.min(w - 2, Math.floor(sx));
      const y0 = Math.min(h - 2, Math.floor(sy));
      const fx = sx - x0;
      const fy = sy - y0;
      const d = (y * w + x) * c;
      for (let k = 0; k < c; k++) {
        const p = (y0 * w + x0) * c + k;
        const top = src[p]! * (1 - fx) + src[p + c]! * fx;
        const bottom = src[p + w * c]! * (1 - fx) + src[p + w * c + c]! * fx;
        dst[d + k] = top * (1 - fy) + bottom * fy;
      }
    }
  }
}
