/**
 * `e3md plot`: a thermo CSV or a training metrics.csv becomes a standalone SVG (well-formed XML,
 * one panel per quantity, labelled ticks over the whole range of the data) with no other software.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { axisTicks, tickLabel } from '../../io/index.js';
import { pythonOrWarn, runPythonJson } from '../harness/python.js';
import { baseInput, e3md, ROOT, runDir } from './fixtures.js';

/** Checks an SVG parses as XML and returns its panel titles (bold texts). */
function svgTitles(svg: string): string[] {
  expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
  expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
  return [...svg.matchAll(/font-weight="bold">([^<]*)</g)].map((m) => m[1]!);
}

describe('axis ticks', () => {
  it('cover the data with a tick at each end, linear and logarithmic', () => {
    for (const [values, log] of [[[-33.5679, -33.5671], false], [[0.3, 97.2], false], [[30.5, 207], true], [[2e-4, 0.35], true], [[25, 200], true], [[5, 5], false]] as const) {
      const a = axisTicks(values as unknown as number[], log);
      expect(a.min).toBeLessThanOrEqual(Math.min(...values));
      expect(a.max).toBeGreaterThanOrEqual(Math.max(...values));
      expect(a.ticks[0]).toBe(a.min);
      expect(a.ticks[a.ticks.length - 1]).toBe(a.max);
      expect(a.ticks.length).toBeGreaterThanOrEqual(3);
      expect(a.ticks.length).toBeLessThanOrEqual(12);
    }
    expect(axisTicks([30.5, 207], true).ticks).toEqual([30, 50, 100, 200, 300]);
    expect(axisTicks([25, 200], true).ticks).toEqual([20, 30, 50, 100, 200]);
    expect(axisTicks([0.3, 97.2], false).ticks).toEqual([0, 20, 40, 60, 80, 100]);
    expect([0.005, 5e-4, 2e-5, 1234.5, 1e7].map(tickLabel)).toEqual(['0.005', '5e-4', '2e-5', '1234.5', '1e7']);
  });
});

describe('e3md plot', () => {
  it('draws a thermo CSV next to it: total, potential and kinetic energy, temperature, pressure', async () => {
    const dir = runDir({ ...baseInput(), steps: 40, trajectory: [], checkpoint: undefined });
    expect((await e3md('run', join(dir, 'input.json'), '-q')).code).toBe(0);
    const r = await e3md('plot', join(dir, 'thermo.csv'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/wrote .*thermo\.svg/);
    const svg = readFileSync(join(dir, 'thermo.svg'), 'utf8');
    expect(svgTitles(svg)).toEqual(['total energy', 'potential energy', 'kinetic energy', 'temperature', 'pressure']);
    expect(svg.match(/<polyline /g)).toHaveLength(5);
    expect(svg).toContain('time (fs)');
  });

  it('leaves out the pressure of a cluster (NaN), and draws a training metrics.csv on log axes with the best epochs ringed', async () => {
    const dir = runDir({ ...baseInput(), steps: 20, trajectory: [], checkpoint: undefined });
    writeFileSync(join(dir, 'argon.extxyz'), '2\nProperties=species:S:1:pos:R:3\nAr 0 0 0\nAr 3.8 0 0\n');
    expect((await e3md('run', join(dir, 'input.json'), '-q')).code).toBe(0);
    expect((await e3md('plot', join(dir, 'thermo.csv'), '--out', join(dir, 'p.svg'))).code).toBe(0);
    expect(svgTitles(readFileSync(join(dir, 'p.svg'), 'utf8'))).not.toContain('pressure');

    const metrics = join(ROOT, 'examples', 'water', 'training', 'metrics.csv');
    const r = await e3md('plot', metrics, '--out', join(dir, 'm.svg'));
    expect(r.code).toBe(0);
    const svg = readFileSync(join(dir, 'm.svg'), 'utf8');
    expect(svgTitles(svg)).toEqual(['loss', 'energy error', 'force error', 'learning rate']);
    const best = readFileSync(metrics, 'utf8').trim().split('\n').slice(1).filter((l) => l.split(',')[10] === '1').length;
    expect(svg.match(/r="4\.5" fill="none"/g)).toHaveLength(3 * best); // ringed in the loss, energy and force panels
    if (pythonOrWarn('SVG is well-formed XML', 'xml.etree.ElementTree')) {
      expect(runPythonJson('import sys, json, xml.etree.ElementTree as E; print(json.dumps(E.parse(sys.argv[1]).getroot().tag))', [join(dir, 'm.svg')])).toBe('{http://www.w3.org/2000/svg}svg');
    }
  });

  it('names what is wrong: not an e3md CSV, a missing file, --out onto the CSV', async () => {
    const dir = runDir();
    writeFileSync(join(dir, 'other.csv'), 'a,b\n1,2\n');
    const other = await e3md('plot', join(dir, 'other.csv'));
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/other\.csv: not an e3md thermo CSV \(step,time_fs,…\) or training metrics\.csv \(epoch,learning_rate,…\); its header is "a,b"/);
    expect((await e3md('plot', join(dir, 'none.csv'))).stderr).toMatch(/none\.csv: file not found/);
    const same = await e3md('plot', join(dir, 'other.csv'), '--out', join(dir, 'other.csv'));
    expect(same.code).toBe(2);
    expect(same.stderr).toMatch(/is the same file as the CSV/);
    expect(existsSync(join(dir, 'other.svg'))).toBe(false);
  });
});
