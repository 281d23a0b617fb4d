/** Parsers of numeric command-line values for commander: each names what it expected and what it got. */
import { InvalidArgumentError } from 'commander';

/** An integer ≥ 0 (`--steps 0` is a valid request: evaluate and observe step 0 only). */
export function nonNegativeInteger(text: string): number {
  const v = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(v)) throw new InvalidArgumentError(`expected a non-negative integer, got "${text}"`);
  return v;
}

/** An integer ≥ 1 (counts: threads, workers). */
export function positiveInteger(text: string): number {
  const v = nonNegativeInteger(text);
  if (v < 1) throw new InvalidArgumentError(`expected a positive integer, got "${text}"`);
  return v;
}

/** Any integer (seeds may be negative). */
export function integer(text: string): number {
  const v = Number(text);
  if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(v)) throw new InvalidArgumentError(`expected an integer, got "${text}"`);
  return v;
}

/** Any finite number (its range is checked by whoever takes it, e.g. a model option's schema). */
export function finiteNumber(text: string): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v)) throw new InvalidArgumentError(`expected a number, got "${text}"`);
  return v;
}

/** A finite number > 0 (sizes: `--memory-gb`). */
export function positiveNumber(text: string): number {
  const v = Number(text);
  if (text.trim() === '' || !(v > 0) || !Number.isFinite(v)) throw new InvalidArgumentError(`expected a positive number, got "${text}"`);
  return v;
}
