import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PYTHON, pythonOrWarn } from '../harness/python.js';
import { afterAll, describe, expect, it } from 'vitest';
import { createGraph, writeModel } from '../../onnx/index.js';
import { caseModel, OP_CASES } from './cases.js';

/** The reference checker (Debian python3-onnx); absent on CI, where this test is skipped. */
const hasOnnx = pythonOrWarn('the ONNX reference checker', 'onnx.checker');

describe.skipIf(!hasOnnx)('python onnx checker + strict shape inference accept written models', () => {
  const dir = mkdtempSync(join(tmpdir(), 'e3md-onnx-check-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('every op case with its gradient, both dtypes, weights as initializers and as inputs', () => {
    const files: string[] = [];
    for (const dtype of ['float64', 'float32'] as const) {
      OP_CASES.forEach((c, k) => {
        const { g } = caseModel(c, dtype);
        const f = join(dir, `case${k}_${dtype}.onnx`);
        writeFileSync(f, writeModel(g));
        files.push(f);
      });
      const g = createGraph({ dtype });
      const x = g.input('x', ['N', 3]);
      const w = g.weight('layer.w', [1, 2, 3, 4, 5, 6, 7, 8, 9], [3, 3]);
      const e = g.scope('block', () => g.reduceSum(g.silu(g.matmul(x, w))));
      g.output('e', e);
      g.output('dw', g.grad(g.reduceSum(g.mul(g.grad(e, [x])[0]!, x)), [w])[0]!);
      for (const weights of ['initializers', 'inputs'] as const) {
        const f = join(dir, `mlp_${dtype}_${weights}.onnx`);
        writeFileSync(f, writeModel(g, { weights, metadata: { 'e3md.dtype': dtype } }));
        files.push(f);
      }
    }
    const r = spawnSync(PYTHON, [join(import.meta.dirname, '../../tools/check-onnx.py'), ...files], { encoding: 'utf8' });
    const lines = r.stdout.trim().split('\n');
    expect(lines.filter((l) => !l.startsWith('OK ')), r.stderr).toEqual([]);
    expect(lines).toHaveLength(files.length);
    expect(lines.every((l) => / ir=8 opset=17 /.test(l))).toBe(true);
    expect(r.status).toBe(0);
  });
});
