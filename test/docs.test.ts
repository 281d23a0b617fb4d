/**
 * The user-facing documentation lives in the repository (docs/) and what points at it resolves:
 * README and every command's help cite docs/ files that exist, no user-facing text sends people
 * to a DESIGN.md outside the repository, and every relative link in docs/ and README.md leads to
 * a file that exists.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { e3md, ROOT } from './cli/fixtures.js';

const userText = ['README.md', ...readdirSync(join(ROOT, 'docs')).map((f) => `docs/${f}`), 'examples/water/README.md', 'examples/water-nequip/README.md'];

describe('documentation', () => {
  it('README, examples and docs/ never send users to DESIGN.md, and their relative links resolve', () => {
    for (const f of userText) {
      const text = readFileSync(join(ROOT, f), 'utf8');
      expect(text, f).not.toMatch(/DESIGN\.md/);
      for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue; // a URL
        expect(existsSync(resolve(dirname(join(ROOT, f)), target!)), `${f} → ${target}`).toBe(true);
      }
    }
  });

  it('every command\'s help cites docs/ files that exist, none cites DESIGN.md', async () => {
    const helps = [await e3md('--help'), ...(await Promise.all(['run', 'eval', 'train', 'model', 'info', 'plot', 'serve', 'bench'].map((c) => e3md('help', c)))), await e3md('model', 'create', '--help')];
    const cited = new Set<string>();
    for (const h of helps) {
      const text = h.stdout + h.stderr;
      expect(text).not.toMatch(/DESIGN\.md/);
      for (const [m] of text.replace(/\s+/g, ' ').matchAll(/docs\/[\w.-]+\.md/g)) cited.add(m);
    }
    for (const f of ['docs/README.md', 'docs/formats.md', 'docs/guide-dft-to-md.md', 'docs/input-json.md', 'docs/onnx-contract.md', 'docs/thermo.md', 'docs/train-json.md']) expect(cited, f).toContain(f);
    for (const f of cited) expect(existsSync(join(ROOT, f)), f).toBe(true);
  });

  it('docs/input-json.md names every top-level input.json key, docs/train-json.md every train config key', () => {
    const input = JSON.parse(readFileSync(join(ROOT, 'io', 'input.schema.json'), 'utf8')) as { properties: Record<string, unknown> };
    const inputDoc = readFileSync(join(ROOT, 'docs', 'input-json.md'), 'utf8');
    for (const k of Object.keys(input.properties)) expect(inputDoc, k).toContain(`\`${k}`);
    const train = JSON.parse(readFileSync(join(ROOT, 'train', 'train.schema.json'), 'utf8')) as { properties: Record<string, { properties?: Record<string, unknown> }> };
    const trainDoc = readFileSync(join(ROOT, 'docs', 'train-json.md'), 'utf8');
    for (const section of ['data', 'loss', 'training', 'output']) {
      for (const k of Object.keys(train.properties[section]!.properties ?? {})) expect(trainDoc, `${section}.${k}`).toContain(`\`${k}\``);
    }
  });
});
