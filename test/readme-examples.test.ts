/**
 * README.md's examples, run as a user runs them inside a fresh clone of the repo. Code blocks fenced as
 * ```sh tested``` are the ones run: every `npx semigan …` command in them, in order, with only the flags that
 * bound their run time added (QUICK_FLAGS). Afterwards `git status` must show nothing new and `npm run lint` must
 * pass there, so a path the README's examples write can never again break `npm test` for someone who followed
 * it (the outputs belong in .gitignore and .prettierignore).
 *
 * Cheap by design: a local clone (hard links), the checkout's node_modules and dist linked in rather than
 * installed or built, a few hundred 16 px images as the photo folders, a few steps per training command. The
 * MNIST command runs only where the shared MNIST files are (as test/mnist-quick.test.ts does).
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { SHARED_MNIST, tempDir } from './helpers.js';

const ROOT = join(import.meta.dirname, '..');

/** One README command: the semigan arguments, and the file its stdout is redirected to (if any). */
interface ReadmeCommand {
  args: string[];
  stdoutTo?: string;
  line: string;
}

/** Commands a tested block may hold besides `npx semigan …`: what the suite itself is, or what made its checkout. */
const NOT_RUN = new Set(['npm ci', 'npm test']);

/** Flags appended to each verb so that the examples finish in seconds; everything else runs as written. */
function quickFlags(args: string[]): string[] {
  switch (args[0]) {
    case 'demo':
      return ['--steps', '20'];
    case 'train':
      return ['--steps', args.includes('--resume') ? '4' : '2'];
    case 'compare':
      return ['--seeds', '1', '--epochs', '1'];
    default:
      return [];
  }
}

