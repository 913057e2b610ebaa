import type { Dataset } from '../src/data/dataset.js';

/** A copy of the data whose every label outside `readable` is wrong (the next class). */
export function poisonOutside(d: Dataset, readable: Iterable<number>): Dataset {
  const keep = new Set(readable);
  const k = d.classNames.length;
  return { ...d, y: d.y.map((c, i) => (keep.has(i) ? c : (c + 1) % k)) };
}

export interface LeakReport {
  leaks: boolean;
  clean: string;
  poisoned: string;
}

/**
 * The label-honesty check: runs `pipeline` on the data and on a copy whose every label outside `readable` is
 * wrong. A pipeline that reads no such label gives a bit-identical result (e.g. a weights hash); any other
 * result is a leak.
 */
export async function checkLabelLeak(
  d: Dataset,
  readable: Iterable<number>,
  pipeline: (d: Dataset) => string | Promise<string>,
): Promise<LeakReport> {
  const clean = await pipeline(d);
  const poisoned = await pipeline(poisonOutside(d, readable));
  return { leaks: clean !== poisoned, clean, poisoned };
}
