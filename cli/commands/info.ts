/**
 * `e3md info`: what an ONNX potential is — architecture, dtype, species, r_max, interaction depth,
 * parameter count, the irreps of each block, and its interface — read from the file alone.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { METADATA_KEYS, POTENTIAL_INPUTS, POTENTIAL_OUTPUTS, type ContractTensor, type MetadataKey } from '../../engine/index.js';
import { readModelInfo, type ModelInfo, type TensorInfo } from '../../onnx/index.js';
import { checkPotentialContract } from '../../potentials/index.js';
import { onnxFileProblem } from '../model-file.js';
import { EXIT, type CliStreams } from '../exit-codes.js';

const CONTRACT_TENSORS = new Map<string, ContractTensor>([...Object.values(POTENTIAL_INPUTS), ...Object.values(POTENTIAL_OUTPUTS)].map((t) => [t.name, t]));

/**
 * Human-readable description of a model file's contents: each contract metadata key (engine's
 * METADATA_KEYS) as its reader parses it, the interface with the contract's units and meanings,
 * and the blocks.
 */
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
  const { blocks, ...shown } = METADATA_KEYS;
  for (const k of Object.values(shown) as MetadataKey<unknown>[]) {
    const text = m[k.key]?.trim();
    if (!text && !k.required) continue;
    let value = text;
    try {
      if (text) value = k.display(k.parse(text));
    } catch (e) {
      value = `${text} (unreadable: ${(e as Error).message})`;
    }
    row(k.label, value);
  }
  row('onnx', `IR ${info.irVersion}, opset ${info.opset}, ${info.nodeCount} nodes, producer ${info.producerName || '—'}`);
  const tensor = (t: TensorInfo) => {
    const c = CONTRACT_TENSORS.get(t.name);
    const head = `  ${t.name.padEnd(14)} ${`${t.dtype ?? '?'} [${t.shape.join(', ')}]`.padEnd(18)}`;
    return c ? `${head} ${c.meaning}${c.unit ? `, ${c.unit}` : ''}` : head.trimEnd();
  };
  lines.push('inputs:', ...info.inputs.map(tensor), 'outputs:', ...info.outputs.map(tensor));
  const text = m[blocks.key];
  if (text) {
    try {
      const list = blocks.parse(text);
      lines.push('blocks (irreps in -> out):');
      for (const b of list) lines.push(`  ${b.block.padEnd(26)} ${b.irrepsIn || '—'}  ->  ${b.irrepsOut}`);
    } catch (e) {
      row('blocks', `(unreadable ${blocks.key}: ${(e as Error).message})`);
    }
  }
  const known = new Set(Object.values(METADATA_KEYS).map((k) => k.key));
  const extra = Object.keys(m).filter((k) => !known.has(k));
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
