/**
 * Static shapes with symbolic dimensions. A dimension is a non-negative integer or a symbol such as
 * `'N'` (atoms) or `'E'` (edges); a product of symbols and integers is written `'E*3'`. Symbols are
 * bound to numbers when a graph is evaluated, and resolved from the inputs' shapes when written to ONNX.
 */

/** One dimension: a fixed size or a symbol (`'N'`, `'E'`, `'N*3'`). */
export type Dim = number | string;

/** A shape, outermost axis first (row-major). `[]` is a scalar. */
export type Shape = readonly Dim[];

/** `[N, 3]`-style text for error messages. */
export function formatShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

/** Checks a user-given dimension and returns it, or throws naming `what`. */
export function checkDim(d: Dim, what: string): Dim {
  if (typeof d === 'number') {
    if (!Number.isInteger(d) || d < 0) throw new Error(`${what}: dimension ${d} must be a non-negative integer or a symbol`);
    return d;
  }
  if (!/^[A-Za-z_][A-Za-z0-9_]*(\*([A-Za-z_][A-Za-z0-9_]*|[0-9]+))*$/.test(d)) {
    throw new Error(`${what}: symbolic dimension '${d}' must be a name or a product like 'E*3'`);
  }
  return d;
}

/** The factors of a dimension: its integer part and its sorted symbols (`'E*3*N'` → 3, [E, N]). */
export function dimFactors(d: Dim): { k: number; syms: string[] } {
  if (typeof d === 'number') return { k: d, syms: [] };
  let k = 1;
  const syms: string[] = [];
  for (const p of d.split('*')) {
    if (/^[0-9]+$/.test(p)) k *= Number(p);
    else syms.push(p);
  }
  syms.sort();
  return { k, syms };
}

function fromFactors(k: number, syms: string[]): Dim {
  if (syms.length === 0 || k === 0) return k;
  return k === 1 ? syms.join('*') : [...syms, String(k)].join('*');
}

/** The product of dimensions in canonical form (so `N*3` from two routes compare equal). */
export function dimProduct(dims: Shape): Dim {
  let k = 1;
  const syms: string[] = [];
  for (const d of dims) {
    const f = dimFactors(d);
    k *= f.k;
    syms.push(...f.syms);
  }
  syms.sort();
  return fromFactors(k, syms);
}

/** `a / b` when it is exact (symbols cancel, integers divide), else `undefined`. */
export function dimQuotient(a: Dim, b: Dim): Dim | undefined {
  const fa = dimFactors(a);
  const fb = dimFactors(b);
  if (fb.k === 0 || fa.k % fb.k !== 0) return undefined;
  const syms = [...fa.syms];
  for (const s of fb.syms) {
    const i = syms.indexOf(s);
    if (i < 0) return undefined;
    syms.splice(i, 1);
  }
  return fromFactors(fa.k / fb.k, syms);
}

/** Equality of two dimensions up to the order of factors. */
export function dimEqual(a: Dim, b: Dim): boolean {
  return dimProduct([a]) === dimProduct([b]);
}

/** Equality of two shapes. */
export function shapeEqual(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => dimEqual(d, b[i]!));
}

/**
 * NumPy broadcasting of static shapes. Two symbols broadcast only when equal: `N` against `E` is an
 * error when the graph is built, not when it runs.
 */
export function broadcastShapes(shapes: readonly Shape[], what: string): Dim[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: Dim[] = [];
  for (let ax = 0; ax < rank; ax++) {
    let d: Dim = 1;
    for (const s of shapes) {
      const e = s[s.length - rank + ax] ?? 1;
      if (e === 1) continue;
      if (d === 1) d = e;
      else if (!dimEqual(d, e)) throw new Error(`${what}: shapes ${shapes.map(formatShape).join(' and ')} do not broadcast (axis ${ax}: ${d} vs ${e})`);
    }
    out.push(d);
  }
  return out;
}

/** Numeric size of a dimension under a symbol binding, or an error naming the unbound symbol. */
export function evalDim(d: Dim, symbols: ReadonlyMap<string, number>, what: string): number {
  const f = dimFactors(d);
  let n = f.k;
  for (const s of f.syms) {
    const v = symbols.get(s);
    if (v === undefined) throw new Error(`${what}: symbolic dimension '${s}' is not bound by any input`);
    n *= v;
  }
  return n;
}

/** Whether a dimension is one bare symbol (`'N'`), the kind an input's axis can bind; not a number or a product (`'E*3'`). */
export function isSymbol(d: Dim): d is string {
  return typeof d === 'string' && !d.includes('*');
}

/** Normalizes a possibly negative axis for a rank, or throws naming `what`. */
export function normAxis(axis: number, rank: number, what: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) throw new Error(`${what}: axis ${axis} is out of range for rank ${rank}`);
  return a;
}
