import { existsSync, readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { inputOf, parseDataSpec } from '../data/spec.js';
import { SemiganError, UsageError } from '../errors.js';
import type { LoadedModel } from '../train/load-model.js';
import { Rng } from '../random.js';
import { ensureWritableDir, writeFileAtomic } from '../util/fs.js';
import {
  classifierArtifacts,
  modelFromArtifacts,
  predictExported,
  type ExportedModelMeta,
  type ModelJson,
} from './format.js';

/**
 * Writes the model's classifier as a tfjs layers model (model.json + weights.bin, loadable with
 * tf.loadLayersModel in Node and browsers) with semigan metadata, then loads it back and checks that it
 * predicts what the original does.
 */
export async function exportModel(m: LoadedModel, outDir: string): Promise<ExportedModelMeta> {
  if (!m.discriminator.toLayersModel) {
    throw new SemiganError(`the ${m.metrics.preset} network cannot be exported yet`);
  }
  ensureWritableDir(outDir);
  mkdirSync(outDir, { recursive: true });
  const { json, weights, meta } = await classifierArtifacts(m.discriminator, {
    classNames: m.classNames,
    inputShape: m.featureShape,
    input: inputOf(parseDataSpec(m.metrics.config.data)),
    method: m.metrics.config.method,
    data: m.metrics.config.data,
    testAccuracy: m.metrics.testAccuracy,
    labeledSubset: m.metrics.labeledSubset,
  });
  // weights first: a model.json never points at a weights file that is not there
  writeFileAtomic(join(outDir, 'weights.bin'), Buffer.from(weights));
  writeFileAtomic(join(outDir, 'model.json'), JSON.stringify(json) + '\n');
  // round trip: the exported network must agree with the trained one
  const back = await loadExportedModel(outDir);
  try {
    const size = m.featureShape.reduce((a, b) => a * b, 1);
    const x = new Rng(1).fillNormal(new Float32Array(8 * size));
    const want = m.predict(x).probs;
    const got = predictExported(back.model, back.meta.inputShape, x);
    const diff = want.reduce((a, v, i) => Math.max(a, Math.abs(v - got[i])), 0);
    if (!(diff < 1e-3)) throw new SemiganError(`export check failed: exported model differs by ${diff}`);
  } finally {
    back.model.dispose();
  }
  return meta;
}

/** Loads and validates a directory written by `semigan export`. */
export async function loadExportedModel(dir: string) {
  const jsonPath = join(dir, 'model.json');
  if (!existsSync(jsonPath))
    throw new UsageError(`${dir} has no model.json (export a run with semigan export)`);
  let json: ModelJson;
  try {
    json = JSON.parse(readFileSync(jsonPath, 'utf8')) as ModelJson;
  } catch (e) {
    throw new SemiganError(`${jsonPath} is not valid JSON: ${(e as Error).message}`);
  }
  const paths = json.weightsManifest?.flatMap((g) => g.paths) ?? [];
  if (paths.length !== 1 || paths[0].includes('/') || paths[0].includes('..')) {
    throw new SemiganError(`${jsonPath}: expected one weights file beside it, got ${JSON.stringify(paths)}`);
  }
  const wPath = join(dir, paths[0]);
  if (!existsSync(wPath)) throw new SemiganError(`${dir} lacks ${paths[0]}, which model.json needs`);
  const buf = readFileSync(wPath);
  return modelFromArtifacts(
    json,
    buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer,
    dir,
  );
}
