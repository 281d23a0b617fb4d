/**
 * runTraining releases both of its onnxruntime sessions however it ends, a throw inside the
 * epoch loop included (a caller training several models in one process must not leak them).
 */
import { describe, expect, it, vi } from 'vitest';
import { loadTrainConfig, prepareTraining, runTraining } from '../../train/index.js';
import { miniConfig, tempDir, writeConfig } from './helpers.js';

const open = new Set<object>();
vi.mock('../../onnx/index.js', async (importOriginal) => {
  const onnx = await importOriginal<typeof import('../../onnx/index.js')>();
  return {
    ...onnx,
    createSession: async (...args: Parameters<typeof onnx.createSession>) => {
      const session = await onnx.createSession(...args);
      open.add(session);
      const release = session.release.bind(session);
      return Object.assign(session, { release: async () => { open.delete(session); await release(); } });
    },
  };
});

describe('runTraining sessions', () => {
  it('are released when the epoch loop throws', async () => {
    const dir = tempDir();
    const prep = prepareTraining(loadTrainConfig(writeConfig(dir, miniConfig(dir))));
    const onBatch = () => { throw new Error('stop here'); };
    await expect(runTraining(prep, { onBatch })).rejects.toThrow('stop here');
    expect(open.size).toBe(0);
  });
});
