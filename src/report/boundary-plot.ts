import { colorOf, cssColor } from './palette.js';
/**
 * Draws a 2-D decision-boundary picture onto any canvas 2D context (node-canvas in the CLI, the page's
 * canvas in the playground): class-coloured heat map shaded by confidence, the boundary line, unlabeled
 * points, generated points, labeled points, a title and a legend.
 */
export interface Ctx2D {
  fillStyle: string | unknown;
  strokeStyle: string | unknown;
  lineWidth: number;
  font: string;
  textAlign: string;
  textBaseline: string;
  fillRect(x: number, y: number, w: number, h: number): void;
  strokeRect(x: number, y: number, w: number, h: number): void;
  beginPath(): void;
  arc(x: number, y: number, r: number, a0: number, a1: number): void;
  moveTo(x: number, y: number): void;
  lineTo(x: number, y: number): void;
  fill(): void;
  stroke(): void;
  fillText(s: string, x: number, y: number): void;
}

export interface Bounds {
  xMin: number;
  xMax: number;
  yMin: number;
  yMax: number;
}

export interface BoundaryPicture {
  title: string;
  subtitle?: string;
  bounds: Bounds;
  /** Grid resolution per side; probs holds res*res rows of K class probabilities, row-major from top-left. */
  res: number;
  probs: Float32Array;
  numClasses: number;
  classNames: string[];
  /** The colours name regions (e.g. D's real/fake map) rather than labeled points' classes. */
  regionLegend?: boolean;
  unlabeled: Float32Array;
  labeled: { x: Float32Array; y: Int32Array };
  generated?: Float32Array;
}

export const PLOT_LAYOUT = { width: 560, height: 640, plot: 520, left: 20, top: 56 };

/** Grid points (res*res rows of x, y), row-major from the top-left corner, matching BoundaryPicture.probs. */
export function gridPoints(b: Bounds, res: number): Float32Array {
  const pts = new Float32Array(res * res * 2);
  for (let r = 0; r < res; r++) {
    for (let c = 0; c < res; c++) {
      const i = r * res + c;
      pts[2 * i] = b.xMin + ((c + 0.5) / res) * (b.xMax - b.xMin);
      pts[2 * i + 1] = b.yMax - ((r + 0.5) / res) * (b.yMax - b.yMin);
    }
  }
  return pts;
}

/** Bounds covering the points with a margin, square so circles look round. */
export function boundsOf(...sets: Float32Array[]): Bounds {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of sets)
    for (const v of s) if (Number.isFinite(v)) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  if (!Number.isFinite(lo)) [lo, hi] = [-1, 1];
  const pad = (hi - lo) * 0.08 + 1e-3;
  return { xMin: lo - pad, xMax: hi + pad, yMin: lo - pad, yMax: hi + pad };
}

const rgb = ([r, g, b]: [number, number, number]) => `rgb(${r | 0},${g | 0},${b | 0})`;

