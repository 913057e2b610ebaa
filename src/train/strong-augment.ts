import type { Rng } from '../random.js';

/**
 * The strong augmentation policy, in place on one image (HWC floats in [−1, 1]): two operations drawn from a
 * RandAugment-style list, each at a random magnitude (FixMatch's RA variant), then a cutout of a random square
 * up to half the image's side, filled with grey (0). Geometry (flips, shifts, turns) comes before it in
 * augmentImage. Plain loops over the run's Rng, so every backend sees the same images.
 */
export function strongAugment(img: Float32Array, shape: number[], rng: Rng): void {
  for (let i = 0; i < 2; i++) {
    const op = OPS[rng.int(OPS.length)]!;
    op(img, shape[2] ?? 1, rng.uniform());
  }
  cutout(img, shape, rng);
}

type Op = (img: Float32Array, channels: number, magnitude: number) => void;

const clamp = (v: number) => (v < -1 ? -1 : v > 1 ? 1 : v);

const OPS: Op[] = [
  // identity
  () => {},
  // brightness: add up to ±0.5 (a quarter of the range)
  (img, _c, m) => {
    const b = m - 0.5;
    for (let i = 0; i < img.length; i++) img[i] = clamp(img[i] + b);
  },
  // contrast: scale about the image's mean by 0.5–1.5
  (img, _c, m) => {
    const mean = img.reduce((a, v) => a + v, 0) / img.length;
    const f = 0.5 + m;
    for (let i = 0; i < img.length; i++) img[i] = clamp(mean + (img[i] - mean) * f);
  },
  // colour: scale each pixel's distance from its grey by 0–2 (0: greyscale)
  (img, c, m) => {
    const f = 2 * m;
    for (let p = 0; p < img.length; p += c) {
      let grey = 0;
      for (let k = 0; k < c; k++) grey += img[p + k] / c;
      for (let k = 0; k < c; k++) img[p + k] = clamp(grey + (img[p + k] - grey) * f);
    }
  },
  // solarize: invert every value above a threshold in [−1, 1]
  (img, _c, m) => {
    const t = 2 * m - 1;
    for (let i = 0; i < img.length; i++) if (img[i] > t) img[i] = -img[i];
  },
  // posterize: keep 2–5 bits per channel
  (img, _c, m) => {
    const levels = 2 ** (2 + Math.floor(m * 4)) - 1;
    for (let i = 0; i < img.length; i++) img[i] = (Math.round(((img[i] + 1) / 2) * levels) / levels) * 2 - 1;
  },
  // autocontrast: stretch each channel to the full range
  (img, c) => {
    for (let k = 0; k < c; k++) {
      let [lo, hi] = [Infinity, -Infinity];
      for (let i = k; i < img.length; i += c) [lo, hi] = [Math.min(lo, img[i]), Math.max(hi, img[i])];
      if (hi - lo < 1e-6) continue;
      for (let i = k; i < img.length; i += c) img[i] = ((img[i] - lo) / (hi - lo)) * 2 - 1;
    }
  },
  // invert (the negative image), at the upper half of magnitudes only
  (img, _c, m) => {
    if (m < 0.5) return;
    for (let i = 0; i < img.length; i++) img[i] = -img[i];
  },
];

function cutout(img: Float32Array, shape: number[], rng: Rng): void {
  const [h, w, c] = [shape[0]!, shape[1]!, shape[2] ?? 1];
  const side = 1 + rng.int(Math.max(1, Math.floor(Math.min(h, w) / 2)));
  const cy = rng.int(h);
  const cx = rng.int(w);
  for (let y = Math.max(0, cy - (side >> 1)); y < Math.min(h, cy + side - (side >> 1)); y++) {
    for (let x = Math.max(0, cx - (side >> 1)); x < Math.min(w, cx + side - (side >> 1)); x++) {
      img.fill(0, (y * w + x) * c, (y * w + x + 1) * c);
    }
  }
}
