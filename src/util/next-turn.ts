/**
 * One turn of the event loop, so that signal handlers (Ctrl-C) run between steps of long synchronous work:
 * setImmediate in Node, setTimeout in a browser (which has no setImmediate).
 */
export const nextTurn = (): Promise<void> =>
  new Promise<void>((resolve) =>
    typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0),
  );
