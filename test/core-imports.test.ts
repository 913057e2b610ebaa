import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Every module reachable by static imports from `entry`, with the Node built-ins each one imports. */
function reachable(entry: string): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    const text = readFileSync(file, 'utf8');
    // type-only imports vanish when compiled
    const specs = [...text.matchAll(/^\s*(?:import|export)\s+(?!type\b)[^'"]*?from\s+'([^']+)'/gm)].map(
      (m) => m[1],
    );
    seen.set(
      file,
      specs.filter((s) => s.startsWith('node:') || ['fs', 'path', 'os', 'url', 'module'].includes(s)),
    );
    for (const s of specs) if (s.startsWith('.')) visit(resolve(dirname(file), s.replace(/\.js$/, '.ts')));
  };
  visit(entry);
  return seen;
}

describe('browser-safe core', () => {
  it('src/core.ts reaches no Node built-in module (the playground bundles it)', () => {
    const graph = reachable(join(import.meta.dirname, '..', 'src', 'core.ts'));
    const offenders = [...graph].filter(([, nodeImports]) => nodeImports.length > 0).map(([f]) => f);
    expect(offenders).toEqual([]);
    expect(graph.size).toBeGreaterThan(20);
  });
});
