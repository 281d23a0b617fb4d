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
