/** The e3md command line (placeholder until the CLI lands). */
export async function main(_argv: string[]): Promise<number> {
  process.stderr.write('e3md: no commands yet\n');
  return 1;
}
