import type { Dataset } from '../src/data/dataset.js';

/**
 * Copies of the data whose labels outside `readable` are corrupted two ways. 'shift': every such label is wrong
 * (the next class). A shift only renames classes, so a pipeline that reads which examples share a class (a
 * balanced draw, say) would give the same result on it; 'scramble' draws each such label at random (a fixed
 * hash of its index), so that kind of leak shows too. An id that names its class (an image's path,
 * `train/cat/cat1.png`, in its folder and its file name) names the corrupted class instead, so a pipeline reading
 * labels off ids is caught too.
 */
export function poisonOutside(
  d: Dataset,
  readable: Iterable<number>,
  mode: 'shift' | 'scramble' = 'shift',
): Dataset {
  const keep = new Set(readable);
  const k = d.classNames.length;
  const hash = (i: number) => Math.imul(i + 0x9e37, 0x85ebca6b) >>> 13;
  const wrong = (c: number, i: number) => (mode === 'shift' ? (c + 1) % k : hash(i) % k);
  const y = d.y.map((c, i) => (keep.has(i) ? c : wrong(c, i)));
  // the class's name wherever it stands as a word of the path (a folder `cat/`, a file `cat0.png` or
  // `cat.3082.jpg`), so a pipeline that reads it off a folder or a file name sees the corrupted class
  const word = (name: string) =>
    new RegExp(`(?<![A-Za-z])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z])`, 'g');
  const renamed = (id: string, i: number) =>
    y[i] === d.y[i] ? id : id.replace(word(d.classNames[d.y[i]]), d.classNames[y[i]]);
  return { ...d, y, ...(d.ids ? { ids: d.ids.map(renamed) } : {}) };
}

export interface LeakReport {
  leaks: boolean;
  clean: string;
  poisoned: string;
  scrambled: string;
}

/**
 * The label-honesty check: runs `pipeline` on the data and on two copies whose labels outside `readable` are
 * corrupted (every one wrong; drawn at random). A pipeline that reads no such label gives bit-identical results
 * (e.g. a weights hash); any other result is a leak.
 */
export async function checkLabelLeak(
  d: Dataset,
  readable: Iterable<number>,
  pipeline: (d: Dataset) => string | Promise<string>,
): Promise<LeakReport> {
  const rows = [...readable];
  const clean = await pipeline(d);
  const poisoned = await pipeline(poisonOutside(d, rows, 'shift'));
  const scrambled = await pipeline(poisonOutside(d, rows, 'scramble'));
  return { leaks: clean !== poisoned || clean !== scrambled, clean, poisoned, scrambled };
}
