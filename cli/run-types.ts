/** The options and notes of `e3md run` (shared by run.ts and replicas.ts); exit codes and streams are in exit-codes.ts. */

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
