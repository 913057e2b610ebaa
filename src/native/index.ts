import { loadNativeBlas } from './openblas.js';
import { installNativeConvKernels } from '../kernels/native-conv.js';
import { setNativeBatchNorm } from '../kernels/wasm-batch-norm.js';
import { setNativeMaxPool } from '../kernels/wasm-max-pool.js';
import { setNativeDense } from '../kernels/wasm-dense.js';
import { installNativeBiasAct } from '../kernels/wasm-bias-act.js';
import { setNativeRandom } from '../random.js';
import { installNativeWasmKernels } from '../kernels/native-matmul.js';
import { setNativeConvKernels } from '../nets/fast-conv.js';
import { installNativeBinaryKernels } from '../kernels/native-binary.js';
import { setNativeAdam } from '../kernels/wasm-adam.js';
import { setNativeAverage } from '../kernels/wasm-average.js';

/**
 * Node only: routes the wasm backend's matrix products to OpenBLAS when the addon and library are present.
 * Returns a one-line description of what is in use, for logs and bench records.
 */
export function enableNativeKernels(): { active: boolean; detail: string } {
  const { blas, reason } = loadNativeBlas();
  if (!blas) return { active: false, detail: reason };
  installNativeWasmKernels(blas);
  const conv = blas.conv;
  if (conv) {
    installNativeConvKernels({ ...blas, conv });
    setNativeConvKernels(true);
  }
  if (blas.batchNorm && blas.batchNormGrad) {
    setNativeBatchNorm({ batchNorm: blas.batchNorm, batchNormGrad: blas.batchNormGrad });
  }
  if (blas.maxPool2 && blas.maxPool2Grad) {
    setNativeMaxPool({ maxPool2: blas.maxPool2, maxPool2Grad: blas.maxPool2Grad });
  }
  if (blas.denseForward && blas.denseBackward) {
    setNativeDense({ denseForward: blas.denseForward, denseBackward: blas.denseBackward });
  }
  if (blas.biasAct && blas.biasActGrad) {
    installNativeBiasAct({
      biasAct: blas.biasAct,
      biasActGrad: blas.biasActGrad,
      biasTanh: blas.biasTanh,
      biasTanhGrad: blas.biasTanhGrad,
    });
  }
  if (blas.random) setNativeRandom(blas.random);
  if (blas.binary) installNativeBinaryKernels(blas.binary);
  if (blas.adam) setNativeAdam(blas.adam);
  if (blas.average) setNativeAverage(blas.average);
  return { active: true, detail: blas.library };
}
