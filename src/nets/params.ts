import * as tf from '@tensorflow/tfjs';

/** Sets a variable from plain values without leaking the temporary tensor. */
export function assignValues(v: tf.Variable, data: ArrayLike<number>): void {
  const t = tf.tensor(Float32Array.from(data), v.shape, 'float32');
  v.assign(t);
  t.dispose();
}

/** A non-trainable variable of zeros shaped like `like` (optimizer and averaging state). */
export function zerosVariable(like: tf.Tensor): tf.Variable {
  // tf.variable keeps its own reference to the data: the initial tensor is freed here, not leaked
  return tf.tidy(() => tf.variable(tf.zerosLike(like), false));
}

export interface SavedParam {
  name: string;
  shape: number[];
  trainable: boolean;
  data: number[] | Float32Array;
}

/**
 * Named variables of one network. Names are stable ("d/dense1/v"), so checkpoints, EMA copies and exports
 * address parameters by name instead of by creation order.
 */
export class ParamStore {
  private readonly vars = new Map<string, tf.Variable>();

  constructor(readonly prefix: string) {}

  create(name: string, shape: number[], values: Float32Array, trainable = true): tf.Variable {
    const full = `${this.prefix}/${name}`;
    if (this.vars.has(full)) throw new Error(`parameter ${full} defined twice`);
    // variables survive tidy; the initial tensor does not
    const v = tf.tidy(() =>
      tf.variable(tf.tensor(values, shape, 'float32'), trainable, `${full}_${uniqueSuffix()}`),
    );
    this.vars.set(full, v);
    return v;
  }

  get(name: string): tf.Variable {
    const v = this.vars.get(name);
    if (!v) throw new Error(`no parameter ${name}`);
    return v;
  }

  names(): string[] {
    return [...this.vars.keys()];
  }

  all(): tf.Variable[] {
    return [...this.vars.values()];
  }

  trainable(): tf.Variable[] {
    return this.all().filter((v) => v.trainable);
  }

  save(): SavedParam[] {
    return [...this.vars].map(([name, v]) => ({
      name,
      shape: v.shape.slice(),
      trainable: v.trainable,
      data: v.dataSync() as Float32Array,
    }));
  }

  load(saved: SavedParam[]): void {
    const byName = new Map(saved.map((p) => [p.name, p]));
    for (const [name, v] of this.vars) {
      const p = byName.get(name);
      if (!p) throw new Error(`saved parameters lack ${name}`);
      if (p.shape.join('x') !== v.shape.join('x')) {
        throw new Error(`parameter ${name} has shape [${p.shape}] in the file but [${v.shape}] in the net`);
      }
      assignValues(v, p.data);
    }
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
}

// tfjs variable names are global; two nets with the same prefix (e.g. two demo runs) must not clash.
let counter = 0;
function uniqueSuffix(): number {
  return counter++;
}
