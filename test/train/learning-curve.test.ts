import { describe, expect, it } from 'vitest';
import { learningCurveSvg, runLearningCurve } from '../../bench/learning-curve.js';
import { miniConfig, tempDir, writeConfig } from './helpers.js';

describe('bench/learning-curve.ts (tiny sizes)', () => {
  it('trains both variants at every size, with parameter counts matched, and draws them', async () => {
    const dir = tempDir();
    const path = writeConfig(dir, miniConfig(dir));
    const curve = await runLearningCurve({ configPath: path, sizes: [4, 8], epochs: 2, threads: 1 });
    expect(curve.variants.map((v) => [v.name, v.lmax])).toEqual([['equivariant', 1], ['invariant', 0]]);
    const [eq, inv] = curve.variants;
    expect(Math.abs(inv!.parameters - eq!.parameters) / eq!.parameters).toBeLessThan(0.25);
    expect(curve.points.map((p) => `${p.variant}:${p.trainStructures}`)).toEqual(['equivariant:4', 'invariant:4', 'equivariant:8', 'invariant:8']);
    for (const p of curve.points) expect(p.forceMae_meV_per_A).toBeGreaterThan(0);
    expect(curve.testStructures).toBe(4);
    const svg = learningCurveSvg(curve);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(svg.match(/<circle /g)).toHaveLength(4);
    expect(svg).toContain(`invariant (lmax 0, ${inv!.numFeatures} ch, ${inv!.parameters} params)`);
  });
});
