import { CLASS_COLORS } from '../../src/report/palette.js';
import { drawCurves, type ChartState, type HistoryPoint } from './curves.js';
import { decodeImages, folderOf, MAX_IMAGES, onImagesPicked, type PickedFile } from './image-files.js';
import { downloadLinks, drawSampleGrid } from './image-output.js';
import { classChip, labelsFromFolders } from './image-classes.js';
import { showRunStats } from './image-run-stats.js';
import { captionThumbs, makeThumbs } from './image-thumbs.js';
import { fillMethodSelect, IMAGE_DEFAULT_METHOD, IMAGE_METHODS } from './method-options.js';
import { hasGenerator, type MethodName } from '../../src/core.js';
import { imagesViewApi } from './images-view-api.js';
import type { ImageTrainSettings, ImagesFromWorker, ImagesToWorker } from './images-protocol.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
export type Snapshot = Extract<ImagesFromWorker, { type: 'snapshot' }>;
export type Inspection = Omit<Extract<ImagesFromWorker, { type: 'inspect' }>, 'type' | 'run'>;

/**
 * The your-images view: the user drops images, names classes, labels a few by clicking, and trains in a
 * worker. Labels live here; the worker gets only the ones the user gave (folder names never reach it).
 * Returns what the browser tests read.
 */
export function startImagesView() {
  return imagesViewApi(new ImagesView());
}

export class ImagesView {
  private readonly params = new URLSearchParams(location.search);
  private readonly worker = new Worker(new URL('./images-worker.ts', import.meta.url), { type: 'module' });
  picked: PickedFile[] = [];
  x: Float32Array = new Float32Array(0);
  size = 0;
  labels = new Int32Array(0);
  classNames = ['class 1', 'class 2'];
  private active = 0;
  snap: Snapshot | undefined;
  predictions: Float32Array | undefined;
  private built = false;
  private labelsChanged = false;
  playing = false;
  /** The current run's number; answers of earlier runs (in flight at a reset) are dropped. */
  private runId = 0;
  inspected: ((i: Inspection) => void) | undefined;
  exported: { json: object; weights: ArrayBuffer } | undefined;
  private readonly history: HistoryPoint[] = [];
  chart: ChartState = { points: 0, firstStep: 0, lastStep: 0 };
  private readonly thumbs: HTMLElement[] = [];

  constructor() {
    fillMethodSelect($<HTMLSelectElement>('img-method'), IMAGE_METHODS, IMAGE_DEFAULT_METHOD);
    this.worker.onmessage = (e: MessageEvent<ImagesFromWorker>) => this.onMessage(e.data);
    this.wireControls();
    this.renderClasses();
    this.render();
  }

  send(m: ImagesToWorker): void {
    this.worker.postMessage(m);
  }

  private status(text: string): void {
    $('img-status').textContent = text;
  }

  private folders(): string[] {
    return this.picked.map((f) => folderOf(f.path));
  }

  private async load(files: PickedFile[]): Promise<void> {
    if (!files.length) return this.status('no image files there (JPEG, PNG, WebP, GIF, BMP, AVIF)');
    const extra = files.length > MAX_IMAGES ? ` (the first ${MAX_IMAGES} of ${files.length})` : '';
    const size = (this.size = Number($<HTMLSelectElement>('img-size').value));
    const d = await decodeImages(files.slice(0, MAX_IMAGES), size, (n, t) =>
      this.status(`decoding ${n}/${t}…`),
    );
    this.picked = d.files;
    this.x = d.x;
    this.labels = new Int32Array(this.picked.length).fill(-1);
    const named = [...new Set(this.folders())].filter(Boolean);
    if (named.length >= 2 && named.length <= CLASS_COLORS.length) this.classNames = named;
    this.active = 0;
    const skipped = d.skipped.length
      ? ` Skipped ${d.skipped.length} unreadable: ${d.skipped.map((s) => s.path).join(', ')}.`
      : '';
    this.status(
      `${this.picked.length} images${extra}, ${size}×${size}.${skipped} Click images to label them.`,
    );
    if (d.skipped.length)
      console.warn(`skipped unreadable images: ${d.skipped.map((s) => s.path).join(', ')}`);
    this.restart(false);
    this.renderClasses();
    this.renderGrid();
  }

