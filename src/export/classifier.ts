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
  if (!existsSync(dir)) throw new UsageError(`${dir} does not exist`);
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

const POINT_EXTENSIONS = ['.csv', '.txt'];
const hasExtension = (exts: string[]) => (f: string) => exts.includes(extname(f).toLowerCase());

/** What a classifier takes, in words: `2 numbers per row (a CSV of x,y points)` or `64×64 colour images`. */
export function describeInput(c: Pick<Classifier, 'input' | 'inputShape'>): string {
  if (c.input.kind === 'vector') {
    const n = c.inputShape.reduce((a, b) => a * b, 1);
    return `${n} numbers per row (a CSV of ${n === 2 ? 'x,y ' : ''}points)`;
  }
  const [h, w, ch] = c.inputShape;
  return `${w}×${h} ${ch === 1 ? 'greyscale' : 'colour'} images (any size; they are resized)`;
}

/** One line for inputs of the wrong kind: what they are, what the model takes, what to give it instead. */
export function wrongInputsError(c: Pick<Classifier, 'input' | 'inputShape'>, what: string): UsageError {
  const fix =
    c.input.kind === 'vector'
      ? 'give it CSV files of points, or use a model trained on images:<dir>'
      : `give it image files or folders of them (${IMAGE_EXTENSIONS.join(' ')})`;
  return new UsageError(`${what}, but this model takes ${describeInput(c)}; ${fix}`);
}

/**
 * The files to read for this model, refusing inputs of the other kind (photos for a points model, CSVs for
 * an image model) with one line, before any of them is read.
 */
function inputFiles(c: Classifier, paths: string[]): string[] {
  const vector = c.input.kind === 'vector';
  const [want, other] = vector ? [POINT_EXTENSIONS, IMAGE_EXTENSIONS] : [IMAGE_EXTENSIONS, POINT_EXTENSIONS];
  const files = expandInputs(paths, want);
  const wrong = files.find(hasExtension(other));
  if (wrong) throw wrongInputsError(c, `${wrong} is ${vector ? 'an image' : 'a CSV file'}`);
  if (!files.length) {
    const found = expandInputs(paths, other).filter(hasExtension(other)).length;
    const list = paths.join(', ');
    const holds = paths.length > 1 ? 'hold' : 'holds';
    throw wrongInputsError(
      c,
      found
        ? `${list} ${holds} ${vector ? 'images' : 'CSV files'} (no ${vector ? '.csv or .txt' : 'image'} file)`
        : `${list} ${holds} no ${vector ? '.csv or .txt' : 'image'} file`,
    );
  }
  return files;
}

function readPoints(files: string[], size: number, out: PreparedInputs): Float32Array[] {
  const rows: Float32Array[] = [];
  for (const file of files) {
    readFileSync(file, 'utf8')
      .split(/\r?\n/)
      .forEach((line, i) => {
        if (!line.trim() || /^[a-z_]/i.test(line.trim())) return;
        const v = line.split(',').map(Number);
        if (v.length !== size || v.some((n) => !Number.isFinite(n))) {
          out.skipped.push({ id: `${file}:${i + 1}`, reason: `expected ${size} numbers` });
          return;
        }
        out.ids.push(`${file}:${i + 1}`);
        rows.push(Float32Array.from(v));
      });
  }
  return rows;
}

async function decodeImages(
  c: Classifier,
  files: string[],
  out: PreparedInputs,
  onProgress?: (done: number, total: number) => void,
): Promise<Float32Array[]> {
  const { default: sharp } = await import('sharp');
  const [h, w, ch] = c.inputShape;
  const [lo, hi] = c.input.kind === 'image' ? c.input.range : [0, 1];
  const rows: Float32Array[] = [];
  for (const [i, file] of files.entries()) {
    try {
      let img = sharp(file, { failOn: 'error' }).rotate().resize(w, h, { fit: 'cover' }).removeAlpha();
      img = ch === 1 ? img.greyscale() : img.toColourspace('srgb');
      const buf = await img.raw().toBuffer();
      if (buf.length !== h * w * ch) throw new Error(`decoded ${buf.length} values, expected ${h * w * ch}`);
      rows.push(Float32Array.from(buf, (b) => lo + (b / 255) * (hi - lo)));
      out.ids.push(file);
    } catch (e) {
      out.skipped.push({ id: file, reason: (e as Error).message.split('\n')[0] });
    }
    onProgress?.(i + 1, files.length);
  }
  return rows;
}

/**
 * Decodes images (resized to the model's input, its channel count and value range) or reads CSV rows.
 * `onProgress(done, total)` follows the decoding of images.
 */
export async function prepareInputs(
  c: Classifier,
  paths: string[],
  onProgress?: (done: number, total: number) => void,
): Promise<PreparedInputs> {
  const size = c.inputShape.reduce((a, b) => a * b, 1);
  const out: PreparedInputs = { ids: [], x: new Float32Array(0), skipped: [] };
  const files = inputFiles(c, paths);
  const rows =
    c.input.kind === 'vector' ? readPoints(files, size, out) : await decodeImages(c, files, out, onProgress);
  out.x = new Float32Array(rows.length * size);
  rows.forEach((r, i) => out.x.set(r, i * size));
  return out;
}
