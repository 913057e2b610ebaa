/** What the your-images view shows of a run: generated samples as a grid, and the exported model as links. */

/** Draws generated images (rows of size×size×3 in [-1,1]) as an 8-column grid filling the canvas width. */
export function drawSampleGrid(canvas: HTMLCanvasElement, samples: Float32Array | undefined, size: number) {
  const ctx = canvas.getContext('2d')!;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  if (!samples?.length) return;
  const n = samples.length / (size * size * 3);
  const cols = 8;
  const cell = canvas.width / cols;
  const img = new ImageData(size, size);
  const tmp = new OffscreenCanvas(size, size);
  for (let j = 0; j < n; j++) {
    for (let p = 0; p < size * size; p++) {
      for (let c = 0; c < 3; c++) img.data[p * 4 + c] = (samples[(j * size * size + p) * 3 + c] + 1) * 127.5;
      img.data[p * 4 + 3] = 255;
    }
    tmp.getContext('2d')!.putImageData(img, 0, 0);
    ctx.drawImage(tmp, (j % cols) * cell, Math.floor(j / cols) * cell, cell - 1, cell - 1);
  }
}

/**
 * Download links for an exported classifier: the two files `semigan predict --model DIR` and the library's
 * loadClassifier read, to be saved side by side.
 */
export function downloadLinks(json: object, weights: ArrayBuffer): (Node | string)[] {
  const link = (name: string, blob: Blob) => {
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = name;
    a.id = `img-download-${name.replace('.', '-')}`;
    a.textContent = name;
    return a;
  };
  return [
    'Save both into one folder: ',
    link('model.json', new Blob([JSON.stringify(json)], { type: 'application/json' })),
    ' ',
    link('weights.bin', new Blob([weights], { type: 'application/octet-stream' })),
    ' — then: semigan predict --model FOLDER your-images/',
  ];
}
