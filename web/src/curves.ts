/** One point of a run's history: the losses and an accuracy in [0, 1] (NaN when not measured). */
export interface HistoryPoint {
  step: number;
  d: number;
  g: number;
  acc: number;
}

/** What the chart shows, for tests: how many points and the step range of its x axis. */
export interface ChartState {
  points: number;
  firstStep: number;
  lastStep: number;
}

const PAD = { left: 42, right: 40, top: 22, bottom: 26 };
const COLORS = { d: '#1f77b4', g: '#ff7f0e', acc: '#2ca02c', axis: '#666', grid: '#eee' };

/** Round values in [min, max], about `count` of them, spaced 1, 2 or 5 × a power of ten (at least `minStep`). */
export function ticks(min: number, max: number, count = 4, minStep = 0): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = Math.max(minStep, [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? raw);
  const start = Math.ceil(min / step - 1e-9);
  const end = Math.floor(max / step + 1e-9);
  return Array.from({ length: Math.max(0, end - start + 1) }, (_, i) => (start + i) * step);
}

/** A tick's text, short enough for the margin: 1.5k for thousands, 2e-4 for tiny losses. */
export const label = (v: number) =>
  v >= 1000
    ? `${Number((v / 1000).toPrecision(3))}k`
    : v > 0 && v < 1e-3
      ? v.toExponential(0)
      : String(Number(v.toPrecision(3)));

/**
 * D and G losses (left axis) and an accuracy (right axis, 0–100%) against steps (bottom axis); used by
 * both views. Fewer than two points draw the axes only, labeled with the one step there is. A method without a
 * generator has one loss, drawn as "loss", and no G curve.
 */
export function drawCurves(
  canvas: HTMLCanvasElement,
  history: HistoryPoint[],
  accLabel: string,
  generator = true,
): ChartState {
  const ctx = canvas.getContext('2d')!;
  const { width: W, height: H } = canvas;
  const [x0, x1, y0, y1] = [PAD.left, W - PAD.right, H - PAD.bottom, PAD.top];
  ctx.clearRect(0, 0, W, H);
  ctx.font = '11px system-ui';
  const first = history[0]?.step ?? 0;
  const last = history[history.length - 1]?.step ?? 0;
  const span = Math.max(1, last - first);
  const finite = history.flatMap((h) => (generator ? [h.d, h.g] : [h.d])).filter(Number.isFinite);
  // before the first loss the axis reads 0–1, not a sliver near zero
  const maxLoss = finite.length ? Math.max(1e-6, ...finite) : 1;
  const xOf = (step: number) => x0 + ((step - first) / span) * (x1 - x0);
  const yOf = (v: number, max: number) => y0 - (Math.min(v, max) / max) * (y0 - y1);

  // axes: steps below, losses left, accuracy right
  ctx.textAlign = 'center';
  ctx.fillStyle = COLORS.axis;
  for (const t of ticks(first, last, 4, 1)) ctx.fillText(label(t), xOf(t), y0 + 14);
  ctx.fillText('step', (x0 + x1) / 2, H - 1);
  ctx.textAlign = 'right';
  for (const t of ticks(0, maxLoss)) {
    ctx.fillStyle = COLORS.grid;
    ctx.fillRect(x0, yOf(t, maxLoss), x1 - x0, 1);
    ctx.fillStyle = COLORS.d;
    ctx.fillText(label(t), x0 - 4, yOf(t, maxLoss) + 4);
  }
  ctx.textAlign = 'left';
  ctx.fillStyle = COLORS.acc;
  for (const t of [0, 0.5, 1]) ctx.fillText(`${t * 100}%`, x1 + 4, yOf(t, 1) + 4);
  ctx.strokeStyle = COLORS.axis;
  ctx.strokeRect(x0, y1, x1 - x0, y0 - y1);

  const line = (f: (h: HistoryPoint) => number, color: string, max: number) => {
    ctx.strokeStyle = color;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    let started = false;
    for (const h of history) {
      const v = f(h);
      if (!Number.isFinite(v)) continue;
      if (started) ctx.lineTo(xOf(h.step), yOf(v, max));
      else ctx.moveTo(xOf(h.step), yOf(v, max));
      started = true;
    }
    ctx.stroke();
  };
  if (history.length >= 2) {
    line((h) => h.d, COLORS.d, maxLoss);
    if (generator) line((h) => h.g, COLORS.g, maxLoss);
    line((h) => h.acc, COLORS.acc, 1);
  }
  ctx.fillStyle = COLORS.d;
  ctx.fillText(generator ? 'D loss' : 'loss', x0, 14);
  ctx.fillStyle = COLORS.g;
  if (generator) ctx.fillText('G loss', x0 + 50, 14);
  ctx.fillStyle = COLORS.acc;
  ctx.fillText(`${accLabel} (right)`, x0 + (generator ? 100 : 50), 14);
  return { points: history.length, firstStep: first, lastStep: last };
}
