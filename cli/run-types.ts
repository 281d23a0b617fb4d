/** Exit codes, output streams and options of `e3md run` (shared by run.ts and replicas.ts). */

/** Exit codes of `e3md run`. */
export const EXIT = { ok: 0, failed: 1, badInput: 2, interrupted: 130 } as const;

/** Where the command writes. `stdout.isTTY` enables the progress bar. */
export interface CliStreams {
  stdout: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  stderr: { write(text: string): unknown };
}

/** `e3md run` options as parsed from the command line. */
export interface RunCommandOptions {
  /** Total steps, overriding input.json. */
  steps?: number;
  /** Checkpoint file to continue from. */
  restart?: string;
  /** No table, progress bar or summary on stdout; errors still go to stderr. */
  quiet?: boolean;
  /** onnxruntime intra-op threads, overriding input.json's `potential.threads`. */
  threads?: number;
  /** Worker threads, overriding input.json's `parallel.workers`. */
  workers?: number;
}

/** A note as printed: `e3md: note: …`, once, also for messages that already name e3md (onnxruntime's). */
export function noteLine(note: string): string {
  return `e3md: note: ${note.replace(/^e3md: /, '')}`;
}
