/** Command-line values of the benchmark programs that take `--name value` pairs. */

/** The value after `name` on the command line, or `fallback` when `name` is absent. */
export function argValue(name: string, fallback: string): string {
  const k = process.argv.indexOf(name);
  return k < 0 ? fallback : process.argv[k + 1] ?? fallback;
}
