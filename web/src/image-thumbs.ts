import { cssColor } from '../../src/report/palette.js';
import type { PickedFile } from './image-files.js';

/** One clickable thumbnail per picked image, in pick order; `onPick(i)` hears a click on image i. */
export function makeThumbs(picked: PickedFile[], onPick: (i: number) => void): HTMLElement[] {
  return picked.map((f, i) => {
    const el = document.createElement('figure');
    el.className = 'thumb';
    el.dataset.index = String(i);
    el.title = f.path;
    const img = document.createElement('img');
    img.loading = 'lazy';
    img.src = URL.createObjectURL(f.file);
    el.append(img, document.createElement('figcaption'));
    el.onclick = () => onPick(i);
    return el;
  });
}

/** What the thumbnails show: the user's labels, the held-out rows, the latest predictions. */
export interface ThumbState {
  labels: Int32Array;
  classNames: string[];
  /** Row-major class probabilities of every image, when a run has predicted. */
  predictions: Float32Array | undefined;
  /** Each image's folder name (may name a class: then predictions are judged against it). */
  folders: string[];
  heldOut: Set<number>;
}

/**
 * Each thumbnail's caption: its label (held out or not), else the prediction. Predictions on images whose
 * folder names a class are counted against it: right of judged.
 */
export function captionThumbs(thumbs: HTMLElement[], s: ThumbState): { right: number; judged: number } {
  const { labels, classNames, predictions, folders, heldOut } = s;
  const k = classNames.length;
  let right = 0;
  let judged = 0;
  thumbs.forEach((el, i) => {
    const cap = el.querySelector('figcaption')!;
    const l = labels[i];
    el.style.outline = l >= 0 ? `4px solid ${cssColor(l)}` : '';
    el.classList.toggle('held', heldOut.has(i));
    if (l >= 0) cap.textContent = `${heldOut.has(i) ? 'held out: ' : ''}${classNames[l]}`;
    else if (predictions && predictions.length === labels.length * k) {
      let best = 0;
      for (let c = 1; c < k; c++) if (predictions[i * k + c] > predictions[i * k + best]) best = c;
      cap.textContent = `${classNames[best]} ${(predictions[i * k + best] * 100).toFixed(0)}%`;
      cap.style.color = cssColor(best);
      if (classNames.includes(folders[i]))
        [right, judged] = [right + Number(classNames[best] === folders[i]), judged + 1];
    } else cap.textContent = '';
  });
  return { right, judged };
}
