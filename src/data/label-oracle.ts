/**
 * The only door to ground-truth labels of the training pool. It logs every index read, so tests can prove
 * that training never looks at a label outside the declared labeled subset.
 */
export class LabelOracle {
  private readonly reads = new Set<number>();

  constructor(private readonly labels: Int32Array) {}

  get size(): number {
    return this.labels.length;
  }

  label(i: number): number {
    this.reads.add(i);
    return this.labels[i];
  }

  /** Indices whose label was read since the last reset, sorted. */
  readIndices(): number[] {
    return [...this.reads].sort((a, b) => a - b);
  }

  resetReads(): void {
    this.reads.clear();
  }
}
