/**
 * Errors a user can cause and fix. The CLI prints `message` as one line and exits with `exitCode`
 * (2: the command line or config is wrong; 1: the run failed on valid input), never a stack trace.
 */
export class SemiganError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
    this.name = 'SemiganError';
  }
}

/** The command line, a config file or an API argument is invalid. */
export class UsageError extends SemiganError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'UsageError';
  }
}

/** Long work ended early because the user asked (Ctrl-C); `message` says what was kept and how to go on. */
export class Stopped extends SemiganError {
  constructor(message: string) {
    super(message, 1);
    this.name = 'Stopped';
  }
}

export function isSemiganError(e: unknown): e is SemiganError {
  return e instanceof SemiganError;
}
