import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { refuseNarrowerReport, type CompareGrid } from '../src/cli/compare-report-guard.js';
import { tempDir } from './helpers.js';

const grid: CompareGrid = {
  data: 'images:photos',
  labels: 100,
  select: ['random'],
  methods: ['supervised', 'fixmatch'],
  seeds: [1, 2],
};

/** A folder whose result.json holds `report`. */
function withReport(report: unknown): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'result.json'), JSON.stringify(report));
  return dir;
}

const cells = grid.seeds.flatMap((seed) =>
  grid.methods.map((method) => ({ select: 'random', method, seed })),
);

describe("compare's report guard", () => {
  it('passes the same grid, a wider one, --force, and a folder with no readable compare report', () => {
    const dir = withReport({ dataset: 'images:photos', labels: 100, runs: cells });
    expect(() => refuseNarrowerReport(dir, grid, false)).not.toThrow();
    expect(() =>
      refuseNarrowerReport(dir, { ...grid, methods: [...grid.methods, 'pi'], seeds: [1, 2, 3] }, false),
    ).not.toThrow();
    expect(() => refuseNarrowerReport(dir, { ...grid, methods: ['pi'] }, true)).not.toThrow();
    for (const other of [null, { runs: null }, { runs: [null] }, { dataset: 'x' }])
      expect(() => refuseNarrowerReport(withReport(other), { ...grid, data: 'rings' }, false)).not.toThrow();
    expect(() => refuseNarrowerReport(tempDir(), grid, false)).not.toThrow();
  });

  it('tells the same folder spelled otherwise from other data, and names the flag for each dropped cell', () => {
    const dir = withReport({ dataset: 'images:photos', labels: 100, runs: cells });
    expect(() => refuseNarrowerReport(dir, { ...grid, data: 'images:./photos/' }, false)).toThrow(
      /covers data spelled images:photos, .*give --data images:photos as before \(another spelling trains every run again\)/,
    );
    expect(() => refuseNarrowerReport(dir, { ...grid, data: 'images:elsewhere' }, false)).toThrow(
      /covers data images:photos, which this call leaves out: give --data images:photos, give another --out/,
    );
    expect(() => refuseNarrowerReport(dir, { ...grid, data: 'images:photos?size=32' }, false)).toThrow(
      /covers data images:photos, /,
    );
    expect(() =>
      refuseNarrowerReport(
        dir,
        { ...grid, methods: ['supervised'], select: ['representative'], seeds: [1] },
        false,
      ),
    ).toThrow(
      /covers method fixmatch; selection random; seed 2, which this call leaves out: add fixmatch to --methods, add random to --select, give --seeds 2,/,
    );
  });
});
