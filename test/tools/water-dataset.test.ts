/**
 * The water dataset tool (tools/make-water-dataset.py) without psi4: its geometry generator's
 * seed reproducibility and placement rules (a Python unittest, water_clusters_test.py), and
 * the committed dataset files as e3md itself reads them.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readExtxyz } from '../../io/index.js';

const ROOT = join(import.meta.dirname, '..', '..');
const DATASET = join(ROOT, 'examples', 'water', 'dataset');
const PYTHON = '/usr/bin/python3';
// Seed ranges of tools/water_clusters.py (SEED_BASE): a kind's seeds are base + i, i < 10^6.
const SEED_BASE: Record<string, number> = {
  monomer: 1_000_000, dimer: 2_000_000, trimer: 3_000_000, tetramer: 4_000_000, pentamer: 5_000_000,
  hexamer: 6_000_000, 'short-dimer': 22_000_000, 'md-tetramer': 14_000_000, 'md-pentamer': 15_000_000, 'md-hexamer': 16_000_000,
  'md2-tetramer': 24_000_000, 'md2-pentamer': 25_000_000, 'md2-hexamer': 26_000_000, 'stretched-monomer': 31_000_000, 'stretched-tetramer': 34_000_000,
};
const MOLECULES: Record<string, number> = {
  monomer: 1, dimer: 2, trimer: 3, tetramer: 4, pentamer: 5, hexamer: 6, 'short-dimer': 2, 'md-tetramer': 4, 'md-pentamer': 5, 'md-hexamer': 6, 'md2-tetramer': 4, 'md2-pentamer': 5, 'md2-hexamer': 6,
  'stretched-monomer': 1, 'stretched-tetramer': 4,
};

// A temp cwd, so that nothing in the repository (its onnx/ folder, say) shadows a module.
const cwd = mkdtempSync(join(tmpdir(), 'e3md-water-dataset-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));
const hasNumpy = spawnSync(PYTHON, ['-c', 'import numpy'], { cwd, encoding: 'utf8' }).status === 0;
if (!hasNumpy) console.warn(`SKIPPED: the water dataset generator checks need ${PYTHON} with numpy (absent here)`);

describe.skipIf(!hasNumpy)('tools/make-water-dataset.py geometry generator (psi4-free)', () => {
  it('seeds reproduce, committed frames rebuild from their seeds, clash/connectivity rules hold', () => {
    const r = spawnSync(PYTHON, ['-m', 'unittest', 'discover', '-s', import.meta.dirname, '-p', 'water_clusters_test.py'], {
      cwd, encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
    });
    expect(r.stderr, r.stdout).toMatch(/\nOK\s*$/);
    expect(r.stderr).toMatch(/Ran 23 tests/);
    expect(r.status).toBe(0);
  });
});

/** Split of a seed, as tools/water_clusters.py split_of: sha256(str(seed)), first 8 hex digits, mod 10. */
function splitOf(seed: number): string {
  const bucket = parseInt(createHash('sha256').update(String(seed)).digest('hex').slice(0, 8), 16) % 10;
  return bucket < 8 ? 'train' : bucket === 8 ? 'val' : 'test';
}

describe('examples/water/dataset as e3md reads it', () => {
  const files = readdirSync(DATASET).filter((f) => f.endsWith('.extxyz'));

  it('every kind of the generator has its files, and nothing else is there', () => {
    for (const f of files) expect(Object.keys(SEED_BASE), f).toContain(f.replace(/-(train|val|test)\.extxyz$/, ''));
    for (const kind of ['monomer', 'dimer', 'trimer', 'tetramer', 'pentamer', 'hexamer']) expect(files).toContain(`${kind}-train.extxyz`);
  });

  it('each frame: its kind and split, a seed in its kind\'s range, energy and finite forces', () => {
    for (const f of files) {
      const [, kind, split] = /^(.*)-(train|val|test)\.extxyz$/.exec(f)!;
      const keys = new Set<string>();
      for (const frame of readExtxyz(join(DATASET, f))) {
        const where = `${f}:${frame.line}`;
        const seed = frame.info.get('seed') as number;
        expect(frame.info.get('config_type'), where).toBe(kind);
        expect(seed - SEED_BASE[kind!]!, where).toBeGreaterThanOrEqual(0);
        expect(seed - SEED_BASE[kind!]!, where).toBeLessThan(1_000_000);
        expect(splitOf(seed), where).toBe(split);
        expect(frame.symbols, where).toEqual(Array(MOLECULES[kind!]).fill(['O', 'H', 'H']).flat());
        expect(Number.isFinite(frame.energy_eV), where).toBe(true);
        expect(frame.forces?.every(Number.isFinite), where).toBe(true);
        const key = `${seed}/${frame.info.get('md_step') ?? ''}`;
        expect(keys.has(key), `${where} repeats ${key}`).toBe(false);
        keys.add(key);
      }
    }
  });
});
