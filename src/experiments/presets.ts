import { DcganGenerator } from '../nets/dcgan-generator.js';
import { MlpDiscriminator } from '../nets/mlp-discriminator.js';
import { PhotoDiscriminator } from '../nets/photo-discriminator.js';
import { ResnetDiscriminator } from '../nets/resnet-discriminator.js';
import { MlpGenerator } from '../nets/mlp-generator.js';
import type { Discriminator, Generator } from '../nets/net.js';
import type { Objective } from '../objectives/objective.js';
import type { Rng } from '../random.js';
import type { TrainConfig } from '../train/trainer.js';

/** Nets and optimiser settings for one kind of data; the method only changes the objective. */
export interface Preset {
  name: string;
  makeDiscriminator(objective: Objective, numClasses: number, inputShape: number[], rng: Rng): Discriminator;
  makeGenerator(outputShape: number[], rng: Rng): Generator;
  train: Omit<TrainConfig, 'seed'>;
  /** Decay the learning rate linearly to zero over a run's epochs unless the run sets its own decay. */
  lrDecayOverRun?: boolean;
}

/** Small nets for 2-D points: trains in seconds, enough to show the boundary. */
export function toyPreset(hidden: number[] = [64, 64]): Preset {
  return {
    name: 'toy-mlp',
    makeDiscriminator: (o, k, inputShape, rng) =>
      new MlpDiscriminator(
        { inputShape, hidden, numLogits: o.numLogits(k), activation: 'lrelu', weightNorm: true },
        rng,
      ),
    makeGenerator: (outputShape, rng) =>
      new MlpGenerator(
        {
          latentSize: 8,
          hidden: [64, 64],
          outputShape,
          batchNorm: true,
          activation: 'relu',
          latent: 'uniform',
        },
        rng,
      ),
    train: { batchSize: 100, labeledBatchSize: 100, learningRate: 0.003, beta1: 0.5, initExamples: 500 },
  };
}

export const TOY_PRESET: Preset = toyPreset();

/**
 * Improved GAN's MNIST model (Salimans et al. 2016, train_mnist_feature_matching.py): D 784-1000-500-250-
 * 250-250-10, ReLU, Gaussian noise 0.3 on the input and 0.5 after each hidden layer, weight norm everywhere
 * with data-dependent init on 500 images and only the output scale trained; G 100-500-500-784, z ~ U(0,1),
 * batch norm without scale, softplus, sigmoid output, weight-normalised output layer. Adam lr 0.003, β1 0.5,
 * batches of 100 labeled + 100 unlabeled, D evaluated with a 1e-4 weight average.
 */
export const MNIST_PRESET: Preset = {
  name: 'improved-gan-mnist',
  makeDiscriminator: (o, k, inputShape, rng) =>
    new MlpDiscriminator(
      {
        inputShape,
        hidden: [1000, 500, 250, 250, 250],
        numLogits: o.numLogits(k),
        activation: 'relu',
        inputNoise: 0.3,
        hiddenNoise: 0.5,
        weightNorm: true,
        trainHiddenScale: false,
        initStd: 0.1,
      },
      rng,
    ),
  makeGenerator: (outputShape, rng) =>
    new MlpGenerator(
      {
        latentSize: 100,
        hidden: [500, 500],
        outputShape,
        activation: 'softplus',
        outputActivation: 'sigmoid',
        batchNorm: true,
        batchNormScale: false,
        outputWeightNorm: true,
        latent: 'uniform',
        init: 'glorot-uniform',
      },
      rng,
    ),
  train: {
    batchSize: 100,
    labeledBatchSize: 100,
    learningRate: 0.003,
    beta1: 0.5,
    initExamples: 500,
    weightAverageRate: 1e-4,
    adamEpsilon: 'inside',
  },
};

/**
 * The plain GAN's nets for MNIST, a common MLP GAN (as in the PyTorch-GAN collection): D 784-512-256-1 with leaky
 * ReLU, no noise and no weight norm; G 100-256-512-1024-784 with batch norm, leaky ReLU, a sigmoid output, z ~ N(0, 1);
 * Adam lr 2e-4, β1 0.5 (DCGAN's). Improved GAN's nets, tuned for a feature-matching generator, collapse under the
 * plain GAN's loss to nearly all 1s within an epoch (docs/the-talk.md); these give a mix of digits from the second.
 */
