/**
 * semigan's browser-safe core (what `import 'semigan'` resolves to in a bundler's browser build): no Node
 * modules. src/index.ts adds the Node-only parts (files, CLI experiments, native kernels).
 *
 * semigan: semi-supervised learning with GANs. The discriminator is the classifier; unlabeled data and
 * generated examples shape its decision boundary.
 *
 *   await useBackend();                                   // wasm in Node, webgl in a browser
 *   const data = makeToyData({ dataset: 'rings', labeledPerClass: 4, seed: 1 });
 *   const trainer = makeToyTrainer('klogit-fm', data);
 *   for (let i = 0; i < 1500; i++) trainer.step();
 *   trainer.evaluate(data.test.x, data.test.y);          // ≈ 1.0; 'supervised' gets ≈ 0.6–0.75
 */

// backends and errors
export { useBackend, parseBackend, BACKENDS, type BackendName } from './backend.js';
export { SemiganError, UsageError } from './errors.js';
export { Rng, type RngState } from './random.js';

// data: datasets, splits, label bookkeeping
export { takeRows, type Dataset } from './data/dataset.js';
export { makeToyDataset, TOY_DATASETS, type ToyName } from './data/toy2d.js';
export {
  splitDataset,
  labeledRecord,
  type Split,
  type SplitOptions,
  type LabeledSubsetRecord,
} from './data/split.js';
export { LabelOracle } from './data/label-oracle.js';

// nets
export type { Discriminator, Generator } from './nets/net.js';
export { MlpDiscriminator, type MlpDiscriminatorConfig } from './nets/mlp-discriminator.js';
export { MlpGenerator, type MlpGeneratorConfig } from './nets/mlp-generator.js';
export { ResnetDiscriminator, type ResnetDiscriminatorConfig } from './nets/resnet-discriminator.js';
export { DcganGenerator, type DcganGeneratorConfig } from './nets/dcgan-generator.js';
export { conv2d, conv2dTranspose } from './nets/fast-conv.js';
export { toyPreset, imagePreset, photoPreset, MNIST_PRESET, type Preset } from './experiments/presets.js';

// objectives: every method is an Objective
export type { Objective } from './objectives/objective.js';
export { supervised } from './objectives/supervised.js';
export { minimax } from './objectives/minimax.js';
export { kLogit } from './objectives/klogit.js';
export { kPlusOne } from './objectives/kplus1.js';
export { withFeatureMatching, featureMatchingLoss } from './objectives/feature-matching.js';
export {
  METHODS,
  METHOD_DESCRIPTIONS,
  GAN_WEIGHTED_METHODS,
  hasGenerator,
  makeObjective,
  parseMethod,
  type MethodName,
} from './train/methods.js';

// training and evaluation
export { Trainer, type TrainConfig, type TrainData } from './train/trainer.js';
export { predictProbabilities, accuracy, argmaxRows, confusionMatrix } from './eval/predict.js';
export { selectLabels, SELECT_STRATEGIES, type SelectStrategy } from './data/select-labels.js';
export {
  modelFromArtifacts,
  predictExported,
  classifierArtifacts,
  type ExportedModelMeta,
  type ExportDescription,
} from './export/format.js';

// experiments
export { makeTrainer, type TrainerInputs, type TrainerOptions } from './experiments/make-trainer.js';
export {
  dataDefaults,
  defaultGanWeight,
  IMAGES_DEFAULTS,
  type DataDefaults,
} from './experiments/data-defaults.js';
export {
  makeToyData,
  makeToyTrainer,
  TOY_DEFAULTS,
  type ToyData,
  type ToyExperimentOptions,
} from './experiments/toy.js';
export { realFakeProbabilities, REAL_FAKE_NAMES } from './experiments/toy-pictures.js';
