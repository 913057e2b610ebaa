import type { ImagesView, Inspection } from './images-view.js';

const $ = (id: string) => document.getElementById(id)!;

/**
 * What the browser tests read of the your-images view: state, decoded rows, predictions, and what the worker
 * trains on.
 */
export function imagesViewApi(view: ImagesView) {
  const snap = () => view.snap;
  return {
    state: () => ({
      images: view.picked.length,
      labeled: view.labels.filter((l) => l >= 0).length,
      classNames: view.classNames.slice(),
      step: snap()?.step ?? 0,
      heldOutAccuracy: snap()?.heldOutAccuracy ?? NaN,
      heldOut: snap()?.heldOut.length ?? 0,
      trainLabeled: snap()?.trainLabeled ?? 0,
      chart: view.chart,
      shownStep: $('img-step').textContent,
      folderAccuracy: $('img-folder-accuracy').textContent,
      backend: snap()?.backend ?? '',
      threads: snap()?.threads ?? 0,
      stepsPerSecond: snap()?.stepsPerSecond ?? 0,
      playing: view.playing,
      exported: !!view.exported,
      samples: snap()?.samples.length ?? 0,
    }),
    /** Decoded rows and current predictions of some images (tests compare them with the CLI). */
    rows: (idx: number[]) => {
      const n = view.size * view.size * 3;
      return idx.map((i) => Array.from(view.x.subarray(i * n, (i + 1) * n)));
    },
    predictions: () => (view.predictions ? Array.from(view.predictions) : []),
    paths: () => view.picked.map((f) => f.path),
    /** Image paths the trainer holds as labeled and as unlabeled data, and those held out from it. */
    trainingData: () =>
      new Promise<Inspection>((ok) => {
        view.inspected = ok;
        view.send({ type: 'inspect' });
      }),
  };
}
