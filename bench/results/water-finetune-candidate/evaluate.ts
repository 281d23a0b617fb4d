/**
 * Test-split errors of water models, per cluster kind and over all cluster kinds, on two sets of
 * frames: the test frames the shipped model was scored on (the first frames of each test file, as
 * many as examples/water/dataset/counts.json held at commit fa62389) and every test frame now in
 * the files (the dataset grew since). Each number is `e3md eval` on the frames (one thread); the
 * "clusters" rows combine them exactly (force MAE weighted by force components, energy MAE per
 * atom by frames), as `e3md eval` on the concatenated files would give.
 *
 * Usage: npx tsx bench/results/water-finetune-candidate/evaluate.ts MODEL.onnx [MODEL2.onnx …] > out.json
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..', '..');
const dataset = join(root, 'examples', 'water', 'dataset');
/** Kinds evaluated, with atoms per frame. */
const KINDS: Record<string, number> = {
  monomer: 3, dimer: 6, trimer: 9, tetramer: 12, pentamer: 15, hexamer: 18, 'md-tetramer': 12, 'md-pentamer': 15, 'md-hexamer': 18, 'md2-hexamer': 18,
  'short-dimer': 6, 'stretched-monomer': 3, 'stretched-tetramer': 12,
};
/** Kinds left out of the "clusters" rows and reported on their own: the repulsive wall and the stretched O–H bonds. */
const APART = new Set(['short-dimer', 'stretched-monomer', 'stretched-tetramer']);
const shipped = JSON.parse(execFileSync('git', ['-C', root, 'show', 'fa62389:examples/water/dataset/counts.json'], { encoding: 'utf8' })) as Record<string, { test: number }>;

/** The frames of an extxyz file as text blocks. */
function frames(path: string): string[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const out: string[] = [];
  for (let k = 0; k < lines.length && lines[k]!.trim() !== '';) {
    const n = Number(lines[k]);
    out.push(lines.slice(k, k + n + 2).join('\n') + '\n');
    k += n + 2;
  }
  return out;
}

interface Errors { frames: number; energyMae_meV_per_atom: number; forceMae_meV_per_A: number }

function evaluate(model: string, text: string, dir: string): Errors {
  const file = join(dir, 'frames.extxyz');
  writeFileSync(file, text);
  const out = execFileSync(process.execPath, [join(root, 'bin', 'e3md.js'), 'eval', '--model', model, '--structure', file, '--threads', '1'], { encoding: 'utf8' });
  const energy = /energy vs labels \((\d+) frames\): MAE ([\d.]+) meV\/atom/.exec(out), forces = /forces vs labels \((\d+) frames\): MAE ([\d.]+) meV\/Å/.exec(out);
  if (!energy || !forces) throw new Error(`evaluate: no MAE lines in the output of e3md eval for ${model}`);
  return { frames: Number(energy[1]), energyMae_meV_per_atom: Number(energy[2]), forceMae_meV_per_A: Number(forces[2]) };
}

const dir = mkdtempSync(join(tmpdir(), 'e3md-water-eval-'));
const result: Record<string, unknown> = { date: new Date().toISOString(), models: {} };
try {
  for (const model of process.argv.slice(2)) {
    const rows: Record<string, Record<string, Errors>> = { shipped_frames: {}, all_frames: {} };
    for (const kind of Object.keys(KINDS)) {
      let all: string[];
      try { all = frames(join(dataset, `${kind}-test.extxyz`)); } catch { continue; }
      const old = all.slice(0, shipped[kind]?.test ?? 0);
      if (old.length > 0) rows.shipped_frames![kind] = evaluate(model, old.join(''), dir);
      if (all.length > 0) rows.all_frames![kind] = evaluate(model, all.join(''), dir);
    }
    for (const set of Object.values(rows)) {
      let components = 0, force = 0, frameCount = 0, energy = 0;
      for (const [kind, e] of Object.entries(set)) {
        if (APART.has(kind)) continue;
        const c = 3 * KINDS[kind]! * e.frames;
        components += c; force += c * e.forceMae_meV_per_A;
        frameCount += e.frames; energy += e.frames * e.energyMae_meV_per_atom;
      }
      set.clusters = { frames: frameCount, energyMae_meV_per_atom: energy / frameCount, forceMae_meV_per_A: force / components };
    }
    (result.models as Record<string, unknown>)[model] = rows;
    process.stderr.write(`${model}: clusters ${JSON.stringify(rows.shipped_frames!.clusters)} (shipped frames), ${JSON.stringify(rows.all_frames!.clusters)} (all)\n`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.stdout.write(JSON.stringify(result, null, 1) + '\n');
