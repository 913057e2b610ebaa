import * as tf from '@tensorflow/tfjs';
import type { DenseFns } from '../native/openblas.js';
import { nativeWasmKernelsInstalled } from './native-matmul.js';
import { heapView, type WasmBackend } from './wasm-heap.js';

const FORWARD = 'SemiganDense';
const BACKWARD = 'SemiganDenseGrad';

interface Backend extends WasmBackend {
  disposeData(dataId: object): boolean;
}

let installed = false;
let native: DenseFns | undefined;
const NONE = new Float32Array(0);

/** Node with the addon: both kernels in C++ (sgemm and the elementwise passes in one call each). */
export function setNativeDense(fns: DenseFns | undefined): void {
  native = fns;
}

/** Another wasm kernel called directly: no engine bookkeeping, no tape; the caller frees what it returns. */
function call(name: string, backend: Backend, inputs: tf.NamedTensorInfoMap, attrs = {}): tf.TensorInfo {
  return tf.getKernel(name, 'wasm')!.kernelFunc({ inputs, backend, attrs }) as tf.TensorInfo;
}

/** a·b with optional transposes; pure wasm runs transposed products 10–50× slower, so it transposes first. */
function matmul(backend: Backend, a: tf.TensorInfo, b: tf.TensorInfo, ta: boolean, tb: boolean) {
  const rows = ta ? a.shape[1] : a.shape[0];
  const cols = tb ? b.shape[0] : b.shape[1];
  let out: tf.TensorInfo;
  if ((ta || tb) && !nativeWasmKernelsInstalled()) {
    const at = ta ? call('Transpose', backend, { x: a }, { perm: [1, 0] }) : a;
    const bt = tb ? call('Transpose', backend, { x: b }, { perm: [1, 0] }) : b;
    out = call('BatchMatMul', backend, { a: at, b: bt }, { transposeA: false, transposeB: false });
    if (ta) backend.disposeData(at.dataId);
    if (tb) backend.disposeData(bt.dataId);
  } else {
    out = call('BatchMatMul', backend, { a, b }, { transposeA: ta, transposeB: tb });
  }
  return { dataId: out.dataId, shape: [rows, cols], dtype: 'float32' } as tf.TensorInfo;
}

/**
 * A whole dense layer as one kernel forward and one backward: y = act(x·v·s + b), with s = g/‖v‖ per unit
 * under weight norm (else 1) and act(p) = max(p, αp) (α = 1: linear, 0: ReLU). As tf ops a weight-normalised
 * layer is ≈25 kernels forward and backward; tfjs's per-kernel overhead (≈5 µs) is what small nets such as
 * the rings' 64-unit MLPs spend their step on.
 */
export function installWasmDense(): void {
  if (installed || !tf.getKernel('Identity', 'wasm')) return;
  tf.registerKernel({ kernelName: FORWARD, backendName: 'wasm', kernelFunc: denseForward });
  tf.registerKernel({ kernelName: BACKWARD, backendName: 'wasm', kernelFunc: denseBackward });
  installed = true;
}

/** y = act(x·v·s + b), returning [y] or, under weight norm, [y, x·v, ‖v‖] for the backward pass. */
const denseForward: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const bk = backend as unknown as Backend;
  const { x, v, g, b } = inputs as Record<string, tf.TensorInfo | undefined>;
  const alpha = (attrs as { alpha: number }).alpha;
  const [k, m] = v!.shape;
  const n = x!.shape[0];
  if (native) {
    const y = bk.makeOutput([n, m], 'float32');
    const u = g ? bk.makeOutput([n, m], 'float32') : undefined;
    const norm = g ? bk.makeOutput([m], 'float32') : undefined;
    const view = (t?: tf.TensorInfo) => (t ? heapView(bk, t) : NONE);
    native.denseForward(n, k, m, alpha, view(x), view(v), view(g), view(b), view(u), view(y), view(norm));
    return g ? [y, u!, norm!] : [y];
  }
  const u = matmul(bk, x!, v!, false, false);
  if (!g) {
    // y in place of x·v: nothing else needs the product
    const y = heapView(bk, u);
    const bv = heapView(bk, b!);
    for (let i = 0; i < y.length; i += m) {
      for (let j = 0; j < m; j++) {
        const p = y[i + j] + bv[j];
        y[i + j] = p > 0 ? p : alpha * p;
      }
    }
    return [u];
  }
  const y = bk.makeOutput(u.shape, 'float32');
  const norm = bk.makeOutput([m], 'float32');
  const [uv, yv, nv, vv, gv, bv] = [u, y, norm, v!, g, b!].map((t) => heapView(bk, t));
  const sq = new Float64Array(m);
  for (let r = 0; r < k * m; r += m) {
    for (let j = 0; j < m; j++) sq[j] += vv[r + j] * vv[r + j];
  }
  const s = new Float32Array(m);
  for (let j = 0; j < m; j++) {
    // the 1e-12 lastAxisNorm adds, so both forms agree
    nv[j] = Math.sqrt(sq[j] + 1e-12);
    s[j] = gv[j] / nv[j];
  }
  for (let i = 0; i < uv.length; i += m) {
    for (let j = 0; j < m; j++) {
      const p = uv[i + j] * s[j] + bv[j];
      yv[i + j] = p > 0 ? p : alpha * p;
    }
  }
  return [y, u, norm];
};

