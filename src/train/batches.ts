import type { Rng } from '../random.js';

/**
 * Endless stream of row indices: a fresh seeded permutation per pass, so every example is seen once per
 * epoch. A small labeled set is thereby tiled (cycled) to fill large labeled batches, as in Improved GAN.
 */
export class IndexStream {
  private perm: Int32Array = new Int32Array(0);
  private pos = 0;
  epoch = 0;

  constructor(private readonly n: number) {
    if (n <= 0) throw new Error('cannot draw batches from an empty set');
  }

  next(count: number, rng: Rng): Int32Array {
    const out = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      if (this.pos >= this.perm.length) {
        this.perm = rng.permutation(this.n);
        this.pos = 0;
        this.epoch++;
      }
      out[i] = this.perm[this.pos++];
    }
    return out;
  }

  save(): { perm: number[]; pos: number; epoch: number } {
    return { perm: Array.from(this.perm), pos: this.pos, epoch: this.epoch };
  }

  load(s: { perm: number[]; pos: number; epoch: number }): void {
    this.perm = Int32Array.from(s.perm);
    this.pos = s.pos;
    this.epoch = s.epoch;
  }
}
