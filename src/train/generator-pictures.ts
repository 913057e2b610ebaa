import { join } from 'node:path';
import { inputOf, type DataSpec } from '../data/spec.js';
import type { Split } from '../data/split.js';
import { realFakePicture } from '../experiments/toy-pictures.js';
import { boundaryPng } from '../report/png.js';
import { sampleGridPng } from '../report/sample-grid.js';
import { writeFileAtomic } from '../util/fs.js';
import type { Trainer } from './trainer.js';

/**
 * What a generator looks like at the end of an epoch: a grid of samples for images (every epoch), and for
 * the plain GAN on 2-D data D's real/fake map with its generated points (ten times a run, and the last epoch).
 */
export function writeGeneratorPictures(
  trainer: Trainer,
  spec: DataSpec,
  split: Split,
  out: string,
  epoch: number,
  epochs: number,
): void {
  if (!trainer.generator) return;
  if (split.featureShape.length === 3) {
    const input = inputOf(spec);
    const range = input.kind === 'image' ? input.range : undefined;
    const grid = sampleGridPng(trainer.sample(100), split.featureShape, 10, range);
    writeFileAtomic(join(out, `samples-${epoch}.png`), grid);
  } else if (
    split.featureShape.length === 1 &&
    split.featureShape[0] === 2 &&
    !trainer.objective.usesLabels
  ) {
    if (epoch % Math.max(1, Math.round(epochs / 10)) !== 0 && epoch !== epochs) return;
    const title = `plain GAN, epoch ${epoch} of ${epochs}`;
    const subtitle = `D's real/fake map (shading) and generated points, ${split.unlabeled.ids.length} unlabeled points`;
    const picture = realFakePicture(trainer, split.unlabeled.x, title, subtitle);
    writeFileAtomic(join(out, `realfake-${epoch}.png`), boundaryPng(picture));
  }
}
