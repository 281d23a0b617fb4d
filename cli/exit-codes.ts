/**
 * What every e3md command shares with its caller: the exit codes (README, "Commands") and the
 * streams it writes to. Commands take the streams as a parameter, so tests and embedding programs
 * capture the output instead of the process's.
 */

/**
 * Exit codes of every command: 0 done, 1 the run failed (energy NaN/∞, or an unexpected error),
 * 2 bad input or usage (one message naming the key, file and line; no output touched), 130
 * interrupted (Ctrl-C; a checkpoint is written first when one is configured).
 */
export const EXIT = { ok: 0, failed: 1, badInput: 2, interrupted: 130 } as const;

/** Where a command writes. `stdout.isTTY` enables progress bars; `columns` sizes them. */
export interface CliStreams {
  stdout: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  stderr: { write(text: string): unknown };
}

/**
 * The first Ctrl-C asks a running loop to stop after the step in progress (it aborts `signal` and
 * says so on stderr); the handler is `once`, so a second Ctrl-C gets Node's default handling and
 * ends the process at once. Call `release()` when the loop is over.
 * @example const ctrlC = stopAfterStepOnCtrlC(io); try { await sim.run(n, { signal: ctrlC.signal }); } finally { ctrlC.release(); }
 */
export function stopAfterStepOnCtrlC(io: CliStreams): { signal: AbortSignal; release(): void } {
  const abort = new AbortController();
  const onSigint = (): void => {
    io.stderr.write('\ne3md: stopping after this step (Ctrl-C again to quit at once)\n');
    abort.abort();
  };
  process.once('SIGINT', onSigint);
  return { signal: abort.signal, release: () => void process.removeListener('SIGINT', onSigint) };
}
