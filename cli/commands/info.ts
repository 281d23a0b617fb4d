/**
 * `e3md info`: what an ONNX potential is — architecture, dtype, species, r_max, interaction depth,
 * parameter count, the irreps of each block, and its interface — read from the file alone.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { readModelInfo, type ModelInfo } from '../../onnx/index.js';
import { checkPotentialContract } from '../../potentials/index.js';
import { onnxFileProblem } from '../model-file.js';
import { EXIT, type CliStreams } from '../run.js';

/** Human-readable description of a model file's contents. */
export function describeModel(info: ModelInfo, path: string): string {
  const lines: string[] = [];
  let contract = 'yes';
  try {
    checkPotentialContract(info, path);
  } catch (e) {
    contract = `NO — ${(e as Error).message}`;
  }
  const m = info.metadata;
  const row = (k: string, v: string | undefined) => lines.push(`${k.padEnd(20)} ${v ?? '—'}`);
  row('file', path);
  row('e3md potential', contract);
  row('architecture', m['e3md.architecture']);
  row('dtype', m['e3md.dtype']);
  row('types', m['e3md.type_names']);
  row('r_max', m['e3md.r_max'] ? `${m['e3md.r_max']} Å` : undefined);
  row('interaction depth', m['e3md.interaction_depth']);
  row('parameters', m['e3md.num_parameters'] ? Number(m['e3md.num_parameters']).toLocaleString('en-US') : undefined);
  row('format version', m['e3md.format_version']);
  row('onnx', `IR ${info.irVersion}, opset ${info.opset}, ${info.nodeCount} nodes, producer ${info.producerName || '—'}`);
  const fmt = (t: { name: string; dtype: string | undefined; shape: (number | string)[] }) => `${t.name} ${t.dtype ?? '?'} [${t.shape.join(', ')}]`;
  row('inputs', info.inputs.map(fmt).join(', '));
  row('outputs', info.outputs.map(fmt).join(', '));
  if (m['e3md.blocks']) {
    try {
      const blocks = JSON.parse(m['e3md.blocks']) as { block: string; irrepsIn: string; irrepsOut: string }[];
      lines.push('blocks (irreps in -> out):');
      for (const b of blocks) lines.push(`  ${b.block.padEnd(26)} ${b.irrepsIn || '—'}  ->  ${b.irrepsOut}`);
    } catch {
      row('blocks', '(unreadable e3md.blocks metadata)');
    }
  }
  const extra = Object.keys(m).filter((k) => !k.startsWith('e3md.'));
  if (extra.length) row('other metadata', extra.join(', '));
  return lines.join('\n') + '\n';
}

/** Registers `e3md info` on `program`. */
export function registerInfoCommand(program: Command, io: CliStreams, setExit: (code: number) => void): void {
  program
    .command('info')
    .summary('describe an ONNX potential: architecture, irreps, parameters, r_max, types')
    .argument('<model.onnx>', 'the model file')
    .option('--json', 'print the metadata and interface as JSON')
    .action(async (path: string, flags: { json?: boolean }) => {
      setExit(await infoCommand(path, flags, io));
    });
}

/** Runs `info`; returns the exit code. */
export async function infoCommand(path: string, flags: { json?: boolean }, io: CliStreams): Promise<number> {

  try {
    await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    io.stderr.write(`e3md info: ${path}: ${code === 'ENOENT' ? 'file not found' : `cannot be read (${code ?? (e as Error).message})`}\n`);
    return EXIT.badInput;
  }
  const problem = onnxFileProblem(path);
  if (problem) {
    io.stderr.write(`e3md info: ${path} ${problem}\n`);
    return EXIT.badInput;
  }
  const info: ModelInfo = readModelInfo(await readFile(path));
  if (flags.json) {
    const { metadata, inputs, outputs, opset, irVersion, nodeCount, opCounts } = info;
    io.stdout.write(JSON.stringify({ metadata, inputs, outputs, opset, irVersion, nodeCount, opCounts }, null, 2) + '\n');
  } else io.stdout.write(describeModel(info, path));
  return EXIT.ok;
}
