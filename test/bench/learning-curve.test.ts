import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { curveModelSections, restorePoints, runLearningCurve, type LearningCurveOptions } from '../../bench/learning-curve.js';
import { learningCurveSvg } from '../../bench/learning-curve-plot.js';
import { miniConfig, tempDir, writeConfig } from '../train/helpers.js';

// A learning rate so small that the validation loss never improves by the 50 % threshold: every
// run stops early at epoch 2 (converged by the curve's definition), well before the cap.
const training = { max_epochs: 5, batch_size: 4, learning_rate: 1e-9, seed: 2, early_stopping_patience: 1, lr_schedule: { factor: 0.5, patience: 10, min_learning_rate: 1e-10, threshold: 0.5 } };
const allegro = { numLayers: 1, numTensorFeatures: 4, latentDim: 8, twoBodyMlp: { hidden: [8] }, latentMlp: { hidden: [8] }, edgeEnergyMlp: { hidden: [8] } };

function setup(patch: Record<string, unknown> = {}) {
  const dir = tempDir();
  const configPath = writeConfig(dir, miniConfig(dir, { training, ...patch }));
  const lines: string[] = [];
  const options = (extra: Partial<LearningCurveOptions> = {}): LearningCurveOptions => ({ configPath, models: ['nequip-l0', 'nequip-l1'], sizes: [4, 8], maxEpochs: 5, threads: 1, workDir: join(dir, 'work'), log: (l) => lines.push(l), ...extra });
  return { dir, configPath, lines, options };
}

