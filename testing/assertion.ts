/**
 * The error every e3md/testing check throws: a plain Error subclass, so the checks work under any
 * test runner (vitest, node:test, mocha) or none.
 */

/** A failed e3md/testing check; `message` names what was compared and both values. */
export class AssertionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AssertionError';
  }
}

/** Throws an {@link AssertionError} with `message` unless `ok`. */
export function check(ok: boolean, message: () => string): void {
  if (!ok) throw new AssertionError(message());
}
