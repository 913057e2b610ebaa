import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NativeRandom } from '../random.js';
import type { NativeBinary } from '../kernels/native-binary.js';
import type { NativeAdam } from '../kernels/wasm-adam.js';
import type { NativeAverage } from '../kernels/wasm-average.js';

/** The N-API addon in native/ (built by `npm ci` when a C++ compiler is present; optional). */
export interface NativeBlas {
  /** Which library was loaded, with OpenBLAS's build configuration. */
  readonly library: string;
  /** C[i] = op(A[i]) · op(B[i]) row-major; stride 0 broadcasts one matrix over the batch. */
  sgemmBatch(
    batch: number,
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    a: Float32Array,
    strideA: number,
    b: Float32Array,
    strideB: number,
    c: Float32Array,
  ): void;
  setThreads(n: number): number;
  /**
   * im2col + sgemm convolution, NHWC. kind 0: y = conv(x, w); 1: dx from (dy, w); 2: dw from (x, dy).
   * dims: [n, h, w, ci, kh, kw, co, stride, padTop, padLeft, outH, outW]. Absent in older builds.
   */
  conv?(kind: 0 | 1 | 2, dims: number[], a: Float32Array, b: Float32Array, out: Float32Array): void;
  /** Routes conv() through oneDNN (when it loaded) or im2col + sgemm; returns whether oneDNN is in use. */
  useDnnl?(on: boolean): boolean;
  /** Batch norm over rows of [rows, c]; an empty gamma means no scale. Absent in older builds. */
  batchNorm?: BatchNormFns['batchNorm'];
  batchNormGrad?: BatchNormFns['batchNormGrad'];
  /** 2×2 max-pooling, stride 2, NHWC. Absent in older builds. */
  maxPool2?: MaxPoolFns['maxPool2'];
  maxPool2Grad?: MaxPoolFns['maxPool2Grad'];
  denseForward?: DenseFns['denseForward'];
  denseBackward?: DenseFns['denseBackward'];
  /** The seeded stream's bulk draws (src/random.ts). Absent in older builds. */
  random?: NativeRandom;
  biasAct?: BiasActFns['biasAct'];
  biasActGrad?: BiasActFns['biasActGrad'];
  biasTanh?: BiasActFns['biasTanh'];
  biasTanhGrad?: BiasActFns['biasTanhGrad'];
  /** Same-shape Add, Sub, Multiply on two threads. Absent in older builds. */
  binary?: NativeBinary;
  /** One Adam update, the same bits as the JavaScript loop. Absent in older builds. */
  adam?: NativeAdam;
  /** One weight-average step, the same bits as the tf ops. Absent in older builds. */
  average?: NativeAverage;
}

/** y = max(x + b, α(x + b)) over the last axis, and its gradient (dx, db) from y. */
export interface BiasActFns {
  biasAct(c: number, alpha: number, x: Float32Array, b: Float32Array, y: Float32Array): void;
  biasActGrad(
    c: number,
    alpha: number,
    dy: Float32Array,
    y: Float32Array,
    dx: Float32Array,
    db: Float32Array,
  ): void;
  /** y = tanh(x + b) over the last axis, and its gradient (dx, db) from y. Absent in older builds. */
  biasTanh?(c: number, x: Float32Array, b: Float32Array, y: Float32Array): void;
  biasTanhGrad?(c: number, dy: Float32Array, y: Float32Array, dx: Float32Array, db: Float32Array): void;
}

type F32 = Float32Array;

/** A dense layer y = max(p, αp), p = x·v·(g/‖v‖) + b; a gamma of length 0 means no weight norm. */
export interface DenseFns {
  denseForward(
    n: number,
    k: number,
    m: number,
    alpha: number,
    x: F32,
    v: F32,
    g: F32,
    b: F32,
    u: F32,
    y: F32,
    norm: F32,
  ): void;
  denseBackward(
    n: number,
    k: number,
    m: number,
    alpha: number,
    dy: F32,
    x: F32,
    v: F32,
    g: F32,
    y: F32,
    u: F32,
    norm: F32,
    dpre: F32,
    dx: F32,
    dv: F32,
    dg: F32,
    db: F32,
  ): void;
}

export interface BatchNormFns {
  batchNorm(
    c: number,
    eps: number,
    alpha: number,
    x: Float32Array,
    gamma: Float32Array,
    beta: Float32Array,
    y: Float32Array,
    mean: Float32Array,
    inv: Float32Array,
  ): void;
  batchNormGrad(
    c: number,
    alpha: number,
    dy: Float32Array,
    y: Float32Array,
    x: Float32Array,
    mean: Float32Array,
    inv: Float32Array,
    gamma: Float32Array,
    dx: Float32Array,
    dgamma: Float32Array,
    dbeta: Float32Array,
  ): void;
}

/** 2×2 max-pooling with stride 2 of an [n, h, w, c] tensor, and its gradient (dx from dy, x and y). */
export interface MaxPoolFns {
  maxPool2(n: number, h: number, w: number, c: number, x: Float32Array, y: Float32Array): void;
  maxPool2Grad(
    n: number,
    h: number,
    w: number,
    c: number,
    dy: Float32Array,
    x: Float32Array,
    y: Float32Array,
    dx: Float32Array,
  ): void;
}

