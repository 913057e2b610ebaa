/**
 * In-memory datasets. Features are one flat Float32Array (row-major, `featureShape` per example) so a
 * whole set uploads to the backend once and batches are gathered there, not assembled in JS.
 */
export interface Dataset {
  readonly name: string;
  /** Shape of one example, e.g. [2] for points, [28, 28, 1] for MNIST. */
  readonly featureShape: number[];
  readonly x: Float32Array;
  /** Class index per example. */
  readonly y: Int32Array;
  readonly classNames: string[];
  /** Stable ids (row numbers in the source, or file names) used to record which examples were labeled. */
  readonly ids?: string[];
}

export function exampleCount(d: Pick<Dataset, 'x' | 'featureShape'>): number {
  return d.x.length / featureSize(d.featureShape);
}

export function featureSize(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Copies the chosen rows of a flat feature array. */
export function takeRows(x: Float32Array, rowSize: number, rows: ArrayLike<number>): Float32Array {
  const out = new Float32Array(rows.length * rowSize);
  for (let i = 0; i < rows.length; i++)
    out.set(x.subarray(rows[i] * rowSize, (rows[i] + 1) * rowSize), i * rowSize);
  return out;
}
