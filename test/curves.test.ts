import { describe, expect, it } from 'vitest';
import { drawCurves, label, ticks } from '../web/src/curves.js';
import { recordingContext } from './helpers.js';

describe("the playground's loss chart axes", () => {
  it('tick labels fit the margin: thousands as k, tiny losses in exponent form, none as a long decimal', () => {
    expect([1500, 20000, 0.25, 3, 0].map(label)).toEqual(['1.5k', '20k', '0.25', '3', '0']);
    expect([2e-4, 1e-6].map(label)).toEqual(['2e-4', '1e-6']);
    for (const t of ticks(0, 1e-6)) expect(label(t).length).toBeLessThanOrEqual(6);
  });

  it('ticks fall on round steps inside the range', () => {
    expect(ticks(0, 1)).toEqual([0, 0.5, 1]);
    expect(ticks(0, 95, 4, 1)).toEqual([0, 50]);
    expect(ticks(0, 1e-6)).toEqual([0, 5e-7, 1e-6]);
    expect(ticks(5, 5)).toEqual([5]);
  });
});

describe("the playground's loss chart legend", () => {
  /** A canvas whose 2-D context records the text drawn and how many strokes. */
  const recording = () => {
    const { ctx, texts, strokes } = recordingContext();
    const canvas = { width: 360, height: 220, getContext: () => ctx } as unknown as HTMLCanvasElement;
    return { canvas, texts, strokes };
  };
  const history = [
    { step: 1, d: 1.2, g: 0, acc: 0.5 },
    { step: 2, d: 0.9, g: 0, acc: 0.6 },
  ];

  it('a method with a generator draws D and G losses; one without draws its one loss and no G curve', () => {
    const gan = recording();
    drawCurves(gan.canvas, history, 'test accuracy');
    expect(gan.texts).toEqual(expect.arrayContaining(['D loss', 'G loss', 'test accuracy (right)']));
    const plain = recording();
    drawCurves(plain.canvas, history, 'test accuracy', false);
    expect(plain.texts).toContain('loss');
    expect(plain.texts).not.toContain('G loss');
    expect(plain.texts).not.toContain('D loss');
    expect(plain.strokes()).toBe(gan.strokes() - 1);
  });
});