interface Addon {
  load(paths: string[]): string | null;
  setThreads(n: number): number;
  sgemmBatch: NativeBlas['sgemmBatch'];
  conv?: NativeBlas['conv'];
  useDnnl?: NativeBlas['useDnnl'];
  batchNorm?: NativeBlas['batchNorm'];
  batchNormGrad?: NativeBlas['batchNormGrad'];
  maxPool2?: NativeBlas['maxPool2'];
  maxPool2Grad?: NativeBlas['maxPool2Grad'];
  denseForward?: NativeBlas['denseForward'];
  denseBackward?: NativeBlas['denseBackward'];
  biasAct?: NativeBlas['biasAct'];
  biasActGrad?: NativeBlas['biasActGrad'];
  biasTanh?: NativeBlas['biasTanh'];
  biasTanhGrad?: NativeBlas['biasTanhGrad'];
  binary?: NativeBlas['binary'];
  adam?: NativeBlas['adam'];
  average?: NativeBlas['average'];
  setZiggurat?: NativeRandom['setZiggurat'];
  fillNormal?: NativeRandom['fillNormal'];
  fillUniform?: NativeRandom['fillUniform'];
  fillDropout?: NativeRandom['fillDropout'];
}

// only OpenBLAS: Debian's libblas.so.3 may be the reference BLAS, slower than wasm
const LIBRARIES = [
  'libopenblas.so.0',
  '/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0',
  '/usr/lib/aarch64-linux-gnu/openblas-pthread/libopenblas.so.0',
  'libopenblas.dylib',
  '/opt/homebrew/opt/openblas/lib/libopenblas.dylib',
];

let cached: { blas: NativeBlas | null; reason: string } | undefined;

function addonPath(): string {
  // src/native and dist/native both sit two levels below the package root
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  return join(root, 'native', 'build', 'Release', 'semigan_native.node');
}

/** The thread count SEMIGAN_THREADS gives the native kernels, or undefined when it gives none (their defaults). */
export function requestedThreads(): number | undefined {
  const threads = Number(process.env.SEMIGAN_THREADS ?? 0);
  return threads > 0 ? threads : undefined;
}

/** The instruction-set flags of the first CPU (Linux), empty elsewhere. */
export function readCpuFlags(): Set<string> {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').match(/^flags\s*:(.*)$/m)?.[1] ?? '';
    return new Set(line.trim().split(/\s+/));
  } catch {
    return new Set();
  }
}

/**
 * OpenBLAS picks its kernels from the CPU's model number and falls back to generic SSE3 ones (Prescott) on a
 * model it does not know, as virtual machines that hide the model often are: a 1024² matmul then runs ≈4×
 * slower on an AVX-512 Xeon (16 against 68 GFLOP/s, one thread). Unless the user chose (OPENBLAS_CORETYPE),
 * name the kernels the CPU's instruction sets allow, before OpenBLAS loads and reads the variable. The
 * choice is part of every run's machine signature, so a resume under other kernels still says so.
 */
export function chooseOpenBlasCore(flags: Set<string>, env: NodeJS.ProcessEnv = process.env): void {
  if (env.OPENBLAS_CORETYPE) return;
  const has = (...f: string[]) => f.every((x) => flags.has(x));
  if (has('avx512f', 'avx512cd', 'avx512bw', 'avx512dq', 'avx512vl')) env.OPENBLAS_CORETYPE = 'SkylakeX';
  else if (has('avx2', 'fma')) env.OPENBLAS_CORETYPE = 'Haswell';
}

/**
 * Loads the addon and OpenBLAS once. Returns null, with the reason, when either is missing: callers then keep
 * the pure wasm kernels. SEMIGAN_NATIVE=0 turns it off; SEMIGAN_OPENBLAS names a library file to use.
 */
export function loadNativeBlas(): { blas: NativeBlas | null; reason: string } {
  if (cached) return cached;
  if (process.env.SEMIGAN_NATIVE === '0') return (cached = { blas: null, reason: 'SEMIGAN_NATIVE=0' });
  const path = addonPath();
  if (!existsSync(path)) {
    return (cached = { blas: null, reason: 'native addon not built (npm run build:native)' });
  }
  let addon: Addon;
  try {
    addon = createRequire(import.meta.url)(path) as Addon;
  } catch (e) {
    return (cached = { blas: null, reason: `native addon failed to load: ${(e as Error).message}` });
  }
  const paths = process.env.SEMIGAN_OPENBLAS ? [process.env.SEMIGAN_OPENBLAS] : LIBRARIES;
  chooseOpenBlasCore(readCpuFlags());
  const library = addon.load(paths);
  if (!library) {
    return (cached = {
      blas: null,
      reason: 'OpenBLAS not found (Debian: apt-get install libopenblas0-pthread)',
    });
  }
  const threads = requestedThreads();
  if (threads !== undefined) addon.setThreads(threads);
  return (cached = {
    blas: {
      library,
      sgemmBatch: addon.sgemmBatch,
      setThreads: addon.setThreads,
      conv: addon.conv,
      useDnnl: addon.useDnnl,
      batchNorm: addon.batchNorm,
      batchNormGrad: addon.batchNormGrad,
      maxPool2: addon.maxPool2,
      maxPool2Grad: addon.maxPool2Grad,
      denseForward: addon.denseForward,
      denseBackward: addon.denseBackward,
      biasAct: addon.biasAct,
      biasActGrad: addon.biasActGrad,
      biasTanh: addon.biasTanh,
      biasTanhGrad: addon.biasTanhGrad,
      binary: addon.binary,
      adam: addon.adam,
      average: addon.average,
      random:
        addon.setZiggurat && addon.fillNormal && addon.fillUniform
          ? {
              setZiggurat: addon.setZiggurat,
              fillNormal: addon.fillNormal,
              fillUniform: addon.fillUniform,
              fillDropout: addon.fillDropout,
            }
          : undefined,
    },
    reason: 'loaded',
  });
}
