import { Command, CommanderError } from 'commander';
import { isSemiganError, UsageError } from '../errors.js';
import { applyConfigFile } from './config-file.js';
import { addBackendOption } from './parse.js';
import { registerCompare } from './compare-command.js';
import { registerDemo } from './demo-command.js';
import { registerEval } from './eval-command.js';
import { registerPlayground } from './playground-command.js';
import { registerExport, registerPredict } from './predict-command.js';
import { registerSelectLabels } from './select-labels-command.js';
import { registerTrain } from './train-command.js';

export const VERSION = '0.1.0';

/**
 * commander's own usage errors in the one-line form every semigan error has. commander puts its suggestion
 * on a second line (`(Did you mean --data?)`); it joins the first: `unknown option '--dta'; did you mean
 * --data? (see semigan train --help)`.
 */
export function usageErrorLine(message: string, help: string): string {
  const [first, ...rest] = message.trim().split(/\s*\n\s*/);
  const more = rest
    .map((l) => l.replace(/^\(Did you mean (.+)\?\)$/, (_, s: string) => `did you mean ${s}?`))
    .join('; ');
  return `semigan: ${first}${more ? `; ${more}` : ''} (see ${help})\n`;
}

function buildProgram(): Command {
  const program = new Command();
  program
    .name('semigan')
    .description('Semi-supervised learning with GANs: a few labels, many unlabeled examples, one classifier.')
    .version(VERSION)
    .option('--debug', 'print stack traces for errors')
    .exitOverride()
    .configureOutput({ outputError: (s, write) => write(usageErrorLine(s, 'semigan --help')) });
  registerDemo(program);
  registerTrain(program);
  registerEval(program);
  registerSelectLabels(program);
  registerCompare(program);
  registerPredict(program);
  registerExport(program);
  registerPlayground(program);
  for (const c of program.commands) {
    // the playground computes in the browser, which picks webgl or wasm itself
    if (c.name() !== 'playground') addBackendOption(c);
    c.option('--config <file>', 'read options from a JSON file (flags on the command line win)');
    // required options may come from --config too, so they are checked after it is applied
    const required = c.options.filter((o) => o.mandatory);
    for (const o of required) o.mandatory = false;
    c.hook('preAction', (cmd) => {
      applyConfigFile(cmd);
      for (const o of required) {
        if (cmd.getOptionValue(o.attributeName()) === undefined) {
          throw new UsageError(
            `required option '${o.flags}' not specified (on the command line or in --config)`,
          );
        }
      }
    });
    c.exitOverride().configureOutput({
      outputError: (s, write) => write(usageErrorLine(s, `semigan ${c.name()} --help`)),
    });
  }
  return program;
}

/** Runs the CLI; returns the exit code. User mistakes print one line, never a stack trace (unless --debug). */
/**
 * A reader that goes away (`| head`, a closed terminal) must not end long work: writes to a closed pipe fail
 * with EPIPE, which would crash the process and lose the steps since the last checkpoint. Output is dropped
 * from then on; the work, its checkpoints and files go on.
 */
function survivePipeClose(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
    });
  }
}

export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug');
  survivePipeClose();
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    // a command may set its own code (an interrupted run exits 130)
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // commander already printed its message; help and version are successes
      if (
        e.code === 'commander.helpDisplayed' ||
        e.code === 'commander.version' ||
        e.code === 'commander.help'
      )
        return 0;
      return 2;
    }
    if (isSemiganError(e)) {
      process.stderr.write(`semigan: error: ${e.message}\n`);
      if (debug) process.stderr.write(`${e.stack}\n`);
      return e.exitCode;
    }
    process.stderr.write(`semigan: internal error: ${(e as Error)?.message ?? String(e)}\n`);
    process.stderr.write(
      debug ? `${(e as Error)?.stack}\n` : 'run again with --debug for details, and report it\n',
    );
    return 1;
  }
}