  /** Forgets the trained run; training starts over from the current labels on the next play/step. */
  private restart(keepLabels = true): void {
    if (!keepLabels) this.labels.fill(-1);
    this.runId++;
    this.built = false;
    this.labelsChanged = false;
    this.playing = false;
    this.snap = undefined;
    this.predictions = undefined;
    this.exported = undefined;
    this.history.length = 0;
    $('img-play').textContent = 'train';
    $('img-downloads').replaceChildren();
    this.send({ type: 'pause' });
    this.render();
  }

  private settings(): ImageTrainSettings {
    return {
      method: $<HTMLSelectElement>('img-method').value as ImageTrainSettings['method'],
      seed: Number(this.params.get('seed') ?? 1),
      batchSize: Number($<HTMLSelectElement>('img-batch').value),
    };
  }

  /** Sends the images and the user's labels; the worker splits off a held-out part and builds the nets. */
  private build(): boolean {
    const missing = this.classNames.filter((_, c) => !this.labels.includes(c));
    if (!this.picked.length) return (this.status('drop some images first'), false);
    if (missing.length) return (this.status(`label at least one image of: ${missing.join(', ')}`), false);
    this.send({
      type: 'train',
      run: ++this.runId,
      settings: this.settings(),
      shape: [this.size, this.size, 3],
      x: this.x.slice(),
      labels: this.labels.slice(),
      ids: this.picked.map((f) => f.path),
      classNames: this.classNames.slice(),
      backend: this.params.get('backend') ?? undefined,
    });
    this.built = true;
    this.labelsChanged = false;
    this.history.length = 0;
    return true;
  }

  /** A run that has not started, or whose classes changed, is built from the current labels first. */
  private ready(): boolean {
    return (this.built && !this.labelsChanged) || this.build();
  }

  private togglePlay(): void {
    if (!this.playing && !this.ready()) return;
    this.playing = !this.playing;
    $('img-play').textContent = this.playing ? 'pause' : 'train';
    this.send({ type: this.playing ? 'play' : 'pause' });
  }

  private renderClasses(): void {
    $('img-classes').replaceChildren(...this.classNames.map((name, c) => this.classChip(name, c)));
    const perFolder = new Set(this.folders().filter(Boolean));
    $('img-from-folders').hidden = !this.classNames.every((c) => perFolder.has(c));
  }

  private classChip(name: string, c: number): HTMLElement {
    const count = this.labels.filter((l) => l === c).length;
    return classChip(
      name,
      c,
      { active: c === this.active, count },
      {
        rename: (n) => {
          this.classNames[c] = n;
          this.labelsChanged = this.built;
        },
        select: () => {
          this.active = c;
          this.renderClasses();
        },
        remove: () => this.removeClass(c),
      },
    );
  }

  private removeClass(c: number): void {
    if (this.classNames.length <= 2) return this.status('a classifier needs at least two classes');
    this.classNames.splice(c, 1);
    this.labels = this.labels.map((l) => (l === c ? -1 : l > c ? l - 1 : l));
    this.active = Math.min(this.active, this.classNames.length - 1);
    this.labelsChanged = this.built;
    this.renderClasses();
    this.render();
  }

  /** A click labels, relabels or unlabels one image; a running run takes the new labels as it goes. */
  private setLabel(i: number, c: number): void {
    this.labels[i] = this.labels[i] === c ? -1 : c;
    if (this.built && !this.labelsChanged) this.send({ type: 'labels', labels: this.labels.slice() });
    else if (this.built) this.status('the classes changed: press train to start over with them');
  }

