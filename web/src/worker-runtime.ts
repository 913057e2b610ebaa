/// <reference lib="webworker" />
// What both training workers need before and around their own logic: a tensor backend and ordered messages.
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { useBackend, type BackendName } from '../../src/core.js';

let started: Promise<string> | undefined;

/**
 * Starts the tensor backend once: `requested` (the page's ?backend=) when given, else `fallback`; cpu if
 * that fails. The wasm binaries are served from Vite's asset URLs.
 */
export function startBackend(requested: string | undefined, fallback: BackendName): Promise<string> {
  started ??= (() => {
    setWasmPaths({
      'tfjs-backend-wasm.wasm': wasmPlain,
      'tfjs-backend-wasm-simd.wasm': wasmSimd,
      'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
    });
    return useBackend((requested as BackendName) || fallback).catch(() => useBackend('cpu'));
  })();
  return started;
}

/**
 * Threads tfjs-wasm computes with: more than 1 only in a cross-origin isolated page (SharedArrayBuffer),
 * which `semigan playground` serves; 0 on other backends.
 */
export function wasmThreads(): number {
  return tf.getBackend() === 'wasm' ? getThreadsCount() : 0;
}

/** Handles messages one at a time: a 'play' right after 'train' must wait until the asynchronous build is done. */
export function onMessagesInOrder<T>(handle: (m: T) => Promise<void>): void {
  let queue = Promise.resolve();
  self.onmessage = (e: MessageEvent<T>) => {
    queue = queue.then(() => handle(e.data));
  };
}
