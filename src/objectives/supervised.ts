import * as tf from '@tensorflow/tfjs';
import { identityClassLogits, type Objective } from './objective.js';
import { softmaxCrossEntropy } from './stable.js';

/** The baseline: cross-entropy on the labeled examples only; unlabeled data is ignored. */
export function supervised(): Objective {
  return {
    name: 'supervised',
    usesGenerator: false,
    usesLabels: true,
    numLogits: (k) => k,
    discriminatorLoss: ({ labeledLogits, labels }) => softmaxCrossEntropy(labeledLogits, labels),
    generatorLoss: () => tf.scalar(0),
    classLogits: identityClassLogits,
  };
}