  /** Labels n random images per class from the folder names: a shortcut for trying labeled folders. */
  private labelFromFolders(n: number): void {
    this.labels = labelsFromFolders(this.folders(), this.classNames, n);
    this.labelsChanged = this.built;
    this.renderClasses();
    this.render();
  }

  private renderGrid(): void {
    const thumbs = makeThumbs(this.picked, (i) => {
      this.setLabel(i, this.active);
      this.renderClasses();
      this.render();
    });
    this.thumbs.splice(0, this.thumbs.length, ...thumbs);
    $('img-grid').replaceChildren(...thumbs);
    this.render();
  }

  /** Labels, held-out marks and predictions on the thumbnails; stats, curves and samples. */
  private render(): void {
    const held = new Set(this.snap?.heldOut ?? []);
    const { labels, classNames, predictions } = this;
    const { right, judged } = captionThumbs(this.thumbs, {
      labels,
      classNames,
      predictions,
      folders: this.folders(),
      heldOut: held,
    });
    const labeled = labels.filter((l) => l >= 0).length;
    showRunStats(this.snap, { labeled, heldOut: held.size, right, judged });
    // a method without a generator (the photos' default, FixMatch) has one loss and no generated images
    const generator = hasGenerator($<HTMLSelectElement>('img-method').value as MethodName);
    this.chart = drawCurves($<HTMLCanvasElement>('img-curves'), this.history, 'held-out accuracy', generator);
    drawSampleGrid($<HTMLCanvasElement>('img-samples'), this.snap?.samples, this.size);
    $('img-samples').parentElement!.hidden = !generator;
  }

  private onMessage(m: ImagesFromWorker): void {
    if (m.type !== 'error' && m.run !== this.runId) return;
    if (m.type === 'inspect') return this.inspected?.(m);
    if (m.type === 'error') {
      this.playing = false;
      $('img-play').textContent = 'train';
      return this.status(m.message);
    }
    if (m.type === 'export') {
      this.exported = { json: m.json, weights: m.weights };
      $('img-downloads').replaceChildren(...downloadLinks(m.json, m.weights));
      return;
    }
    this.snap = m;
    if (m.predictions) this.predictions = m.predictions;
    this.history.push({ step: m.step, d: m.dLoss, g: m.gLoss, acc: m.heldOutAccuracy });
    if (this.history.length > 600) this.history.splice(0, this.history.length - 600);
    requestAnimationFrame(() => this.render());
  }

  private wireControls(): void {
    const files = [$<HTMLInputElement>('img-files'), $<HTMLInputElement>('img-folder')];
    onImagesPicked($('img-drop'), files, (picked) => this.load(picked));
    $<HTMLSelectElement>('img-size').onchange = () => this.picked.length && this.load(this.picked);
    $('img-method').onchange = () => {
      this.labelsChanged = this.built;
      this.render();
    };
    $('img-add-class').onclick = () => {
      if (this.classNames.length >= CLASS_COLORS.length)
        return this.status(`at most ${CLASS_COLORS.length} classes`);
      this.classNames.push(`class ${this.classNames.length + 1}`);
      this.active = this.classNames.length - 1;
      this.renderClasses();
    };
    $('img-label-folders').onclick = () =>
      this.labelFromFolders(Number($<HTMLInputElement>('img-per-folder').value) || 10);
    $('img-play').onclick = () => this.togglePlay();
    $('img-step-btn').onclick = () => this.ready() && this.send({ type: 'step', steps: 5 });
    $('img-reset').onclick = () => this.restart();
    $('img-export').onclick = () =>
      this.built ? this.send({ type: 'export' }) : this.status('train a model first');
    document.addEventListener('keydown', (e) => {
      const c = Number(e.key) - 1;
      if (
        $('view-images').hidden ||
        !(c >= 0 && c < this.classNames.length) ||
        e.target instanceof HTMLInputElement
      )
        return;
      this.active = c;
      this.renderClasses();
    });
  }
}
