/**
 * Checks of a model file and of the device it runs on, made before a command relies on them, so
 * the user reads "is empty" or "cannot start on cuda" rather than onnxruntime's or protobuf's
 * words for it ("input 'pos' is missing", "invalid wire type 7 at offset 13").
 */
import { existsSync, readFileSync } from 'node:fs';
import { clobberMessage, findClobber, type NamedPath } from '../io/index.js';
import { readModelInfo } from '../onnx/index.js';

/**
 * Why `path` is not an ONNX model file, or undefined when it decodes as one.
 * @example onnxFileProblem('empty.onnx') // 'is empty (0 bytes), not an ONNX model'
 */
export function onnxFileProblem(path: string): string | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    return `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
  }
  if (bytes.length === 0) return 'is empty (0 bytes), not an ONNX model';
  try {
    const info = readModelInfo(bytes);
    if (info.inputs.length === 0 && info.outputs.length === 0) return 'is not an ONNX model (it decodes, but holds no graph inputs or outputs)';
  } catch (e) {
    return `is not an ONNX model file (${(e as Error).message.split('\n')[0]})`;
  }
  return undefined;
}

/**
 * Why a session asked to run on `device` is unacceptable, or undefined. `auto` may fall back to the
 * CPU; an explicitly named device that could not start is an error (docs/input-json.md, `device`).
 *
 * @param provider the execution provider the session runs on (`cpu`, `cuda`, `webgpu`).
 * @param reasons onnxruntime's messages about why the device did not start.
 */
export function deviceProblem(device: string, provider: string | undefined, reasons: readonly string[]): string | undefined {
  if (device === 'auto' || device === 'cpu') return undefined;
  const wanted = device.startsWith('cuda') ? 'cuda' : device;
  if (provider === wanted) return undefined;
  const why = reasons.map((r) => r.replace(/^e3md: /, '')).join('; ') || `the session runs on ${provider ?? 'an unknown provider'}`;
  return `"${device}" was asked for but cannot start (${why}); use "auto" to fall back to the CPU when it is unavailable`;
}

/**
 * Why a model may not be written to `path` (flag `flag`): it is one of `inputs` (by real path), or
 * it exists and `force` was not given — a model file may hold weights trained for hours.
 * Undefined when writing it is fine.
 * @example modelOutputProblem('--out', 'm.onnx', [{ key: '--options', path: 'o.json' }], false)
 */
export function modelOutputProblem(flag: string, path: string, inputs: readonly NamedPath[], force: boolean): string | undefined {
  const clobber = findClobber(inputs, [{ key: flag, path }]);
  if (clobber) return `${flag} ${path} ${clobberMessage(clobber)}`;
  if (!force && existsSync(path)) return `${flag} ${path} already exists; choose another name, or pass --force to replace it`;
  return undefined;
}
