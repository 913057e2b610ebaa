import * as tf from '@tensorflow/tfjs';
import { SemiganError, UsageError } from './errors.js';
import { installWasmAdam } from './kernels/wasm-adam.js';
import { installWasmAverage } from './kernels/wasm-average.js';
import { installWasmBatchNorm } from './kernels/wasm-batch-norm.js';
import { installWasmMaxPool } from './kernels/wasm-max-pool.js';
import { installWasmDense } from './kernels/wasm-dense.js';
import { installWasmStableOps } from './kernels/wasm-stable.js';
import { installWasmIdentity } from './kernels/wasm-identity.js';

export const BACKENDS = ['auto', 'wasm', 'cpu', 'tensorflow', 'webgl', 'webgpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

const isNode = typeof process !== 'undefined' && !!process.versions?.node;

export function parseBackend(name: string): BackendName {
  if ((BACKENDS as readonly string[]).includes(name)) return name as BackendName;
  throw new UsageError(`unknown backend '${name}' (choose one of: ${BACKENDS.join(', ')})`);
}

/** Imports a package that may be absent, hidden from bundlers and the type checker. */
function importOptional(name: string): Promise<unknown> {
  return import(/* @vite-ignore */ name);
}

async function loadWasm(): Promise<void> {
  await import('@tensorflow/tfjs-backend-wasm');
}

let acceleration = 'none';

/** What accelerates the current backend, e.g. the OpenBLAS library behind wasm's matrix products. */
export function backendAcceleration(): string {
  return acceleration;
}

/** The acceleration in a few words for a run's first line: `OpenBLAS + oneDNN`, or why there is none. */
export function accelerationSummary(): string {
  if (acceleration.startsWith('OpenBLAS'))
    return /oneDNN/.test(acceleration) ? 'OpenBLAS + oneDNN' : 'OpenBLAS';
  return acceleration === 'none'
    ? 'no native kernels'
    : `no native kernels: ${acceleration.replace(/^none \((.*)\)$/, '$1')}`;
}

/** The backend as a command's first line names it: `wasm (OpenBLAS + oneDNN)`, or just its name. */
export function describeBackend(name: string): string {
  return name === 'wasm' ? `wasm (${accelerationSummary()})` : name;
}

/** In Node, wasm's matrix products go to OpenBLAS when semigan's optional addon built and the library exists. */
async function accelerateWasm(): Promise<void> {
  if (!isNode) return;
  // a computed path keeps bundlers from pulling Node-only code into the browser build
  const path = './native/index.js';
  const native = (await import(/* @vite-ignore */ path)) as typeof import('./native/index.js');
  const { active, detail } = native.enableNativeKernels();
  acceleration = active ? `OpenBLAS: ${detail}` : `none (${detail})`;
}

/** tfjs-node is optional: its install downloads native binaries, so semigan never depends on it. */
async function loadTensorflow(): Promise<void> {
  const name = '@tensorflow/tfjs-node';
  try {
    await importOptional(name);
  } catch (e) {
    throw new SemiganError(
      `backend 'tensorflow' needs the optional package @tensorflow/tfjs-node (npm install @tensorflow/tfjs-node): ${
        (e as Error).message.split('\n')[0]
      }`,
    );
  }
}

async function activate(name: Exclude<BackendName, 'auto'>): Promise<void> {
  if (isNode && (name === 'webgl' || name === 'webgpu')) {
    throw new SemiganError(`backend '${name}' runs only in a browser; in Node use wasm, cpu or tensorflow`);
  }
  if (name === 'wasm') await loadWasm();
  if (name === 'tensorflow') await loadTensorflow();
  if (name === 'webgpu') await importOptional('@tensorflow/tfjs-backend-webgpu');
  let ok: boolean;
  try {
    ok = await tf.setBackend(name);
    await tf.ready();
  } catch (e) {
    throw new SemiganError(`backend '${name}' could not start: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!ok || tf.getBackend() !== name) throw new SemiganError(`backend '${name}' could not start here`);
  if (name === 'wasm') {
    installWasmIdentity();
    installWasmAdam();
    installWasmAverage();
    installWasmBatchNorm();
    installWasmMaxPool();
    installWasmDense();
    installWasmStableOps();
    await accelerateWasm();
  }
}

/**
 * Whether the browser's WebGL is a software rasteriser (SwiftShader, llvmpipe: headless or GPU-less
 * machines). Measured in headless Chromium here, training the image nets: webgl on SwiftShader 0.1 steps/s,
 * wasm 3.0 (32 px, batch 32) — so auto prefers wasm there.
 */
function softwareGl(): boolean {
  try {
    const gl = new OffscreenCanvas(1, 1).getContext('webgl2') as WebGL2RenderingContext | null;
    if (!gl) return false;
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return /swiftshader|llvmpipe|softpipe|software/i.test(renderer);
  } catch {
    return false;
  }
}

/**
 * Selects the tensor backend. `auto`: in Node, tfjs-node when the user installed it, else wasm (SIMD),
 * else cpu; in a browser, webgl (wasm first when WebGL is software-rendered), else wasm, else cpu.
 * Returns the backend actually in use.
 */
export async function useBackend(name: BackendName = 'auto'): Promise<string> {
  // tfjs's console advice for developers (the cpu backend's "looks like you are running TensorFlow.js in
  // Node.js" banner) is not for semigan's users; production mode is tfjs's own switch for it and changes
  // no computation
  if (isNode) tf.enableProdMode();
  if (name !== 'auto') {
    if (tf.getBackend() !== name) await activate(name);
    return tf.getBackend();
  }
  const order: Exclude<BackendName, 'auto'>[] = isNode
    ? ['tensorflow', 'wasm', 'cpu']
    : softwareGl()
      ? ['wasm', 'webgl', 'cpu']
      : ['webgl', 'wasm', 'cpu'];
  for (const candidate of order) {
    try {
      await activate(candidate);
      return candidate;
    } catch {
      // try the next one: auto never fails while cpu exists
    }
  }
  throw new SemiganError('no tensor backend could start');
}
