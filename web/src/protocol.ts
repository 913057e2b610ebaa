/** Messages between the page and the training worker. */
export interface TrainSettings {
  dataset: 'rings' | 'moons' | 'spirals' | 'blobs';
  method: 'supervised' | 'gan' | 'kplus1' | 'kplus1-fm' | 'klogit' | 'klogit-fm' | 'badgan';
  labelsPerClass: number;
  noise: number;
  learningRate: number;
  seed: number;
}

export type ToWorker =
  /** `run` numbers the page's runs; the worker echoes it so stale messages of a reset run can be dropped. */
  | { type: 'init'; settings: TrainSettings; backend?: string; run: number }
  | { type: 'play' }
  | { type: 'pause' }
  | { type: 'step'; steps: number }
  | { type: 'toggle'; index: number };

export type FromWorker =
  | {
      type: 'data';
      run: number;
      points: Float32Array;
      classes: number[];
      classNames: string[];
      labeled: number[];
      /** The map shows a plain GAN's real/fake verdict (classNames name its two regions), not classes. */
      realFake: boolean;
      bounds: [number, number, number, number];
    }
  | {
      type: 'snapshot';
      run: number;
      step: number;
      /** Pool rows of the trainer's labeled set (what the running trainer actually trains on). */
      trainerLabeled: number[];
      grid: Float32Array;
      gridSize: number;
      fakes: Float32Array;
      accuracy: number;
      dLoss: number;
      gLoss: number;
      stepsPerSecond: number;
      backend: string;
      playing: boolean;
    }
  | { type: 'error'; message: string };
