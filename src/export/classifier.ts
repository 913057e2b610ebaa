import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { inputOf, parseDataSpec } from '../data/spec.js';
import { IMAGE_EXTENSIONS } from '../data/images.js';
import { UsageError } from '../errors.js';
import { loadModel } from '../train/load-model.js';
import { CHECKPOINT_FILE } from '../train/run.js';
import { predictExported, type ExportedModelMeta } from './format.js';
import { loadExportedModel } from './node-io.js';

/** A trained classifier from a run directory or an export directory, with how its inputs are prepared. */
export interface Classifier {
  classNames: string[];
  inputShape: number[];
  input: ExportedModelMeta['input'];
  source: string;
  predict(x: Float32Array): Float32Array;
  dispose(): void;
}

export async function loadClassifier(dir: string): Promise<Classifier> {
  if (existsSync(join(dir, 'model.json'))) {
    const { model, meta } = await loadExportedModel(dir);
    return {
      classNames: meta.classNames,
      inputShape: meta.inputShape,
      input: meta.input,
      source: `exported ${meta.method} model`,
      predict: (x) => predictExported(model, meta.inputShape, x),
      dispose: () => model.dispose(),
    };
  }
  if (!existsSync(join(dir, CHECKPOINT_FILE))) {
    throw new UsageError(`${dir} is neither a run directory (${CHECKPOINT_FILE}) nor an export (model.json)`);
  }
  const m = loadModel(dir);
  return {
    classNames: m.classNames,
    inputShape: m.featureShape,
    input: inputOf(parseDataSpec(m.metrics.config.data)),
    source: `${m.metrics.config.method} run`,
    predict: (x) => m.predict(x).probs,
    dispose: () => m.dispose(),
  };
}

/** Files given on the command line, directories expanded (recursively) to the image files inside. */
export function expandInputs(paths: string[], exts: string[]): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    if (!existsSync(p)) throw new UsageError(`input ${p} does not exist`);
    if (statSync(p).isDirectory()) {
      for (const f of readdirSync(p).sort()) if (!f.startsWith('.')) walk(join(p, f));
    } else if (exts.includes(extname(p).toLowerCase()) || paths.includes(p)) out.push(p);
  };
  paths.forEach(walk);
  return out;
}

export interface PreparedInputs {
  ids: string[];
  x: Float32Array;
  skipped: { id: string; reason: string }[];
}

/** Decodes images (resized to the model's input, its channel count and value range) or reads CSV rows. */
export async function prepareInputs(c: Classifier, paths: string[]): Promise<PreparedInputs> {
  const size = c.inputShape.reduce((a, b) => a * b, 1);
  const rows: Float32Array[] = [];
  const ids: string[] = [];
  const skipped: PreparedInputs['skipped'] = [];
  if (c.input.kind === 'vector') {
    for (const file of expandInputs(paths, ['.csv', '.txt'])) {
      readFileSync(file, 'utf8')
        .split(/\r?\n/)
        .forEach((line, i) => {
          if (!line.trim() || /^[a-z_]/i.test(line.trim())) return;
          const v = line.split(',').map(Number);
          if (v.length !== size || v.some((n) => !Number.isFinite(n))) {
            skipped.push({ id: `${file}:${i + 1}`, reason: `expected ${size} numbers` });
            return;
          }
          ids.push(`${file}:${i + 1}`);
          rows.push(Float32Array.from(v));
        });
    }
  } else {
    const { default: sharp } = await import('sharp');
    const [h, w, ch] = c.inputShape;
    const [lo, hi] = c.input.range;
    for (const file of expandInputs(paths, IMAGE_EXTENSIONS)) {
      try {
        let img = sharp(file, { failOn: 'error' }).rotate().resize(w, h, { fit: 'cover' }).removeAlpha();
        img = ch === 1 ? img.greyscale() : img.toColourspace('srgb');
        const buf = await img.raw().toBuffer();
        if (buf.length !== size) throw new Error(`decoded ${buf.length} values, expected ${size}`);
        rows.push(Float32Array.from(buf, (b) => lo + (b / 255) * (hi - lo)));
        ids.push(file);
      } catch (e) {
        skipped.push({ id: file, reason: (e as Error).message.split('\n')[0] });
      }
    }
  }
  const x = new Float32Array(rows.length * size);
  rows.forEach((r, i) => x.set(r, i * size));
  return { ids, x, skipped };
}
