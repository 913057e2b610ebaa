import * as tf from '@tensorflow/tfjs';
import { SemiganError } from '../errors.js';
import type { Discriminator } from '../nets/net.js';
import { sha256 } from '../util/sha256.js';

/** What semigan stores beside the tf.layers model so a loader can check it before trusting it. */
export interface ExportedModelMeta {
  format: 'semigan-classifier';
  version: 1;
  classNames: string[];
  /** Shape of one example, e.g. [28, 28, 1] or [64, 64, 3] or [2]. */
  inputShape: number[];
  /** How raw inputs become model inputs: images are resized to inputShape and scaled to `range`. */
  input: { kind: 'image'; range: [number, number] } | { kind: 'vector' };
  method: string;
  data: string;
  /** sha256 of weights.bin: a changed or swapped weights file is refused. */
  weightsSha256: string;
  testAccuracy?: number;
  labeledSubset?: unknown;
}

export interface ModelJson {
  format: string;
  generatedBy?: string;
  modelTopology: object;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  userDefinedMetadata?: { semigan?: ExportedModelMeta };
}

/**
 * Checks an exported model (model.json + weights bytes) and returns the tf.layers model and its metadata.
 * Throws a SemiganError naming what is wrong: not a semigan export, newer version, tampered weights, class
 * names that do not match the output, input shape that does not match the network.
 */
export async function modelFromArtifacts(
  json: ModelJson,
  weights: ArrayBuffer,
  where: string,
): Promise<{ model: tf.LayersModel; meta: ExportedModelMeta }> {
  const meta = json.userDefinedMetadata?.semigan;
  if (json.format !== 'layers-model' || !json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new SemiganError(
      `${where} is not a tfjs layers model (model.json lacks format/modelTopology/weightsManifest)`,
    );
  }
  if (!meta || meta.format !== 'semigan-classifier') {
    throw new SemiganError(`${where} was not exported by semigan (no semigan metadata in model.json)`);
  }
  if (meta.version !== 1) {
    throw new SemiganError(`${where} has export version ${meta.version}; this semigan reads version 1`);
  }
  const digest = sha256(new Uint8Array(weights));
  if (digest !== meta.weightsSha256) {
    throw new SemiganError(
      `${where}: weights.bin does not match model.json (sha256 ${digest.slice(0, 12)}…, expected ${meta.weightsSha256.slice(0, 12)}…): tampered or from another model`,
    );
  }
  if (!Array.isArray(meta.classNames) || meta.classNames.length < 2 || !Array.isArray(meta.inputShape)) {
    throw new SemiganError(`${where}: metadata lacks classNames or inputShape`);
  }
  const weightSpecs = json.weightsManifest.flatMap((g) => g.weights);
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(
      tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs, weightData: weights }),
    );
  } catch (e) {
    throw new SemiganError(
      `${where}: the network cannot be built from model.json: ${(e as Error).message.split('\n')[0]}`,
    );
  }
  const inShape = model.inputs[0].shape.slice(1);
  const outUnits = model.outputs[0].shape.at(-1);
  if (inShape.join('x') !== meta.inputShape.join('x') || outUnits !== meta.classNames.length) {
    model.dispose();
    throw new SemiganError(
      `${where}: the network takes [${inShape}] and gives ${outUnits} outputs, but its metadata says [${meta.inputShape}] and ${meta.classNames.length} classes`,
    );
  }
  return { model, meta };
}

/** Class probabilities of an exported model for a flat batch (chunked). */
export function predictExported(model: tf.LayersModel, inputShape: number[], x: Float32Array): Float32Array {
  const size = inputShape.reduce((a, b) => a * b, 1);
  const n = x.length / size;
  const out: number[] = [];
  for (let i = 0; i < n; i += 1024) {
    const m = Math.min(1024, n - i);
    const p = tf.tidy(
      () => model.predict(tf.tensor(x.subarray(i * size, (i + m) * size), [m, ...inputShape])) as tf.Tensor,
    );
    out.push(...(p.dataSync() as Float32Array));
    p.dispose();
  }
  return Float32Array.from(out);
}

/** What an export records besides the format fields and the weights' digest, which it computes. */
export type ExportDescription = Omit<ExportedModelMeta, 'format' | 'version' | 'weightsSha256'>;

/**
 * A discriminator's classifier as export artifacts (model.json contents + weights.bin bytes), with no file
 * system: the CLI writes them to a directory, the playground offers them as downloads.
 */
export async function classifierArtifacts(
  d: Discriminator,
  description: ExportDescription,
): Promise<{ json: ModelJson; weights: Uint8Array; meta: ExportedModelMeta }> {
  if (!d.toLayersModel) throw new SemiganError(`this network cannot be exported yet`);
  const layers = d.toLayersModel(description.classNames.length);
  let artifacts: tf.io.ModelArtifacts | undefined;
  await layers.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  layers.dispose();
  const weights = new Uint8Array(artifacts!.weightData as ArrayBuffer);
  const meta: ExportedModelMeta = {
    format: 'semigan-classifier',
    version: 1,
    ...description,
    weightsSha256: sha256(weights),
  };
  const json: ModelJson = {
    format: 'layers-model',
    generatedBy: `semigan (TensorFlow.js ${tf.version.tfjs})`,
    modelTopology: artifacts!.modelTopology as object,
    weightsManifest: [{ paths: ['weights.bin'], weights: artifacts!.weightSpecs! }],
    userDefinedMetadata: { semigan: meta },
  };
  return { json, weights, meta };
}