/** The `npx semigan` commands of README's ```sh tested``` blocks, with QUICK_FLAGS added, in order. */
function readmeCommands(markdown: string): ReadmeCommand[] {
  const blocks = [...markdown.matchAll(/^```sh tested[ \t]*\n([\s\S]*?)^```/gm)].map((m) => m[1]!);
  const commands: ReadmeCommand[] = [];
  for (const block of blocks) {
    const lines = block.replace(/\s*\\\n\s*/g, ' ').split('\n');
    for (const raw of lines) {
      const line = raw.replace(/(^|\s)#.*$/, '').trim();
      if (!line) continue;
      for (const part of line.split('&&').map((p) => p.trim())) {
        if (NOT_RUN.has(part)) continue;
        if (!part.startsWith('npx semigan ')) {
          throw new Error(
            `README tested block: '${part}' is not an 'npx semigan' command (or: ${[...NOT_RUN]})`,
          );
        }
        if (/["'`$|;<()]/.test(part))
          throw new Error(`README tested block: '${part}': only plain words and > FILE`);
        const words = part.split(/\s+/).slice(2);
        const redirect = words.indexOf('>');
        if (redirect !== -1 && redirect !== words.length - 2) {
          throw new Error(`README tested block: '${part}': '> FILE' must end the command`);
        }
        const args = redirect === -1 ? words : words.slice(0, redirect);
        commands.push({
          args: [...args, ...quickFlags(args)],
          ...(redirect === -1 ? {} : { stdoutTo: words[redirect + 1]! }),
          line: part,
        });
      }
    }
  }
  return commands;
}

describe('README tested blocks', () => {
  it('parse into semigan commands, with quick flags before any redirect', () => {
    const md = [
      '```sh tested',
      'npm ci && npx semigan demo     # install, then the demo',
      'npx semigan train --data rings \\',
      '    --steps 1500 --out runs/r',
      'npx semigan predict --model m/ p/ > out.csv   # file,class',
      '```',
      '```sh',
      'npx semigan playground',
      '```',
    ].join('\n');
    expect(readmeCommands(md)).toEqual([
      { args: ['demo', '--steps', '20'], line: 'npx semigan demo' },
      {
        args: ['train', '--data', 'rings', '--steps', '1500', '--out', 'runs/r', '--steps', '2'],
        line: 'npx semigan train --data rings --steps 1500 --out runs/r',
      },
      {
        args: ['predict', '--model', 'm/', 'p/'],
        stdoutTo: 'out.csv',
        line: 'npx semigan predict --model m/ p/ > out.csv',
      },
    ]);
  });

  it('refuse what the test cannot run as written', () => {
    expect(() => readmeCommands('```sh tested\nrm -rf runs\n```\n')).toThrow(/not an 'npx semigan' command/);
    expect(() => readmeCommands('```sh tested\nnpx semigan eval --model "a b"\n```\n')).toThrow(
      /plain words/,
    );
    expect(() => readmeCommands('```sh tested\nnpx semigan predict x > a.csv b\n```\n')).toThrow(/must end/);
  });

  it('cover the quick start and the three photo commands', () => {
    const verbs = readmeCommands(readFileSync(join(ROOT, 'README.md'), 'utf8')).map((c) => c.args[0]);
    for (const verb of ['demo', 'select-labels', 'train', 'predict', 'export', 'eval', 'compare']) {
      expect(verbs).toContain(verb);
    }
  });
});

/** Two classes of 16 px images that differ in brightness, with seeded noise so that no two are alike. */
async function writePhotos(dir: string, perClass: number): Promise<void> {
  let state = 12345;
  const next = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 255;
  for (const [cls, base] of [
    ['cat', 60],
    ['dog', 180],
  ] as const) {
    mkdirSync(join(dir, cls), { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const pixels = Buffer.alloc(16 * 16 * 3);
      for (let p = 0; p < pixels.length; p++) pixels[p] = Math.min(255, base * 0.6 + next() * 0.4);
      await sharp(pixels, { raw: { width: 16, height: 16, channels: 3 } })
        .png()
        .toFile(join(dir, cls, `${cls}.${i}.png`));
    }
  }
}

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed in ${cwd}: ${r.stderr}`);
  return r.stdout;
}

const inGitCheckout = spawnSync('git', ['rev-parse', '--is-inside-work-tree'], { cwd: ROOT }).status === 0;

describe.skipIf(!inGitCheckout)('README examples in a fresh clone', () => {
  let work: string | undefined;
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('run, and leave git status and npm run lint clean', { timeout: 600_000 }, async () => {
    if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('build first: npm run build');
    work = tempDir('semigan-readme-');
    const clone = join(work, 'semigan');
    git(work, 'clone', '--quiet', ROOT, clone);
    // what this checkout changed but has not committed yet, so the test checks the files as they are
    const diff = git(ROOT, 'diff', 'HEAD', '--binary');
    if (diff) {
      const applied = spawnSync('git', ['apply', '--whitespace=nowarn'], {
        cwd: clone,
        input: diff,
        encoding: 'utf8',
      });
      if (applied.status !== 0)
        throw new Error(`git apply of the checkout's changes failed: ${applied.stderr}`);
    }
    symlinkSync(realpathSync(join(ROOT, 'node_modules')), join(clone, 'node_modules'));
    symlinkSync(realpathSync(join(ROOT, 'dist')), join(clone, 'dist'));
    // the README's inputs: photos/ (enough for its 100 labels + 50 validation per class), new-photos/, mnist/
    await writePhotos(join(clone, 'photos'), 130);
    await writePhotos(join(clone, 'new-photos'), 2);
    const haveMnist = existsSync(SHARED_MNIST);
    if (haveMnist) symlinkSync(SHARED_MNIST, join(clone, 'mnist'));
    const statusBefore = git(clone, 'status', '--porcelain', '--untracked-files=all');

    const env = { ...process.env, CI: 'true', SEMIGAN_CACHE: join(work, 'cache') };
    for (const command of readmeCommands(readFileSync(join(ROOT, 'README.md'), 'utf8'))) {
      if (!haveMnist && command.args.some((a) => a.startsWith('mnist:'))) continue;
      const r = spawnSync(process.execPath, [join(clone, 'bin', 'semigan.js'), ...command.args], {
        cwd: clone,
        env,
        encoding: 'utf8',
      });
      expect(r.status, `${command.line}\n(run as: semigan ${command.args.join(' ')})\n${r.stderr}`).toBe(0);
      if (command.stdoutTo) writeFileSync(join(clone, command.stdoutTo), r.stdout);
    }
    expect(existsSync(join(clone, 'predictions.csv'))).toBe(true);

    expect(git(clone, 'status', '--porcelain', '--untracked-files=all')).toBe(statusBefore);
    const lint = spawnSync('npm', ['run', 'lint'], { cwd: clone, env, encoding: 'utf8' });
    expect(lint.status, `npm run lint in the clone:\n${lint.stdout}\n${lint.stderr}`).toBe(0);
  });
});
