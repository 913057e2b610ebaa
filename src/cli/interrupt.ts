/**
 * Ctrl-C, SIGTERM or a hang-up (a closed terminal) during a long command: the first asks the work to stop at
 * its next checkpoint, a second exits at once. `release` removes the handlers when the work is done.
 * Benches use it too; their npm scripts start them with `node --import tsx`, not the `tsx` command: tsx's own
 * process relays a signal and, when the child does not answer within 30 ms (a training step is busy for
 * seconds), kills it with SIGKILL.
 */
export function stopOnInterrupt(): { shouldStop: () => boolean; release: () => void } {
  let interrupts = 0;
  const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((sig) => {
    const handler = () => {
      interrupts++;
      if (interrupts > 1) {
        process.stderr.write(`\n${sig} again: exiting without saving\n`);
        process.exit(130);
      }
      process.stderr.write(`\n${sig}: saving a checkpoint (press Ctrl-C again to exit at once)\n`);
    };
    process.on(sig, handler);
    return [sig, handler] as const;
  });
  return {
    shouldStop: () => interrupts > 0,
    release: () => handlers.forEach(([sig, handler]) => process.off(sig, handler)),
  };
}
