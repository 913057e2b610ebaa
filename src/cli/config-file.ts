import { readFileSync } from 'node:fs';
import type { Command, Option } from 'commander';
import { z } from 'zod';
import { UsageError } from '../errors.js';
import { describeFsError } from '../util/fs.js';

const configValue = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z.array(z.union([z.string(), z.number()])),
]);

/**
 * `--config file.json` for any command: a JSON object whose keys are the command's option names (camelCase as
 * in `--checkpoint-every` → `checkpointEvery`, or as spelled on the command line). Values go through the same
 * parsers as flags; flags given on the command line win. Unknown keys are refused by name.
 */
export function applyConfigFile(cmd: Command): void {
  const file = cmd.getOptionValue('config') as string | undefined;
  if (!file) return;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    const why = e instanceof SyntaxError ? `not valid JSON (${e.message})` : describeFsError(e);
    throw new UsageError(`config file ${file}: ${why}`);
  }
  const options = cmd.options.filter((o) => o.attributeName() !== 'config');
  const byKey = new Map<string, Option>();
  for (const o of options) {
    byKey.set(o.attributeName(), o);
    if (o.long) byKey.set(o.long.replace(/^--/, ''), o);
  }
  const shape = Object.fromEntries([...byKey.keys()].map((k) => [k, configValue.optional()]));
  const parsed = z.strictObject(shape).safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    if (issue.code === 'unrecognized_keys') {
      throw new UsageError(
        `config file ${file}: unknown key '${issue.keys[0]}' (allowed: ${options.map((o) => o.attributeName()).join(', ')})`,
      );
    }
    const where = issue.path.length ? `key '${issue.path.join('.')}'` : 'the file';
    throw new UsageError(
      `config file ${file}: ${where} must be ${issue.path.length ? 'a string, number, boolean or list' : 'a JSON object'}`,
    );
  }
  for (const [key, value] of Object.entries(parsed.data)) {
    if (value === undefined) continue;
    const option = byKey.get(key)!;
    const name = option.attributeName();
    if (cmd.getOptionValueSource(name) === 'cli') continue;
    const text = Array.isArray(value) ? value.join(',') : String(value);
    let v: unknown = value;
    if (option.parseArg) {
      try {
        v = option.parseArg(text, undefined);
      } catch (e) {
        throw new UsageError(`config file ${file}: key '${key}': ${(e as Error).message}`);
      }
    } else if (!option.isBoolean?.() && typeof value !== 'boolean') {
      v = text;
    }
    cmd.setOptionValueWithSource(name, v, 'config');
  }
}
