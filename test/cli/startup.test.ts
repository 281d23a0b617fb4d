/**
 * What a command loads. onnxruntime-node, protobufjs and piscina are loaded when first used (a
 * session, a checkpoint or an ONNX file, a worker pool), and a command line loads only the command
 * it names: a Lennard-Jones run on one worker starts without any of them. Each case is a fresh
 * process (the sources through tsx), which then lists the packages in Node's module cache.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { baseInput, ROOT, runDir } from './fixtures.js';

const LAZY = ['onnxruntime-node', 'protobufjs', 'piscina'];

/** Runs `e3md ...args` in a fresh process; returns its exit code and which of LAZY it loaded. */
function loadedBy(args: string[]): { code: number; loaded: string[] } {
  const script = `
    import { createRequire } from 'node:module';
    const { main } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'cli', 'main.ts')).href)});
    const quiet = { write: () => true, isTTY: false };
    const code = await main(['node', 'e3md', ...${JSON.stringify(args)}], { stdout: quiet, stderr: quiet });
    const cached = Object.keys(createRequire(import.meta.url).cache);
    const loaded = ${JSON.stringify(LAZY)}.filter((p) => cached.some((f) => f.includes('/node_modules/' + p + '/')));
    process.stdout.write(JSON.stringify({ code, loaded }));`;
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const r = spawnSync(process.execPath, ['--import', tsx, '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`child failed (${r.status}): ${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout) as { code: number; loaded: string[] };
}

describe('start-up loads only what the command uses', () => {
  it('a Lennard-Jones run without checkpoints loads none of onnxruntime-node, protobufjs, piscina', () => {
    const { checkpoint: _c, ...input } = baseInput();
    const dir = runDir({ ...input, steps: 5 });
    expect(loadedBy(['run', join(dir, 'input.json'), '-q'])).toEqual({ code: 0, loaded: [] });
  });

  it('the same run with a checkpoint loads protobufjs, and with two workers piscina', () => {
    const dir = runDir({ ...baseInput(), steps: 5, parallel: { workers: 2 } });
    const { code, loaded } = loadedBy(['run', join(dir, 'input.json'), '-q']);
    expect(code).toBe(0);
    expect(loaded.sort()).toEqual(['piscina', 'protobufjs']);
  });

  it('e3md info of an ONNX potential loads protobufjs but not onnxruntime-node', () => {
    expect(loadedBy(['info', join(ROOT, 'examples', 'water', 'water-nequip.onnx')])).toEqual({ code: 0, loaded: ['protobufjs'] });
  });
});
