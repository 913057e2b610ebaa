/**
 * Seeded random numbers for everything semigan draws (init, shuffles, z, noise layers).
 * One generator with a four-word state, so a checkpoint can store it and a resume continues the exact
 * sequence; tfjs's own seeded ops keep hidden state that cannot be saved.
 */
export interface RngState {
  s: [number, number, number, number];
  /** A normal drawn but not yet used (older checkpoints; the ziggurat sampler leaves it null). */
  spare: number | null;
}

// Marsaglia & Tsang's ziggurat tables (128 layers) for the standard normal: most draws cost one 32-bit
// integer, a compare and a multiply, ≈8× cheaper than Box–Muller's log/sqrt/sin/cos. The noise layers of the
// MNIST discriminator draw ≈1.5 million normals per step, so this matters.
const ZIG_KN = new Float64Array(128);
const ZIG_WN = new Float64Array(128);
const ZIG_FN = new Float64Array(128);
const ZIG_R = 3.442619855899;
{
  const m1 = 2147483648;
  const vn = 9.91256303526217e-3;
  let dn = ZIG_R;
  let tn = dn;
  const q = vn / Math.exp(-0.5 * dn * dn);
  ZIG_KN[0] = (dn / q) * m1;
  ZIG_KN[1] = 0;
  ZIG_WN[0] = q / m1;
  ZIG_WN[127] = dn / m1;
  ZIG_FN[0] = 1;
  ZIG_FN[127] = Math.exp(-0.5 * dn * dn);
  for (let i = 126; i >= 1; i--) {
    dn = Math.sqrt(-2 * Math.log(vn / dn + Math.exp(-0.5 * dn * dn)));
    ZIG_KN[i + 1] = (dn / tn) * m1;
    tn = dn;
    ZIG_FN[i] = Math.exp(-0.5 * dn * dn);
    ZIG_WN[i] = dn / m1;
  }
}

/** Bulk draws of the same stream in native code (Node with semigan's addon); see setNativeRandom. */
export interface NativeRandom {
  setZiggurat(kn: Float64Array, wn: Float64Array, fn: Float64Array, r: number): void;
  fillNormal(state: Uint32Array, out: Float32Array, std: number): void;
  fillUniform(state: Uint32Array, out: Float32Array, lo: number, hi: number): void;
  /** Absent in older builds. */
  fillDropout?(state: Uint32Array, out: Float32Array, rate: number, keep: number): void;
}

let nativeRandom: NativeRandom | undefined;
// below this many draws the call into the addon costs more than it saves
const NATIVE_MIN = 4096;

/**
 * Routes large fills to the addon's copy of this generator (undefined: back to JavaScript). Measured: 4.5 ns a
 * normal here, ≈35 ms of a 64×64 GAN step's noise and dropout masks.
 */
export function setNativeRandom(fns: NativeRandom | undefined): void {
  fns?.setZiggurat(ZIG_KN, ZIG_WN, ZIG_FN, ZIG_R);
  nativeRandom = fns;
}

export class Rng {
  private s: Uint32Array;
  private spareNormal: number | null = null;

  constructor(seed: number | RngState) {
    this.s = new Uint32Array(4);
    if (typeof seed === 'object') {
      this.s.set(seed.s);
      this.spareNormal = seed.spare;
    } else {
      // splitmix32 expands one integer into a well-mixed state; sfc32 is poor on all-zero states.
      let x = seed >>> 0;
      for (let i = 0; i < 4; i++) {
        x = (x + 0x9e3779b9) >>> 0;
        let z = x;
        z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
        z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
        this.s[i] = (z ^ (z >>> 16)) >>> 0;
      }
      for (let i = 0; i < 12; i++) this.nextUint32();
    }
  }

  getState(): RngState {
    return { s: [this.s[0], this.s[1], this.s[2], this.s[3]], spare: this.spareNormal };
  }

  setState(state: RngState): void {
    this.s.set(state.s);
    this.spareNormal = state.spare;
  }