/** The gradients the taped inputs ask for (`wants`), in their order: [x,] [v, [g,] b]. */
const denseBackward: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const bk = backend as unknown as Backend;
  const { dy, x, v, y, g, u, norm } = inputs as Record<string, tf.TensorInfo | undefined>;
  const { alpha, wants = 'all' } = attrs as { alpha: number; wants?: DenseGradients };
  const [k, m] = v!.shape;
  const n = x!.shape[0];
  const withInput = wants !== 'weights';
  const withWeights = wants !== 'input';
  const make = (want: boolean, shape: number[]) => (want ? bk.makeOutput(shape, 'float32') : undefined);
  const dpre = bk.makeOutput(dy!.shape, 'float32');
  const db = make(withWeights, [m]);
  const dg = make(withWeights && !!g, [m]);
  // the gradients in the order of the taped inputs: [x,] [v, [g,] b]
  const result = (dx?: tf.TensorInfo, dv?: tf.TensorInfo) => [dx, dv, dg, db].filter((t) => t !== undefined);
  if (native) {
    const dx = make(withInput, [n, k]);
    const dv = make(withWeights, [k, m]);
    const view = (t?: tf.TensorInfo) => (t ? heapView(bk, t) : NONE);
    // u only feeds dg and dv; an empty dx or dv tells the addon to skip that product
    const vu = withWeights ? view(u) : NONE;
    const [vdy, vx, vv, vg, vy, vn, vdp, vdx, vdv, vdg, vdb] = [
      dy,
      x,
      v,
      g,
      y,
      norm,
      dpre,
      dx,
      dv,
      dg,
      db,
    ].map(view);
    native.denseBackward(n, k, m, alpha, vdy, vx, vv, vg, vy, vu, vn, vdp, vdx, vdv, vdg, vdb);
    bk.disposeData(dpre.dataId);
    return result(dx, dv);
  }
  return backwardInJs(
    bk,
    { dy: dy!, x: x!, v: v!, y: y!, g, u, norm },
    alpha,
    dpre,
    db,
    dg,
    withInput,
    withWeights,
    result,
  );
};

/** The backward pass in JavaScript, where the native addon is absent. */
function backwardInJs(
  bk: Backend,
  t: {
    dy: tf.TensorInfo;
    x: tf.TensorInfo;
    v: tf.TensorInfo;
    y: tf.TensorInfo;
    g?: tf.TensorInfo;
    u?: tf.TensorInfo;
    norm?: tf.TensorInfo;
  },
  alpha: number,
  dpre: tf.TensorInfo,
  db: tf.TensorInfo | undefined,
  dg: tf.TensorInfo | undefined,
  withInput: boolean,
  withWeights: boolean,
  result: (dx?: tf.TensorInfo, dv?: tf.TensorInfo) => tf.TensorInfo[],
): tf.TensorInfo[] {
  const { dy, x, v, y, g, u, norm } = t;
  const [k, m] = v.shape;
  const [dpv, dyv, yv] = [dpre, dy, y].map((t) => heapView(bk, t));
  const sdb = new Float64Array(m);
  for (let i = 0; i < dpv.length; i += m) {
    for (let j = 0; j < m; j++) {
      const d = yv[i + j] > 0 ? dyv[i + j] : alpha * dyv[i + j];
      dpv[i + j] = d;
      sdb[j] += d;
    }
  }
  if (db) heapView(bk, db).set(sdb);
  // under weight norm: dL/ds_j = Σ_i dpre_ij·u_ij; dg = dL/ds/‖v‖; the products then use dpre·s
  const dLds = new Float64Array(m);
  if (g) {
    const [nv, gv] = [norm!, g].map((t) => heapView(bk, t));
    if (dg) {
      const [uv, dgv] = [u!, dg].map((t) => heapView(bk, t));
      for (let i = 0; i < dpv.length; i += m) {
        for (let j = 0; j < m; j++) dLds[j] += dpv[i + j] * uv[i + j];
      }
      for (let j = 0; j < m; j++) dgv[j] = dLds[j] / nv[j];
    }
    const s = new Float32Array(m);
    for (let j = 0; j < m; j++) s[j] = gv[j] / nv[j];
    for (let i = 0; i < dpv.length; i += m) {
      for (let j = 0; j < m; j++) dpv[i + j] *= s[j];
    }
  }
  const dx = withInput ? matmul(bk, dpre, v, false, true) : undefined;
  const dv = withWeights ? matmul(bk, x, dpre, true, false) : undefined;
  bk.disposeData(dpre.dataId);
  if (dv && g) {
    // ∂s_j/∂v_rj = −g_j·v_rj/‖v_j‖³
    const [dvv, vv, gv, nv] = [dv, v, g, norm!].map((t) => heapView(bk, t));
    const c = new Float32Array(m);
    for (let j = 0; j < m; j++) c[j] = (dLds[j] * gv[j]) / (nv[j] * nv[j] * nv[j]);
    for (let r = 0; r < k * m; r += m) {
      for (let j = 0; j < m; j++) dvv[r + j] -= c[j] * vv[r + j];
    }
  }
  return result(dx, dv);
}

