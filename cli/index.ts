/** cli/: the e3md command line (DESIGN.md §2). */
export { createProgram, main } from './main.js';
export { EXIT, type CliStreams } from './exit-codes.js';
export { runCommand, type RunCommandOptions } from './run.js';
export { relaxCommand, type RelaxCommandOptions } from './relax.js';
export { buildPotential, displayPath, loadSystem, MIN_DISTANCE_A, prepareRun, type PreparedRun, type RunOverrides } from './prepare.js';
export { createProgressBar, formatDuration, type ProgressBar, type ProgressStream } from './progress.js';
