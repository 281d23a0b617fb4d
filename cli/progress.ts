/**
 * A one-line progress bar for terminals: steps done, steps/s and time left, redrawn at most ten
 * times a second. Lines printed meanwhile (the thermo table) go above it via `print`.
 */

/** The stream the bar draws on (a TTY). */
export interface ProgressStream {
  write(text: string): unknown;
  /** Terminal width in characters, when known. */
  columns?: number;
}

/** A progress bar over steps [fromStep, untilStep]. */
export interface ProgressBar {
  /** Reports that `step` steps are done; redraws when the last draw is over 100 ms old. */
  update(step: number): void;
  /** Prints a full line above the bar (clears, writes, redraws). */
  print(line: string): void;
  /** Removes the bar from the screen. */
  clear(): void;
}

/** Seconds as a short human duration: 42 s, 3 min 05 s, 1 h 02 min. */
export function formatDuration(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(Math.floor(s % 60)).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/**
 * A progress bar on `stream` (only give it a terminal: it draws with carriage returns).
 *
 * @example
 * const bar = createProgressBar(process.stdout, 0, 1000);
 * await sim.run(1000, { onProgress: (s) => bar.update(s) });
 * bar.clear();
 */
export function createProgressBar(stream: ProgressStream, fromStep: number, untilStep: number, now: () => number = () => performance.now()): ProgressBar {
  // The rate is measured from the first reported step, so set-up time (first forces, step-0
  // output) does not count, and the first draw waits 250 ms so the rate has something to go on.
  let t0 = NaN;
  let startStep = fromStep;
  let last = now() + 150;
  let current = fromStep;
  let shown = false;
  const draw = (): void => {
    const t = now();
    last = t;
    const done = current - startStep, total = untilStep - fromStep;
    const rate = done > 0 && t > t0 ? (done * 1000) / (t - t0) : NaN;
    const eta = rate > 0 ? (untilStep - current) / rate : NaN;
    const info = ` ${current}/${untilStep} steps  ${Number.isFinite(rate) ? rate.toFixed(rate < 10 ? 1 : 0) : '–'} steps/s  ETA ${formatDuration(eta)}`;
    const width = Math.max(10, Math.min(40, (stream.columns || 80) - info.length - 3));
    const filled = total > 0 ? Math.round((width * (current - fromStep)) / total) : width;
    stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]${info}\x1b[K`);
    shown = true;
  };
  return {
    update(step) {
      if (Number.isNaN(t0)) {
        t0 = now();
        startStep = step;
      }
      current = step;
      if (now() - last >= 100) draw();
    },
    print(line) {
      if (shown) stream.write('\r\x1b[K');
      stream.write(`${line}\n`);
      if (shown) draw();
    },
    clear() {
      if (shown) stream.write('\r\x1b[K');
      shown = false;
    },
  };
}