export const MNIST_GAN_PRESET: Preset = {
  name: 'mlp-gan-mnist',
  makeDiscriminator: (o, k, inputShape, rng) =>
    new MlpDiscriminator(
      {
        inputShape,
        hidden: [512, 256],
        numLogits: o.numLogits(k),
        activation: 'lrelu',
        weightNorm: false,
        initStd: 0.05,
      },
      rng,
    ),
  makeGenerator: (outputShape, rng) =>
    new MlpGenerator(
      {
        latentSize: 100,
        hidden: [256, 512, 1024],
        outputShape,
        activation: 'lrelu',
        outputActivation: 'sigmoid',
        batchNorm: true,
        latent: 'normal',
        init: 'glorot-uniform',
      },
      rng,
    ),
  train: { batchSize: 100, labeledBatchSize: 100, learningRate: 2e-4, beta1: 0.5 },
};

/**
 * Photos (e.g. 64×64×3 in [−1, 1]): a DCGAN generator and a small residual CNN discriminator, sized so a
 * step of batch 64 runs in well under a second on a 2-core CPU with the OpenBLAS kernels. Adam settings of
 * DCGAN and Improved GAN's CIFAR model (lr 3e-4, β1 0.5).
 */
export function imagePreset(): Preset {
  return {
    name: 'dcgan-resnet',
    makeDiscriminator: (o, k, inputShape, rng) =>
      new ResnetDiscriminator(
        {
          inputShape,
          numLogits: o.numLogits(k),
          widths: [16, 32, 64, 128],
          stemStride: inputShape[0] >= 32 ? 2 : 1,
          inputNoise: 0.1,
          dropout: 0.2,
        },
        rng,
      ),
    makeGenerator: (outputShape, rng) => new DcganGenerator({ latentSize: 100, outputShape, width: 16 }, rng),
    train: {
      batchSize: 64,
      labeledBatchSize: 64,
      learningRate: 3e-4,
      beta1: 0.5,
      initExamples: 256,
      augment: { flip: true, translate: 4 },
    },
  };
}

/**
 * Photos (the default for images: data): the airbench-style PhotoDiscriminator (batch norm, max-pools; stem
 * 24, blocks 32/64/128/128) and the same DCGAN generator; Adam (lr 2e-3, β1 0.9) decaying linearly to zero
 * over the run, flips and 4 px shifts.
 *  Trained supervised on all 12 000 cats-vs-dogs photos at 64 px it reaches
 * 90.8% test after 8 epochs, 36 minutes on 2 cores (bench/results/cats-dogs-ceiling.json; dcgan-resnet: 75%).
 */
export function photoPreset(o: { poolStemFrom?: number } = {}): Preset {
  // the stem's 2×2 pool quarters the work of every block; the CLI pools from 64 px (its measured ceiling)
  const poolStemFrom = o.poolStemFrom ?? 64;
  return {
    name: poolStemFrom === 64 ? 'photo-cnn' : `photo-cnn-pool${poolStemFrom}`,
    makeDiscriminator: (o, k, inputShape, rng) =>
      new PhotoDiscriminator(
        {
          inputShape,
          numLogits: o.numLogits(k),
          stemWidth: 24,
          widths: [32, 64, 128, 128],
          poolStem: inputShape[0] >= poolStemFrom,
        },
        rng,
      ),
    makeGenerator: (outputShape, rng) => new DcganGenerator({ latentSize: 100, outputShape, width: 16 }, rng),
    train: {
      batchSize: 64,
      labeledBatchSize: 64,
      learningRate: 2e-3,
      beta1: 0.9,
      augment: { flip: true, translate: 4 },
    },
    // the schedule of the ceiling run: a fixed schedule whose last epoch is the figure, for every method
    lrDecayOverRun: true,
  };
}

/** Every preset by the name that run records carry, with the kind of data its nets take. */
const PRESETS: Record<string, { data: 'toy' | 'mnist' | 'images'; make: () => Preset }> = {
  'toy-mlp': { data: 'toy', make: () => TOY_PRESET },
  'improved-gan-mnist': { data: 'mnist', make: () => MNIST_PRESET },
  // the plain GAN's default on MNIST (train --method gan)
  'mlp-gan-mnist': { data: 'mnist', make: () => MNIST_GAN_PRESET },
  // the photos' earlier default, kept so its results can be reproduced (train --preset dcgan-resnet)
  'dcgan-resnet': { data: 'images', make: imagePreset },
  'photo-cnn': { data: 'images', make: photoPreset },
};
export const PRESET_NAMES = Object.keys(PRESETS);

/** A preset by name, so an old run reloads with the nets it trained. */
export function presetByName(name: string): Preset {
  const p = PRESETS[name];
  if (!p) throw new Error(`unknown preset '${name}' (one of: ${PRESET_NAMES.join(', ')})`);
  return p.make();
}

/** The kind of data a preset's nets take (toy points, MNIST digits, images); undefined for an unknown name. */
export const presetData = (name: string) => PRESETS[name]?.data;