  /** sfc32: small, fast, passes PractRand to 2^40 bytes. */
  nextUint32(): number {
    const s = this.s;
    const t = (((s[0] + s[1]) >>> 0) + s[3]) >>> 0;
    s[3] = (s[3] + 1) >>> 0;
    s[0] = s[1] ^ (s[1] >>> 9);
    s[1] = (s[2] + (s[2] << 3)) >>> 0;
    s[2] = ((s[2] << 21) | (s[2] >>> 11)) >>> 0;
    s[2] = (s[2] + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal (ziggurat). */
  normal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    const hz = this.nextUint32() | 0;
    const iz = hz & 127;
    if (Math.abs(hz) < ZIG_KN[iz]) return hz * ZIG_WN[iz];
    return this.normalTail(hz, iz);
  }

  /** The ziggurat's slow path (≈2% of draws): the wedges and the tail beyond R. */
  private normalTail(hz: number, iz: number): number {
    for (;;) {
      if (iz === 0) {
        let x: number;
        let y: number;
        do {
          x = -Math.log(1 - this.uniform()) / ZIG_R;
          y = -Math.log(1 - this.uniform());
        } while (y + y < x * x);
        return hz > 0 ? ZIG_R + x : -ZIG_R - x;
      }
      const x = hz * ZIG_WN[iz];
      if (ZIG_FN[iz] + this.uniform() * (ZIG_FN[iz - 1] - ZIG_FN[iz]) < Math.exp(-0.5 * x * x)) return x;
      hz = this.nextUint32() | 0;
      iz = hz & 127;
      if (Math.abs(hz) < ZIG_KN[iz]) return hz * ZIG_WN[iz];
    }
  }

  /** Same draws as calling normal() out.length times, with sfc32 inlined on local state for speed. */
  fillNormal(out: Float32Array, std = 1): Float32Array {
    if (nativeRandom && this.spareNormal === null && out.length >= NATIVE_MIN) {
      nativeRandom.fillNormal(this.s, out, std);
      return out;
    }
    let i = 0;
    if (this.spareNormal !== null && out.length > 0) out[i++] = this.normal() * std;
    const st = this.s;
    let a = st[0] | 0;
    let b = st[1] | 0;
    let c = st[2] | 0;
    let d = st[3] | 0;
    for (; i < out.length; i++) {
      const t = (a + b + d) | 0;
      d = (d + 1) | 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) | 0;
      c = (c << 21) | (c >>> 11);
      c = (c + t) | 0;
      const iz = t & 127;
      if (Math.abs(t) < ZIG_KN[iz]) {
        out[i] = t * ZIG_WN[iz] * std;
      } else {
        st[0] = a;
        st[1] = b;
        st[2] = c;
        st[3] = d;
        out[i] = this.normalTail(t, iz) * std;
        a = st[0] | 0;
        b = st[1] | 0;
        c = st[2] | 0;
        d = st[3] | 0;
      }
    }
    st[0] = a;
    st[1] = b;
    st[2] = c;
    st[3] = d;
    return out;
  }

  fillUniform(out: Float32Array, lo = 0, hi = 1): Float32Array {
    if (nativeRandom && out.length >= NATIVE_MIN) {
      nativeRandom.fillUniform(this.s, out, lo, hi);
      return out;
    }
    const w = hi - lo;
    for (let i = 0; i < out.length; i++) out[i] = lo + this.uniform() * w;
    return out;
  }

  /**
   * An inverted-dropout mask: 0 where a uniform draw (the draws of fillUniform) is below rate, else
   * 1/(1 − rate).
   */
  fillDropoutMask(out: Float32Array, rate: number): Float32Array {
    const keep = 1 / (1 - rate);
    if (nativeRandom?.fillDropout && out.length >= NATIVE_MIN) {
      nativeRandom.fillDropout(this.s, out, rate, keep);
      return out;
    }
    this.fillUniform(out);
    for (let i = 0; i < out.length; i++) out[i] = out[i] < rate ? 0 : keep;
    return out;
  }

  /** Fisher–Yates, in place. */
  shuffle<T>(a: T[] | Int32Array): T[] | Int32Array {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    this.shuffle(p);
    return p;
  }

  /** A fresh generator whose stream does not overlap this one's in practice. */
  fork(): Rng {
    return new Rng(this.nextUint32() ^ 0x5bd1e995);
  }
}
