import { describe, expect, it } from 'vitest';
import { drawBoundary, type BoundaryPicture, type Ctx2D } from '../src/report/boundary-plot.js';
import { recordingContext } from './helpers.js';

/** A 2-D context that records the text drawn. */
function recording(): { ctx: Ctx2D; texts: string[] } {
  const { ctx, texts } = recordingContext();
  return { ctx: ctx as unknown as Ctx2D, texts };
}

const base = {
  title: 't',
  bounds: { xMin: -1, xMax: 1, yMin: -1, yMax: 1 },
  numClasses: 2,
  classNames: ['inner', 'outer'],
  labeled: { x: new Float32Array([0, 0, 0.5, 0.5]), y: new Int32Array([0, 1]) },
};

describe('the boundary picture’s legend names only what the picture draws', () => {
  it('the labeled points alone (the demo’s labels.png): no unlabeled points, no boundary', () => {
    const r = recording();
    const p: BoundaryPicture = {
      ...base,
      res: 1,
      probs: new Float32Array([0.5, 0.5]),
      unlabeled: new Float32Array(0),
    };
    drawBoundary(r.ctx, p);
    expect(r.texts).toEqual(expect.arrayContaining(['labeled inner', 'labeled outer']));
    expect(r.texts).not.toContain('unlabeled');
    expect(r.texts).not.toContain('boundary');
  });

  it('a trained boundary over unlabeled points names both', () => {
    const r = recording();
    // a 2×2 grid, left column inner and right column outer: one boundary between them
    const probs = new Float32Array([0.9, 0.1, 0.1, 0.9, 0.9, 0.1, 0.1, 0.9]);
    drawBoundary(r.ctx, { ...base, res: 2, probs, unlabeled: new Float32Array([0.1, 0.2]) });
    expect(r.texts).toEqual(expect.arrayContaining(['unlabeled', 'boundary']));
  });
});
