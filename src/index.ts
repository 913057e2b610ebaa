/**
 * semigan: semi-supervised learning with GANs. The discriminator is the classifier; unlabeled data and
 * generated examples shape its decision boundary. Everything in ./core.js runs in browsers too; the rest
 * of this file needs Node (files, image decoding, the CLI's experiments, the optional OpenBLAS kernels).
 *
 *   await useBackend();                                   // wasm in Node (+ OpenBLAS when available)
 *   const data = makeToyData({ dataset: 'rings', labeledPerClass: 4, seed: 1 });
 *   const trainer = makeToyTrainer('klogit-fm', data);
 *   for (let i = 0; i < 1500; i++) trainer.step();
 *   trainer.evaluate(data.test.x, data.test.y);          // ≈ 1.0; 'supervised' gets ≈ 0.6–0.75
 */
export * from './core.js';
export { backendAcceleration } from './backend.js';

// data from disk
export { loadMnistDir } from './data/mnist.js';
export { loadImageFolder, type ImageFolderOptions } from './data/images.js';
export { parseDataSpec, loadData, type DataSpec } from './data/spec.js';
export { readLabelsCsv, formatLabelsCsv, type LabeledExample } from './data/labels-csv.js';

// runs, experiments, models on disk
export {
  runTraining,
  readMetrics,
  type RunConfig,
  type RunMetrics,
  type RunHooks,
  type RunStart,
} from './train/run.js';
export { loadModel, type LoadedModel } from './train/load-model.js';
export { runDemo, DEMO_METHODS, type DemoOptions, type DemoResult } from './experiments/demo.js';
export { runCompare, type CompareOptions, type CompareResult } from './experiments/compare.js';
export { exportModel, loadExportedModel } from './export/node-io.js';
export { loadClassifier, type Classifier } from './export/classifier.js';
