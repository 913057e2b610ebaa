import { CLASS_COLORS, cssColor } from '../../src/report/palette.js';
import { drawCurves, type ChartState, type HistoryPoint } from './curves.js';
import { decodeImages, folderOf, MAX_IMAGES, onImagesPicked, type PickedFile } from './image-files.js';
import { downloadLinks, drawSampleGrid } from './image-output.js';
import { fillMethodSelect, IMAGE_DEFAULT_METHOD, IMAGE_METHODS } from './method-options.js';
import type { ImageTrainSettings, ImagesFromWorker, ImagesToWorker } from './images-protocol.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
type Snapshot = Extract<ImagesFromWorker, { type: 'snapshot' }>;
type Inspection = Omit<Extract<ImagesFromWorker, { type: 'inspect' }>, 'type' | 'run'>;

/**
 * The your-images view: the user drops images, names classes, labels a few by clicking, and trains in a
 * worker. Labels live here; the worker gets only the ones the user gave (folder names never reach it).
 */
export function startImagesView() {
  const params = new URLSearchParams(location.search);
  fillMethodSelect(
    document.getElementById('img-method') as HTMLSelectElement,
    IMAGE_METHODS,
    IMAGE_DEFAULT_METHOD,
  );
  const worker = new Worker(new URL('./images-worker.ts', import.meta.url), { type: 'module' });
  const send = (m: ImagesToWorker) => worker.postMessage(m);
  let picked: PickedFile[] = [];
  let x: Float32Array = new Float32Array(0);
  let size = 0;
  let labels = new Int32Array(0);
  let classNames = ['class 1', 'class 2'];
  let active = 0;
  let snap: Snapshot | undefined;
  let predictions: Float32Array | undefined;
  let built = false;
  let labelsChanged = false;
  let playing = false;
  /** The current run's number; answers of earlier runs (in flight at a reset) are dropped. */
  let runId = 0;
  let inspected: ((i: Inspection) => void) | undefined;
  let exported: { json: object; weights: ArrayBuffer } | undefined;
  const history: HistoryPoint[] = [];
  let chart: ChartState = { points: 0, firstStep: 0, lastStep: 0 };
  const thumbs: HTMLElement[] = [];

  const status = (text: string): void => void ($('img-status').textContent = text);
  const folders = () => picked.map((f) => folderOf(f.path));

  async function load(files: PickedFile[]): Promise<void> {
    if (!files.length) return status('no image files there (JPEG, PNG, WebP, GIF, BMP, AVIF)');
    const extra = files.length > MAX_IMAGES ? ` (the first ${MAX_IMAGES} of ${files.length})` : '';
    size = Number($<HTMLSelectElement>('img-size').value);
    const d = await decodeImages(files.slice(0, MAX_IMAGES), size, (n, t) => status(`decoding ${n}/${t}…`));
    picked = d.files;
    x = d.x;
    labels = new Int32Array(picked.length).fill(-1);
    const named = [...new Set(folders())].filter(Boolean);
    if (named.length >= 2 && named.length <= CLASS_COLORS.length) classNames = named;
    active = 0;
    const skipped = d.skipped.length
      ? ` Skipped ${d.skipped.length} unreadable: ${d.skipped.map((s) => s.path).join(', ')}.`
      : '';
    status(`${picked.length} images${extra}, ${size}×${size}.${skipped} Click images to label them.`);
    if (d.skipped.length)
      console.warn(`skipped unreadable images: ${d.skipped.map((s) => s.path).join(', ')}`);
    restart(false);
    renderClasses();
    renderGrid();
  }

  /** Forgets the trained run; training starts over from the current labels on the next play/step. */
  function restart(keepLabels = true): void {
    if (!keepLabels) labels.fill(-1);
    runId++;
    built = false;
    labelsChanged = false;
    playing = false;
    snap = undefined;
    predictions = undefined;
    exported = undefined;
    history.length = 0;
    $('img-play').textContent = 'train';
    $('img-downloads').replaceChildren();
    send({ type: 'pause' });
    render();
  }

  function settings(): ImageTrainSettings {
    return {
      method: $<HTMLSelectElement>('img-method').value as ImageTrainSettings['method'],
      seed: Number(params.get('seed') ?? 1),
      batchSize: Number($<HTMLSelectElement>('img-batch').value),
    };
  }

  /** Sends the images and the user's labels; the worker splits off a held-out part and builds the nets. */
  function build(): boolean {
    const missing = classNames.filter((_, c) => !labels.includes(c));
    if (!picked.length) return (status('drop some images first'), false);
    if (missing.length) return (status(`label at least one image of: ${missing.join(', ')}`), false);
    send({
      type: 'train',
      run: ++runId,
      settings: settings(),
      shape: [size, size, 3],
      x: x.slice(),
      labels: labels.slice(),
      ids: picked.map((f) => f.path),
      classNames: classNames.slice(),
      backend: params.get('backend') ?? undefined,
    });
    built = true;
    labelsChanged = false;
    history.length = 0;
    return true;
  }

  function togglePlay(): void {
    if (!playing && (!built || labelsChanged) && !build()) return;
    playing = !playing;
    $('img-play').textContent = playing ? 'pause' : 'train';
    send({ type: playing ? 'play' : 'pause' });
  }

  function renderClasses(): void {
    const box = $('img-classes');
    box.replaceChildren(
      ...classNames.map((name, c) => {
        const chip = document.createElement('span');
        chip.className = `chip${c === active ? ' active' : ''}`;
        chip.style.borderColor = cssColor(c);
        const count = labels.filter((l) => l === c).length;
        chip.innerHTML = `<b style="color:${cssColor(c)}">${c + 1}</b> <input aria-label="class ${c + 1} name"> <small>${count}</small> <button title="remove class">×</button>`;
        const input = chip.querySelector('input')!;
        input.value = name;
        input.onchange = () => ((classNames[c] = input.value.trim() || name), (labelsChanged = built));
        chip.onclick = (e) => e.target !== input && ((active = c), renderClasses());
        chip.querySelector('button')!.onclick = (e) => (e.stopPropagation(), removeClass(c));
        return chip;
      }),
    );
    const perFolder = new Set(folders().filter(Boolean));
    $('img-from-folders').hidden = !classNames.every((c) => perFolder.has(c));
  }

  function removeClass(c: number): void {
    if (classNames.length <= 2) return status('a classifier needs at least two classes');
    classNames.splice(c, 1);
    labels = labels.map((l) => (l === c ? -1 : l > c ? l - 1 : l));
    active = Math.min(active, classNames.length - 1);
    labelsChanged = built;
    renderClasses();
    render();
  }

  /** A click labels, relabels or unlabels one image; a running run takes the new labels as it goes. */
  function setLabel(i: number, c: number): void {
    labels[i] = labels[i] === c ? -1 : c;
    if (built && !labelsChanged) send({ type: 'labels', labels: labels.slice() });
    else if (built) status('the classes changed: press train to start over with them');
  }

  /** Labels n random images per class from the folder names: a shortcut for trying labeled folders. */
  function labelFromFolders(n: number): void {
    labels.fill(-1);
    const f = folders();
    classNames.forEach((name, c) => {
      const members = f.flatMap((v, i) => (v === name ? [i] : []));
      for (let j = members.length - 1; j > 0; j--) {
        const k = Math.floor(Math.random() * (j + 1));
        [members[j], members[k]] = [members[k], members[j]];
      }
      for (const i of members.slice(0, n)) labels[i] = c;
    });
    labelsChanged = built;
    renderClasses();
    render();
  }

  function renderGrid(): void {
    thumbs.length = 0;
    $('img-grid').replaceChildren(
      ...picked.map((f, i) => {
        const el = document.createElement('figure');
        el.className = 'thumb';
        el.dataset.index = String(i);
        el.title = f.path;
        const img = document.createElement('img');
        img.loading = 'lazy';
        img.src = URL.createObjectURL(f.file);
        el.append(img, document.createElement('figcaption'));
        el.onclick = () => (setLabel(i, active), renderClasses(), render());
        thumbs.push(el);
        return el;
      }),
    );
    render();
  }

  /** Labels, held-out marks and predictions on the thumbnails; stats, curves and samples. */
  function render(): void {
    const held = new Set(snap?.heldOut ?? []);
    const k = classNames.length;
    const f = folders();
    let right = 0;
    let judged = 0;
    thumbs.forEach((el, i) => {
      const cap = el.querySelector('figcaption')!;
      const l = labels[i];
      el.style.outline = l >= 0 ? `4px solid ${cssColor(l)}` : '';
      el.classList.toggle('held', held.has(i));
      if (l >= 0) cap.textContent = `${held.has(i) ? 'held out: ' : ''}${classNames[l]}`;
      else if (predictions && predictions.length === labels.length * k) {
        let best = 0;
        for (let c = 1; c < k; c++) if (predictions[i * k + c] > predictions[i * k + best]) best = c;
        cap.textContent = `${classNames[best]} ${(predictions[i * k + best] * 100).toFixed(0)}%`;
        cap.style.color = cssColor(best);
        if (classNames.includes(f[i]))
          [right, judged] = [right + Number(classNames[best] === f[i]), judged + 1];
      } else cap.textContent = '';
    });
    const labeled = labels.filter((l) => l >= 0).length;
    $('img-step').textContent = String(snap?.step ?? 0);
    $('img-epoch').textContent = snap ? snap.epoch.toFixed(0) : '–';
    const acc = snap?.heldOutAccuracy;
    $('img-accuracy').textContent =
      acc !== undefined && Number.isFinite(acc) ? `${(acc * 100).toFixed(1)}% of ${held.size}` : '–';
    $('img-labeled').textContent = `${labeled} (${snap?.trainLabeled ?? '–'} train, ${held.size} held out)`;
    $('img-folder-accuracy').textContent = judged
      ? `${((right / judged) * 100).toFixed(1)}% of ${judged}`
      : '–';
    if (snap?.stepsPerSecond) $('img-rate').textContent = snap.stepsPerSecond.toFixed(1); // kept while paused
    $('img-backend').textContent = snap
      ? `${snap.backend}${snap.threads > 1 ? `, ${snap.threads} threads` : ''}`
      : '–';
    chart = drawCurves($<HTMLCanvasElement>('img-curves'), history, 'held-out accuracy');
    drawSampleGrid($<HTMLCanvasElement>('img-samples'), snap?.samples, size);
  }

  worker.onmessage = (e: MessageEvent<ImagesFromWorker>) => {
    const m = e.data;
    if (m.type !== 'error' && m.run !== runId) return;
    if (m.type === 'inspect') return inspected?.(m);
    if (m.type === 'error') {
      playing = false;
      $('img-play').textContent = 'train';
      status(m.message);
      return;
    }
    if (m.type === 'export') {
      exported = { json: m.json, weights: m.weights };
      $('img-downloads').replaceChildren(...downloadLinks(m.json, m.weights));
      return;
    }
    snap = m;
    if (m.predictions) predictions = m.predictions;
    history.push({ step: m.step, d: m.dLoss, g: m.gLoss, acc: m.heldOutAccuracy });
    if (history.length > 600) history.splice(0, history.length - 600);
    requestAnimationFrame(render);
  };

  onImagesPicked($('img-drop'), [$<HTMLInputElement>('img-files'), $<HTMLInputElement>('img-folder')], load);
  $<HTMLSelectElement>('img-size').onchange = () => picked.length && load(picked);
  $('img-method').onchange = () => (labelsChanged = built);
  $('img-add-class').onclick = () => {
    if (classNames.length >= CLASS_COLORS.length) return status(`at most ${CLASS_COLORS.length} classes`);
    classNames.push(`class ${classNames.length + 1}`);
    active = classNames.length - 1;
    renderClasses();
  };
  $('img-label-folders').onclick = () =>
    labelFromFolders(Number($<HTMLInputElement>('img-per-folder').value) || 10);
  $('img-play').onclick = togglePlay;
  $('img-step-btn').onclick = () =>
    ((!built || labelsChanged) && !build()) || send({ type: 'step', steps: 5 });
  $('img-reset').onclick = () => restart();
  $('img-export').onclick = () => (built ? send({ type: 'export' }) : status('train a model first'));
  document.addEventListener('keydown', (e) => {
    const c = Number(e.key) - 1;
    if ($('view-images').hidden || !(c >= 0 && c < classNames.length) || e.target instanceof HTMLInputElement)
      return;
    active = c;
    renderClasses();
  });
  renderClasses();
  render();

  return {
    state: () => ({
      images: picked.length,
      labeled: labels.filter((l) => l >= 0).length,
      classNames: classNames.slice(),
      step: snap?.step ?? 0,
      heldOutAccuracy: snap?.heldOutAccuracy ?? NaN,
      heldOut: snap?.heldOut.length ?? 0,
      trainLabeled: snap?.trainLabeled ?? 0,
      chart,
      shownStep: $('img-step').textContent,
      folderAccuracy: $('img-folder-accuracy').textContent,
      backend: snap?.backend ?? '',
      threads: snap?.threads ?? 0,
      stepsPerSecond: snap?.stepsPerSecond ?? 0,
      playing,
      exported: !!exported,
      samples: snap?.samples.length ?? 0,
    }),
    /** Decoded rows and current predictions of some images (tests compare them with the CLI). */
    rows: (idx: number[]) =>
      idx.map((i) => Array.from(x.subarray(i * size * size * 3, (i + 1) * size * size * 3))),
    predictions: () => (predictions ? Array.from(predictions) : []),
    paths: () => picked.map((f) => f.path),
    /** Image paths the trainer holds as labeled and as unlabeled data, and those held out from it. */
    trainingData: () =>
      new Promise<Inspection>((ok) => {
        inspected = ok;
        send({ type: 'inspect' });
      }),
  };
}
