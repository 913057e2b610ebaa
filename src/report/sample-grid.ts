import { PNG } from 'pngjs';

/**
 * Tiles generated images (values in [0,1] or [-1,1], HWC with 1 or 3 channels) into one PNG grid.
 * Plain pngjs: no canvas needed for pixels.
 */
export function sampleGridPng(
  x: Float32Array,
  shape: number[],
  cols = 10,
  range: [number, number] = [0, 1],
): Buffer {
  const [h, w, c] = [shape[0], shape[1], shape[2] ?? 1];
  const n = x.length / (h * w * c);
  const rows = Math.ceil(n / cols);
  const pad = 2;
  const png = new PNG({ width: cols * (w + pad) + pad, height: rows * (h + pad) + pad });
  png.data.fill(255);
  const [lo, hi] = range;
  const toByte = (v: number) => Math.max(0, Math.min(255, Math.round(((v - lo) / (hi - lo)) * 255)));
  for (let i = 0; i < n; i++) {
    const ox = pad + (i % cols) * (w + pad);
    const oy = pad + Math.floor(i / cols) * (h + pad);
    for (let y = 0; y < h; y++) {
      for (let xx = 0; xx < w; xx++) {
        const src = ((i * h + y) * w + xx) * c;
        const dst = ((oy + y) * png.width + ox + xx) * 4;
        const [r, g, b] = c === 1 ? [x[src], x[src], x[src]] : [x[src], x[src + 1], x[src + 2]];
        png.data[dst] = toByte(r);
        png.data[dst + 1] = toByte(g);
        png.data[dst + 2] = toByte(b);
        png.data[dst + 3] = 255;
      }
    }
  }
  return PNG.sync.write(png);
}
