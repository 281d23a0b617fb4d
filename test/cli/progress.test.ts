import { describe, expect, it } from 'vitest';
import { createProgressBar, formatDuration } from '../../cli/progress.js';

describe('progress bar', () => {
  it('shows steps, steps/s and ETA, redraws at most every 100 ms, and prints lines above itself', () => {
    let out = '';
    let t = 0;
    const bar = createProgressBar({ write: (s: string) => { out += s; }, columns: 100 }, 0, 1000, () => t);
    t = 50; bar.update(10); // first draw
    expect(out).toMatch(/\r\[\.+\] 10\/1000 steps {2}200 steps\/s {2}ETA 5\.0 s\x1b\[K$/);
    out = '';
    t = 60; bar.update(11); // too soon: no redraw
    expect(out).toBe('');
    t = 1000; bar.update(500);
    expect(out).toMatch(/\[#+\.+\] 500\/1000 steps {2}500 steps\/s {2}ETA 1\.0 s/);
    out = '';
    bar.print('  row');
    expect(out.startsWith('\r\x1b[K  row\n\r[')).toBe(true);
    out = '';
    bar.clear();
    expect(out).toBe('\r\x1b[K');
  });

  it('formats durations', () => {
    expect(formatDuration(4.44)).toBe('4.4 s');
    expect(formatDuration(125)).toBe('2 min 05 s');
    expect(formatDuration(3725)).toBe('1 h 02 min');
    expect(formatDuration(NaN)).toBe('?');
  });
});
