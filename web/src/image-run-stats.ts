import type { ImagesFromWorker } from './images-protocol.js';

type Snapshot = Extract<ImagesFromWorker, { type: 'snapshot' }>;
const $ = (id: string) => document.getElementById(id)!;

/**
 * The images view's numbers: step, epoch, held-out accuracy, labeled counts, accuracy against the folder names
 * (right of judged), speed and backend. '–' where the run has not said yet.
 */
export function showRunStats(
  snap: Snapshot | undefined,
  c: { labeled: number; heldOut: number; right: number; judged: number },
): void {
  $('img-step').textContent = String(snap?.step ?? 0);
  $('img-epoch').textContent = snap ? snap.epoch.toFixed(0) : '–';
  const acc = snap?.heldOutAccuracy;
  $('img-accuracy').textContent =
    acc !== undefined && Number.isFinite(acc) ? `${(acc * 100).toFixed(1)}% of ${c.heldOut}` : '–';
  $('img-labeled').textContent = `${c.labeled} (${snap?.trainLabeled ?? '–'} train, ${c.heldOut} held out)`;
  $('img-folder-accuracy').textContent = c.judged
    ? `${((c.right / c.judged) * 100).toFixed(1)}% of ${c.judged}`
    : '–';
  if (snap?.stepsPerSecond) $('img-rate').textContent = snap.stepsPerSecond.toFixed(1); // kept while paused
  $('img-backend').textContent = snap
    ? `${snap.backend}${snap.threads > 1 ? `, ${snap.threads} threads` : ''}`
    : '–';
}
