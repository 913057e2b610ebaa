// Builds semigan's optional OpenBLAS addon (native/). Never fails the install: without a compiler, Node headers
// or OpenBLAS, semigan runs on the pure wasm kernels and `semigan train`'s first line says why.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (process.env.SEMIGAN_NATIVE === '0') {
  console.log('semigan: SEMIGAN_NATIVE=0, skipping the native addon');
  process.exit(0);
}
// npm tells lifecycle scripts where its bundled node-gyp is; otherwise look for one on PATH
const gyp = process.env.npm_config_node_gyp;
const [cmd, args] = gyp && existsSync(gyp) ? [process.execPath, [gyp]] : ['node-gyp', []];
const result = spawnSync(cmd, [...args, 'rebuild', '--directory', join(root, 'native')], {
  stdio: ['ignore', 'pipe', 'pipe'],
  encoding: 'utf8',
});
if (result.status === 0) {
  console.log('semigan: built the native OpenBLAS addon (used when libopenblas is installed)');
} else {
  const why = (result.error?.message ?? result.stderr ?? '').trim().split('\n').slice(-3).join(' | ');
  console.log(`semigan: native addon not built, using pure wasm kernels (${why})`);
}
