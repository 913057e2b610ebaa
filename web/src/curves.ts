/** One point of a run's history: the losses and an accuracy in [0, 1] (NaN when not measured). */
export interface HistoryPoint {
  step: number;
  d: number;
  g: number;
  acc: number;
}

/** D and G losses (shared scale) and an accuracy (0–1 scale) against steps; used by both views. */
export function drawCurves(canvas: HTMLCanvasElement, history: HistoryPoint[], accLabel: string): void {
  const ctx = canvas.getContext('2d')!;
  const { width: W, height: H } = canvas;
  ctx.clearRect(0, 0, W, H);
  ctx.font = '11px system-ui';
  if (history.length < 2) return;
  const last = history[history.length - 1].step || 1;
  const finite = history.flatMap((h) => [h.d, h.g]).filter(Number.isFinite);
  const maxLoss = Math.max(1e-6, ...finite);
  const line = (f: (h: HistoryPoint) => number, color: string, max: number) => {
    ctx.strokeStyle = color;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    let started = false;
    for (const h of history) {
      const v = f(h);
      if (!Number.isFinite(v)) continue;
      const x = 30 + (h.step / last) * (W - 40);
      const y = H - 20 - (Math.min(v, max) / max) * (H - 40);
      if (started) ctx.lineTo(x, y);
      else ctx.moveTo(x, y);
      started = true;
    }
    ctx.stroke();
  };
  line((h) => h.d, '#1f77b4', maxLoss);
  line((h) => h.g, '#ff7f0e', maxLoss);
  line((h) => h.acc, '#2ca02c', 1);
  ctx.fillStyle = '#1f77b4';
  ctx.fillText('D loss', 34, 14);
  ctx.fillStyle = '#ff7f0e';
  ctx.fillText('G loss', 84, 14);
  ctx.fillStyle = '#2ca02c';
  ctx.fillText(`${accLabel} (0–1)`, 134, 14);
  ctx.fillStyle = '#666';
  ctx.fillText(`step ${last}`, W - 70, H - 5);
}
