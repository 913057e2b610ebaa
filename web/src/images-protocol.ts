import type { MethodName } from '../../src/core.js';

/** Messages between the your-images view and its training worker. */
export interface ImageTrainSettings {
  method: MethodName;
  seed: number;
  batchSize: number;
}

export type ImagesToWorker =
  | {
      type: 'train';
      /** The page's run number, echoed in every answer so answers of a reset run can be dropped. */
      run: number;
      settings: ImageTrainSettings;
      /** [size, size, 3]; x holds every image (N rows, values in [−1, 1]). */
      shape: [number, number, number];
      x: Float32Array;
      /** Class index per image, −1 for unlabeled: the only labels the worker ever sees. */
      labels: Int32Array;
      ids: string[];
      classNames: string[];
      backend?: string;
    }
  | { type: 'play' }
  | { type: 'pause' }
  | { type: 'step'; steps: number }
  /** New labels for the running run (same classes): training goes on with them, from its current step. */
  | { type: 'labels'; labels: Int32Array }
  /** Asks which images the trainer holds as labeled and unlabeled data, and which are held out (tests). */
  | { type: 'inspect' }
  | { type: 'export' };

export type ImagesFromWorker =
  | {
      type: 'snapshot';
      run: number;
      step: number;
      epoch: number;
      /** Accuracy on the held-out part of the labeled images (NaN when none is held out). */
      heldOutAccuracy: number;
      /** Image indices held out from training (labeled, used only to measure). */
      heldOut: number[];
      trainLabeled: number;
      dLoss: number;
      gLoss: number;
      /** Generated images (count × size × size × 3, in [−1, 1]); empty for supervised training. */
      samples: Float32Array;
      /** Class probabilities for every image (N × K), when computed in this snapshot. */
      predictions?: Float32Array;
      stepsPerSecond: number;
      backend: string;
      /** Threads of the wasm backend (1 unless the page is cross-origin isolated; 0 on other backends). */
      threads: number;
      playing: boolean;
    }
  | { type: 'inspect'; run: number; heldOut: string[]; labeled: string[]; unlabeled: string[] }
  | { type: 'export'; run: number; json: object; weights: ArrayBuffer; heldOutAccuracy: number }
  | { type: 'error'; message: string };