describe('bench/learning-curve.ts (tiny sizes)', () => {
  it('trains every model at every size to its stopping rule, stores each point, fits β and draws the figure', async () => {
    const { dir, lines, options } = setup();
    const curve = await runLearningCurve(options({ out: join(dir, 'lc') }));
    expect(curve.models.map((m) => [m.name, m.architecture, m.lmax])).toEqual([['nequip-l0', 'nequip', 0], ['nequip-l1', 'nequip', 1]]);
    expect(curve.models[1]!.parameters).toBeGreaterThan(curve.models[0]!.parameters);
    expect(curve.points.map((p) => `${p.model}:${p.trainStructures}`)).toEqual(['nequip-l0:4', 'nequip-l1:4', 'nequip-l0:8', 'nequip-l1:8']);
    for (const p of curve.points) {
      expect(p.converged, p.reason).toBe(true);
      expect(p.epochs).toBe(2);
      expect(p.test.forceMae_meV_per_A).toBeGreaterThan(0);
      expect(existsSync(join(dir, 'work', `${p.model}-${p.size}`, 'point.json'))).toBe(true);
    }
    expect(curve.testStructures).toBe(4);
    expect(curve.fits.map((f) => [f.model, f.points])).toEqual([['nequip-l0', 2], ['nequip-l1', 2]]);
    expect(Number.isFinite(curve.fits[0]!.beta)).toBe(true);
    // The files after the last point hold every point.
    const stored = JSON.parse(readFileSync(join(dir, 'lc.json'), 'utf8'));
    expect(stored.points).toHaveLength(4);
    const svg = readFileSync(join(dir, 'lc.svg'), 'utf8');
    expect(svg).toBe(learningCurveSvg(stored));
    // Per model: its points joined, and its fit dashed (in the plot and the legend).
    expect(svg.match(/<polyline /g)).toHaveLength(4);
    expect(svg.match(/<polyline [^>]*stroke-dasharray/g)).toHaveLength(2);
    expect(svg).toContain(`nequip-l1 (lmax 1, ${curve.models[1]!.parameters.toLocaleString('en-US')} params)`);
    expect(svg).toContain(`fit: MAE ∝ N^−β, β = ${curve.fits[1]!.beta.toFixed(2)}`);
    expect(svg).toMatch(/>4<\/text>/); // labelled ticks at the data's ends
    expect(svg).toMatch(/>8<\/text>/);
    expect(lines.filter((l) => /training on/.test(l))).toHaveLength(4);

    // A second run trains nothing, a third adds a model and a size without retraining the others.
    lines.length = 0;
    const again = await runLearningCurve(options());
    expect(lines.filter((l) => /training on/.test(l))).toHaveLength(0);
    expect(again.points).toEqual(curve.points);
    const more = await runLearningCurve(options({ models: ['nequip-l0', 'allegro'], sizes: [4], allegro }));
    expect(lines.filter((l) => /training on/.test(l))).toEqual([expect.stringMatching(/^allegro-4: training on 4 structures/)]);
    expect(more.models[1]).toMatchObject({ name: 'allegro', architecture: 'allegro', lmax: 2 });
    expect(more.points.map((p) => p.model)).toEqual(['nequip-l0', 'allegro']);
    expect(more.runs.map((r) => r.points)).toEqual([4, 0, 1]);

    // A new machine: the stored curve's points written back into an empty work folder are reused, not retrained.
    const fresh = join(dir, 'work-restored');
    expect(restorePoints(join(dir, 'lc.json'), fresh)).toBe(4);
    expect(restorePoints(join(dir, 'lc.json'), fresh)).toBe(0); // existing points are left alone
    lines.length = 0;
    const restored = await runLearningCurve(options({ workDir: fresh }));
    expect(lines.filter((l) => /training on/.test(l))).toHaveLength(0);
    expect(restored.points).toEqual(curve.points);
    expect(restored.runs.map((r) => r.points)).toEqual([4, 0]);
  });

  it('resumes an interrupted point from its checkpoint, giving the point an uninterrupted run gives', async () => {
    const { lines, options } = setup({ training: { ...training, learning_rate: 0.01, early_stopping_patience: 10 } });
    const whole = setup({ training: { ...training, learning_rate: 0.01, early_stopping_patience: 10 } });
    const o = { models: ['nequip-l1'], sizes: [4], maxEpochs: 3 };
    const ref = await runLearningCurve(whole.options(o));
    const first = await runLearningCurve(options({ ...o, stopAfterEpochs: 2 }));
    expect(first.points).toHaveLength(0);
    const second = await runLearningCurve(options(o));
    expect(lines.filter((l) => /nequip-l1-4: (training|resuming)/.test(l)).map((l) => l.split(' ')[1])).toEqual(['training', 'resuming']);
    const strip = ({ wall_s: _w, cpu_s: _c, finished: _f, sessions: _s, ...p }: (typeof ref.points)[number]) => p;
    expect(second.points.map(strip)).toEqual(ref.points.map(strip));
    expect(second.points[0]!.sessions).toBe(2);
    expect(second.points[0]!.converged).toBe(false); // it ran into the epoch cap
    expect(second.fits).toEqual([]);
  });

  it('two runs sharing a work folder (one per core) both stay in its run history', async () => {
    const { dir, options } = setup();
    const [a, b] = await Promise.all([
      runLearningCurve(options({ models: ['nequip-l0'], sizes: [4], command: 'run A' })),
      runLearningCurve(options({ models: ['nequip-l1'], sizes: [4], command: 'run B' })),
    ]);
    expect(a.points).toHaveLength(1);
    expect(b.points).toHaveLength(1);
    const runs = JSON.parse(readFileSync(join(dir, 'work', 'runs.json'), 'utf8')) as { command: string; points: number; ended?: string }[];
    expect(runs.map((r) => [r.command, r.points, typeof r.ended])).toEqual([['run A', 1, 'string'], ['run B', 1, 'string']]);
  });

  it('refuses points trained with other settings, leaves locked points alone, and names unknown models', async () => {
    const { dir, configPath, lines, options } = setup();
    await runLearningCurve(options({ models: ['nequip-l0'], sizes: [4] }));
    writeConfig(dir, miniConfig(dir, { training: { ...training, seed: 3 } }));
    await expect(runLearningCurve(options({ models: ['nequip-l0'], sizes: [4] }))).rejects.toThrow(/nequip-l0-4\/point\.json: this point was trained with other settings or data than .*train\.json gives now/);
    writeConfig(dir, miniConfig(dir, { training }));
    // A point locked by a live process (our parent) is skipped.
    const locked = join(dir, 'work', 'nequip-l0-8');
    await runLearningCurve(options({ models: ['nequip-l0'], sizes: [8], stopAfterEpochs: 1 }));
    writeFileSync(join(locked, 'lock'), String(process.ppid));
    const r = await runLearningCurve(options({ models: ['nequip-l0'], sizes: [8] }));
    expect(r.points).toHaveLength(0);
    expect(lines).toContain('nequip-l0-8: being trained by another process; skipped');
    expect(configPath).toMatch(/train\.json$/);
    expect(() => curveModelSections(['nequip-lx'], {})).toThrow(/unknown model 'nequip-lx' \(use nequip-l<lmax>\[-f<features>\] or allegro\[-l<lmax>\]\)/);
    expect(curveModelSections(['nequip-l0-f96'], { architecture: 'nequip', lmax: 2, numFeatures: 32 })[0]!.section).toMatchObject({ lmax: 0, numFeatures: 96 });
  });
});