type Grad = Parameters<typeof tf.customGrad>[0];
const MAX_FUSED_OUTPUTS = 1 << 16;

/**
 * Which gradients a pass needs: 'all'; 'input' when the layer's weights are constants (D inside a generator
 * step); 'weights' when its input is (data entering D's first layer in a discriminator step). The backward
 * kernel skips the matmul of whatever is not needed. tfjs prunes unneeded gradients of its own ops, but a
 * custom gradient returns all of them.
 */
export type DenseGradients = 'all' | 'input' | 'weights';

/**
 * max(p, αp) with p = x·v·(g/‖v‖) + b (or x·v + b without g) as one kernel each way, when the backend has
 * them; undefined means: use tf ops. Same values and gradients as the op form.
 */
export function fusedDense(
  x: tf.Tensor2D,
  v: tf.Tensor,
  g: tf.Tensor | undefined,
  b: tf.Tensor,
  alpha: number,
  wants: DenseGradients = 'all',
): tf.Tensor2D | undefined {
  if (!installed || tf.getBackend() !== 'wasm' || x.dtype !== 'float32') return undefined;
  // without the addon the elementwise loops are plain JavaScript (≈3 ns an element): past ≈64 k outputs
  // wasm's SIMD kernels win back more than the saved overhead (measured: MNIST's 300×1000 layers, 94 → 107 ms)
  if (!native && x.shape[0] * v.shape[v.shape.length - 1] > MAX_FUSED_OUTPUTS) return undefined;
  const given: Record<string, tf.Tensor | undefined> = { x, v, g, b };
  const weights = g ? ['v', 'g', 'b'] : ['v', 'b'];
  const taped = wants === 'input' ? ['x'] : wants === 'weights' ? weights : ['x', ...weights];
  const run = (name: string, inputs: tf.NamedTensorMap, attrs: object) =>
    tf.engine().runKernel(name, inputs, attrs as tf.NamedAttrMap) as unknown as tf.Tensor[];
  const f = tf.customGrad(((...args: unknown[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    const t = { ...given };
    taped.forEach((name, i) => (t[name] = args[i] as tf.Tensor));
    const inputs: tf.NamedTensorMap = g
      ? { x: t.x!, v: t.v!, g: t.g!, b: t.b! }
      : { x: t.x!, v: t.v!, b: t.b! };
    const [y, u, norm] = run(FORWARD, inputs, { alpha });
    // everything the backward reads, taped or not: the forward's tidy would free a non-variable x
    save(g ? [t.x!, t.v!, y, t.g!, u!, norm!] : [t.x!, t.v!, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, [sx, sv, sy, sg, su, sn]: tf.Tensor[]) =>
        run(
          BACKWARD,
          { dy, x: sx!, v: sv!, y: sy!, ...(g ? { g: sg!, u: su!, norm: sn! } : {}) },
          { alpha, wants },
        ),
    };
  }) as unknown as Grad);
  return f(...taped.map((name) => given[name]!)) as tf.Tensor2D;
}
