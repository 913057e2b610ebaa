import { startImagesView } from './images-view.js';
import { startToyView } from './toy-view.js';

/**
 * Loads a model written by `semigan export` (model.json + weights.bin at `base`), validated exactly as the
 * CLI validates it, and returns class probabilities for flat inputs. Loaded on demand: the page itself
 * trains in workers and needs no tensors on the main thread.
 */
async function classifyWithExport(
  base: string,
  x: number[],
): Promise<{ classNames: string[]; probs: number[] }> {
  const { modelFromArtifacts, predictExported } = await import('../../src/core.js');
  const json = await (await fetch(new URL('model.json', base))).json();
  const weights = await (await fetch(new URL(json.weightsManifest[0].paths[0], base))).arrayBuffer();
  const { model, meta } = await modelFromArtifacts(json, weights, base);
  const probs = Array.from(predictExported(model, meta.inputShape, Float32Array.from(x)));
  model.dispose();
  return { classNames: meta.classNames, probs };
}

const views = { toy: 'view-toy', images: 'view-images' } as const;
type View = keyof typeof views;
let images: ReturnType<typeof startImagesView> | undefined;

/** Shows one view; the images view (and its worker, which may start WebGL) starts on first use only. */
function show(view: View): void {
  for (const [name, id] of Object.entries(views)) {
    document.getElementById(id)!.hidden = name !== view;
    document.getElementById(`tab-${name}`)!.setAttribute('aria-selected', String(name === view));
  }
  if (view === 'images') images ??= startImagesView();
  const url = new URL(location.href);
  if (view === 'images') url.searchParams.set('view', 'images');
  else url.searchParams.delete('view');
  history.replaceState(null, '', url);
}

document.getElementById('tab-toy')!.onclick = () => show('toy');
document.getElementById('tab-images')!.onclick = () => show('images');

const toy = startToyView();
show(new URLSearchParams(location.search).get('view') === 'images' ? 'images' : 'toy');

// for tests and the bench: read the state without scraping the DOM
Object.assign(window, {
  semigan: {
    ...toy,
    classifyWithExport,
    images: () => (images ??= startImagesView()),
    show,
  },
});
