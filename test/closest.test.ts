import { describe, expect, it } from 'vitest';
import { closestChoice } from '../src/util/closest.js';

describe('closestChoice: the "did you mean" hint', () => {
  const methods = [
    'supervised',
    'kplus1',
    'kplus1-fm',
    'klogit',
    'klogit-fm',
    'pi',
    'fixmatch',
    'klogit-fm+fixmatch',
  ];
  it('finds the name behind a missing dash, a case change or a typo', () => {
    expect(closestChoice('klogitfm', methods)).toBe('klogit-fm');
    expect(closestChoice('KLogit-FM+FixMatch', methods)).toBe('klogit-fm+fixmatch');
    expect(closestChoice('superviesd', methods)).toBe('supervised');
  });
  it('stays silent when nothing is near or two choices are equally near', () => {
    expect(closestChoice('magic', methods)).toBeUndefined();
    expect(closestChoice('kplus', ['kplus1', 'kplus2'])).toBeUndefined();
    // a short name is near everything short: no guess from one or two letters
    for (const v of ['p', 'x', 'tf', 'fm']) expect(closestChoice(v, methods)).toBeUndefined();
    expect(closestChoice('p', ['cpu', 'wasm'])).toBeUndefined();
  });
});
