import { createCanvas } from '@napi-rs/canvas';
import { drawBoundary, PLOT_LAYOUT, type BoundaryPicture, type Ctx2D } from './boundary-plot.js';

/** Renders a boundary picture to PNG bytes (Node only; the playground draws on its own canvas). */
export function boundaryPng(p: BoundaryPicture): Buffer {
  const canvas = createCanvas(PLOT_LAYOUT.width, PLOT_LAYOUT.height);
  drawBoundary(canvas.getContext('2d') as unknown as Ctx2D, p);
  return canvas.toBuffer('image/png');
}
