import { describe, expect, it } from 'vitest';
import { createProgressBar, formatDuration } from '../../cli/progress.js';

describe('progress bar', () => {
  it('shows steps, steps/s and ETA, redraws at most every 100 ms, and prints lines above itself', () => {
    let out = '';
    let t = 0;
    const bar = createProgressBar({ write: (s: string) => { out += s; }, columns: 100 }, 0, 1000, () => t);
    t = 100; bar.update(1); // the rate clock starts at the first step
    t = 200; bar.update(21); // too soon (< 250 ms): no draw yet
    expect(out).toBe('');
    t = 300; bar.update(41); // 40 steps in 200 ms
    expect(out).toMatch(/\r\[#{0,2}\.+\] 41\/1000 steps {2}200 steps\/s {2}ETA 4\.8 s\x1b\[K$/);
    out = '';
    t = 350; bar.update(51); // < 100 ms since the last draw
    expect(out).toBe('');
    t = 1100; bar.update(501);
    expect(out).toMatch(/\[#+\.+\] 501\/1000 steps {2}500 steps\/s {2}ETA 1\.0 s/);
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
