import { afterAll, describe, expect, it } from 'vitest';
import { loadNativeBlas } from '../src/native/openblas.js';
import { Rng, setNativeRandom } from '../src/random.js';

describe('the seeded stream in the addon', () => {
  const fns = loadNativeBlas().blas?.random;
  afterAll(() => setNativeRandom(fns));
  it.skipIf(!fns)(
    'draws exactly what the JavaScript draws, normals, uniforms and dropout masks, and leaves the same state',
    () => {
      const draw = (useNative: boolean) => {
        setNativeRandom(useNative ? fns : undefined);
        const r = new Rng(2024);
        // 3 M normals: ≈60 k of them take the ziggurat's slow path (log, exp)
        const normals = r.fillNormal(new Float32Array(3_000_000), 0.5);
        const uniforms = r.fillUniform(new Float32Array(100_000), -1, 3);
        const mask = r.fillDropoutMask(new Float32Array(100_000), 0.3);
        return { normals, uniforms, mask, state: r.getState().s, next: r.nextUint32() };
      };
      const js = draw(false);
      const native = draw(true);
      let differ = 0;
      for (let i = 0; i < js.normals.length; i++) if (js.normals[i] !== native.normals[i]) differ++;
      expect(differ).toBe(0);
      expect(Array.from(native.uniforms)).toEqual(Array.from(js.uniforms));
      expect(Array.from(native.mask)).toEqual(Array.from(js.mask));
      expect(native.state).toEqual(js.state);
      expect(native.next).toBe(js.next);
    },
  );
});

describe('normal sampler', () => {
  it('draws standard normals (ziggurat): moments and tails', () => {
    const n = 400_000;
    const a = new Rng(3).fillNormal(new Float32Array(n));
    let mean = 0;
    for (const v of a) mean += v;
    mean /= n;
    let variance = 0;
    let kurt = 0;
    let beyond3 = 0;
    for (const v of a) {
      variance += (v - mean) ** 2;
      kurt += (v - mean) ** 4;
      if (Math.abs(v) > 3) beyond3++;
    }
    variance /= n;
    kurt /= n * variance * variance;
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(variance - 1)).toBeLessThan(0.01);
    expect(Math.abs(kurt - 3)).toBeLessThan(0.05);
    expect(Math.abs(beyond3 / n - 0.0027)).toBeLessThan(0.0005);
  });

  it('fillNormal continues exactly the stream normal() draws', () => {
    const r1 = new Rng(9);
    const r2 = new Rng(9);
    const filled = r1.fillNormal(new Float32Array(50_000));
    for (let i = 0; i < filled.length; i++) expect(filled[i]).toBe(Math.fround(r2.normal()));
    expect(r1.getState()).toEqual(r2.getState());
  });
});
