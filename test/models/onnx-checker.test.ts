/**
 * The exported potentials pass the ONNX reference checker (Debian python3-onnx: full check and
 * strict shape inference, tools/check-onnx.py), for both architectures and both float types.
 * Skipped where python3-onnx is absent.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PYTHON, pythonOrWarn } from '../harness/python.js';
import { afterAll, describe, expect, it } from 'vitest';
import { exportPotential } from '../../models/index.js';
import { TINY_MODELS } from './helpers.js';

const hasOnnx = pythonOrWarn('the ONNX reference checker', 'onnx.checker');

describe.skipIf(!hasOnnx)('exported potentials pass the ONNX reference checker', () => {
  const dir = mkdtempSync(join(tmpdir(), 'e3md-models-check-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('NequIP and Allegro, float32 and float64', () => {
    const files: string[] = [];
    for (const [arch, make] of TINY_MODELS) {
      const model = make();
      for (const dtype of ['float32', 'float64'] as const) {
        const f = join(dir, `${arch}_${dtype}.onnx`);
        writeFileSync(f, exportPotential(model, { dtype }));
        files.push(f);
      }
    }
    const r = spawnSync(PYTHON, [join(import.meta.dirname, '../../tools/check-onnx.py'), ...files], { encoding: 'utf8' });
    const lines = r.stdout.trim().split('\n');
    expect(lines.filter((l) => !l.startsWith('OK ')), r.stderr).toEqual([]);
    expect(lines).toHaveLength(files.length);
  });
});
