import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Box } from '../../engine/index.js';
import { loadDataset, loadTrainConfig, neighborGraph, prepareTraining, subset } from '../../train/index.js';
import { MINI, miniConfig, tempDir, writeConfig } from './helpers.js';

describe('datasets', () => {
  it('neighbor graphs of clusters hold exactly the directed pairs closer than r_max', () => {
    const data = loadDataset([MINI.train], { name: 'train', typeNames: ['H', 'O'], rMax_A: 2.5 });
    for (const s of data.structures) {
      const want: string[] = [];
      for (let i = 0; i < s.n; i++) for (let j = 0; j < s.n; j++) {
        if (i === j) continue;
        const d = Math.hypot(s.positions[3 * j]! - s.positions[3 * i]!, s.positions[3 * j + 1]! - s.positions[3 * i + 1]!, s.positions[3 * j + 2]! - s.positions[3 * i + 2]!);
        if (d < 2.5) want.push(`${i}-${j}`);
      }
      const got = Array.from({ length: s.nEdges }, (_, e) => `${s.edgeIndex[e]}-${s.edgeIndex[s.nEdges + e]}`);
      expect(got.sort()).toEqual(want.sort());
      expect(s.edgeShift.every((x) => x === 0)).toBe(true);
    }
    expect(data.structures[0]!.configType).toBe('monomer');
    expect(data.structures[0]!.source).toMatch(/water-mini-train\.extxyz:1$/);
  });

  it('periodic frames get their image edges with Cartesian shifts', () => {
    // One atom in a 3 Å cube, r_max 3.5 Å: its six face images at 3 Å (the edges at √18 Å are out).
    const g = neighborGraph(Float64Array.of(0.5, 0.5, 0.5), Box.orthorhombic(3, 3, 3), 3.5);
    expect(g.nEdges).toBe(6);
    const shifts = Array.from({ length: 6 }, (_, e) => Array.from(g.edgeShift.slice(3 * e, 3 * e + 3)).join(','));
    expect(shifts.sort()).toEqual(['-3,0,0', '0,-3,0', '0,0,-3', '0,0,3', '0,3,0', '3,0,0'].sort());
  });

  it('per-file limits freeze a growing dataset; subsets are seeded, nested and keep file order', () => {
    const first = loadDataset([MINI.train, MINI.validation], { name: 'train', typeNames: ['H', 'O'], rMax_A: 3.5, perFileLimit: 2 });
    expect(first.structures.map((s) => s.source.replace(/.*\//, ''))).toEqual(['water-mini-train.extxyz:1', 'water-mini-train.extxyz:6', 'water-mini-val.extxyz:1', 'water-mini-val.extxyz:9']);
    const all = loadDataset([MINI.train], { name: 'train', typeNames: ['H', 'O'], rMax_A: 3.5 });
    const small = subset(all, 4, 1), large = subset(all, 9, 1);
    expect(small.structures).toHaveLength(4);
    for (const s of small.structures) expect(large.structures).toContain(s);
    const lines = large.structures.map((s) => Number(s.source.split(':').pop()));
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
    expect(subset(all, 4, 1).structures).toEqual(small.structures);
    expect(subset(all, 4, 2).structures).not.toEqual(small.structures);
    expect(subset(all, 100, 1)).toBe(all);
  });

  it('species found in the data respect the per-file limit: frames appended later cannot add a type', () => {
    const dir = tempDir();
    const grown = join(dir, 'grown.extxyz');
    const text = readFileSync(MINI.train, 'utf8');
    const firstFrame = text.split('\n').slice(0, 5).join('\n') + '\n';
    writeFileSync(grown, text + firstFrame.replace(/^O /m, 'C '));
    const config = miniConfig(dir, { data: { train: [grown], validation: [MINI.validation], max_structures_per_file: 14 } });
    const prep = prepareTraining(loadTrainConfig(writeConfig(dir, config)));
    expect(prep.train.structures).toHaveLength(14);
    expect(prep.typeNames).toEqual(['H', 'O']);
  });
});
