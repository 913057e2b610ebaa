import { describe, expect, it } from 'vitest';
import { presetByName, presetData, PRESET_NAMES } from '../src/experiments/presets.js';
import type { ParamStore } from '../src/nets/params.js';
import { Rng } from '../src/random.js';
import { makeObjective } from '../src/train/methods.js';
import { CODE_SIGNATURE } from '../src/train/provenance.js';
import { presetOf } from '../src/train/run-config.js';
import { sha256 } from '../src/util/sha256.js';

const INPUTS = {
  toy: { shape: [2], k: 2 },
  mnist: { shape: [28, 28, 1], k: 10 },
  images: { shape: [64, 64, 3], k: 2 },
};

/** Each parameter's name, shape and a rounded checksum of its initial values: the nets as built, on any machine. */
function describeParams(p: ParamStore): string[] {
  return p.save().map(({ name, shape, data }) => {
    let sum = 0;
    let sumSq = 0;
    for (const v of data) [sum, sumSq] = [sum + v, sumSq + v * v];
    return `${name.replace(/_\d+$/, '')} [${shape.join(',')}] ${sum.toPrecision(6)} ${sumSq.toPrecision(6)}`;
  });
}

/**
 * What each preset trains with: its optimiser settings and schedule, and its nets' parameters as built from a
 * fixed seed. Runs record a preset by name and its defaults as null, so a change here would let runs of the old
 * and the new nets pass as the same run: these fingerprints tie the presets to CODE_SIGNATURE. One per preset, so
 * a new preset adds an entry without touching the others' runs.
 */
function presetFingerprints(): Record<string, string> {
  const entries = PRESET_NAMES.map((name) => {
    const preset = presetByName(name);
    const { shape, k } = INPUTS[presetData(name)!];
    const d = preset.makeDiscriminator(makeObjective('klogit-fm'), k, shape, new Rng(1));
    const g = preset.makeGenerator(shape, new Rng(2));
    const lines = [name, JSON.stringify(preset.train), String(preset.lrDecayOverRun ?? false)];
    lines.push(...describeParams(d.params), ...describeParams(g.params));
    for (const v of [...d.params.all(), ...g.params.all()]) v.dispose();
    return [name, sha256(lines.join('\n')).slice(0, 16)];
  });
  return Object.fromEntries(entries);
}

describe('presets and the code signature', () => {
  it('a change to a preset (nets, initial weights, optimiser, schedule) comes with a new CODE_SIGNATURE', () => {
    // When this fails because a preset changed on purpose: raise CODE_SIGNATURE in src/train/provenance.ts (runs
    // of the old nets must not be reused as runs of the new), then record the new values here. A new preset
    // only adds its line.
    expect({ signature: CODE_SIGNATURE, presets: presetFingerprints() }).toEqual({
      signature: 'semigan-training-v1',
      presets: {
        'toy-mlp': '867bb748f617d0c4',
        'improved-gan-mnist': '0651ff6957d42d2d',
        'mlp-gan-mnist': '94adf863323a0e18',
        'dcgan-resnet': '5550d9b14e8f700b',
        'photo-cnn': '11ac16d9abbf8081',
      },
    });
  });

  it('the default preset follows the data kind, and the plain GAN on MNIST gets nets of its own', () => {
    const of = (data: string, method: Parameters<typeof presetOf>[0]['method'], preset?: string) =>
      presetOf({ data, method, preset }).name;
    expect([of('mnist:x', 'gan'), of('mnist:x', 'klogit-fm'), of('mnist:x', 'supervised')]).toEqual([
      'mlp-gan-mnist',
      'improved-gan-mnist',
      'improved-gan-mnist',
    ]);
    // the default lives below the CLI, so a library caller of runTraining gets the same nets
    expect([of('rings', 'gan'), of('images:x', 'gan'), of('mnist:x', 'gan', 'improved-gan-mnist')]).toEqual([
      'toy-mlp',
      'photo-cnn',
      'improved-gan-mnist',
    ]);
  });
});