export function drawBoundary(ctx: Ctx2D, p: BoundaryPicture): void {
  const { width, height, plot, left, top } = PLOT_LAYOUT;
  const { bounds: b, res, probs, numClasses: k } = p;
  ctx.fillStyle = 'white';
  ctx.fillRect(0, 0, width, height);
  const cell = plot / res;
  const argmax = new Int32Array(res * res);
  for (let i = 0; i < res * res; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (probs[i * k + c] > probs[i * k + best]) best = c;
    argmax[i] = best;
    // shade from white (uncertain) to the class colour (confident)
    const conf = Math.max(0, (probs[i * k + best] - 1 / k) / (1 - 1 / k));
    const base = colorOf(best);
    const t = 0.15 + 0.45 * conf;
    ctx.fillStyle = rgb([255 + (base[0] - 255) * t, 255 + (base[1] - 255) * t, 255 + (base[2] - 255) * t]);
    const r = Math.floor(i / res);
    ctx.fillRect(left + (i % res) * cell, top + r * cell, cell + 0.6, cell + 0.6);
  }
  // the decision boundary: edges between grid cells of different predicted class
  ctx.strokeStyle = 'rgb(20,20,20)';
  ctx.lineWidth = 2;
  ctx.beginPath();
  // the legend names the boundary only where one is drawn (a picture of the data alone has none)
  const hasBoundary = argmax.some((a) => a !== argmax[0]);
  for (let r = 0; r < res; r++) {
    for (let c = 0; c < res; c++) {
      const i = r * res + c;
      if (c + 1 < res && argmax[i] !== argmax[i + 1]) {
        ctx.moveTo(left + (c + 1) * cell, top + r * cell);
        ctx.lineTo(left + (c + 1) * cell, top + (r + 1) * cell);
      }
      if (r + 1 < res && argmax[i] !== argmax[i + res]) {
        ctx.moveTo(left + c * cell, top + (r + 1) * cell);
        ctx.lineTo(left + (c + 1) * cell, top + (r + 1) * cell);
      }
    }
  }
  ctx.stroke();

  const px = (x: number) => left + ((x - b.xMin) / (b.xMax - b.xMin)) * plot;
  const py = (y: number) => top + ((b.yMax - y) / (b.yMax - b.yMin)) * plot;
  const inside = (x: number, y: number) => x >= b.xMin && x <= b.xMax && y >= b.yMin && y <= b.yMax;
  ctx.fillStyle = 'rgba(60,60,60,0.55)';
  for (let i = 0; i < p.unlabeled.length; i += 2) {
    if (inside(p.unlabeled[i], p.unlabeled[i + 1]))
      ctx.fillRect(px(p.unlabeled[i]) - 1.5, py(p.unlabeled[i + 1]) - 1.5, 3, 3);
  }
  if (p.generated) {
    ctx.strokeStyle = 'rgb(200,0,120)';
    ctx.lineWidth = 1.3;
    ctx.beginPath();
    for (let i = 0; i < p.generated.length; i += 2) {
      const [x, y] = [p.generated[i], p.generated[i + 1]];
      if (!inside(x, y)) continue;
      crossAt(ctx, px(x), py(y), 3);
    }
    ctx.stroke();
  }
  for (let i = 0; i < p.labeled.y.length; i++) {
    ctx.fillStyle = cssColor(p.labeled.y[i]);
    ctx.strokeStyle = 'black';
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.arc(px(p.labeled.x[2 * i]), py(p.labeled.x[2 * i + 1]), 7, 0, 2 * Math.PI);
    ctx.fill();
    ctx.stroke();
  }
  ctx.strokeStyle = 'black';
  ctx.lineWidth = 1;
  ctx.strokeRect(left, top, plot, plot);

  ctx.fillStyle = 'black';
  ctx.textAlign = 'left';
  ctx.textBaseline = 'alphabetic';
  ctx.font = 'bold 18px sans-serif';
  ctx.fillText(p.title, left, 26);
  if (p.subtitle) {
    ctx.font = '13px sans-serif';
    ctx.fillText(p.subtitle, left, 46);
  }
  drawLegend(ctx, p, top + plot + 26, hasBoundary);
}

function crossAt(ctx: Ctx2D, x: number, y: number, s: number): void {
  ctx.moveTo(x - s, y - s);
  ctx.lineTo(x + s, y + s);
  ctx.moveTo(x - s, y + s);
  ctx.lineTo(x + s, y - s);
}

function drawLegend(ctx: Ctx2D, p: BoundaryPicture, y: number, hasBoundary: boolean): void {
  let x = PLOT_LAYOUT.left;
  ctx.font = '13px sans-serif';
  ctx.textBaseline = 'middle';
  const label = (s: string) => {
    ctx.fillStyle = 'black';
    ctx.fillText(s, x, y);
    x += s.length * 7 + 16;
  };
  p.classNames.forEach((name, c) => {
    ctx.fillStyle = cssColor(c);
    ctx.strokeStyle = 'black';
    ctx.lineWidth = 2;
    if (p.regionLegend) {
      ctx.fillRect(x, y - 6, 12, 12);
      ctx.strokeRect(x, y - 6, 12, 12);
    } else {
      ctx.beginPath();
      ctx.arc(x + 6, y, 6, 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
    }
    x += 16;
    label(p.regionLegend ? name : `labeled ${name}`);
  });
  if (p.unlabeled.length) {
    ctx.fillStyle = 'rgba(60,60,60,0.8)';
    ctx.fillRect(x, y - 2, 4, 4);
    x += 10;
    label('unlabeled');
  }
  if (p.generated) {
    ctx.strokeStyle = 'rgb(200,0,120)';
    ctx.lineWidth = 1.3;
    ctx.beginPath();
    crossAt(ctx, x + 4, y, 4);
    ctx.stroke();
    x += 14;
    label('generated');
  }
  if (!hasBoundary) return;
  ctx.strokeStyle = 'black';
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.moveTo(x, y);
  ctx.lineTo(x + 16, y);
  ctx.stroke();
  x += 22;
  label('boundary');
}
