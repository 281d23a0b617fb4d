/**
 * Compiles a tensor-product plan into one specialized JavaScript function (as e3nn compiles its
 * plans with torch.fx): per instruction, the 3j contraction is unrolled over the components
 * with the 3j values and offsets inlined as constants, leaving loops only over the batch and the
 * multiplicities. Inputs are first contracted with input 2 (M[i,k] = Σ_j C[i,j,k] x2[j]), reused
 * by every channel u of input 1.
 *
 * The generated code only reads and writes the typed arrays it is given (no allocation).
 */

/** What the compiler needs to know about one instruction. */
export interface KernelInstruction {
  readonly mode: 'uvw' | 'uvu' | 'uvv' | 'uuw' | 'uuu';
  readonly hasWeight: boolean;
  readonly weightOffset: number;
  /** Start of the term in input 1, input 2 and the output (components within one sample). */
  readonly s1: number;
  readonly s2: number;
  readonly so: number;
  readonly d1: number;
  readonly d2: number;
  readonly d3: number;
  readonly mul1: number;
  readonly mul2: number;
  readonly mulOut: number;
  /** Nonzero 3j entries, already multiplied by the path coefficient. */
  readonly entries: readonly { readonly i: number; readonly j: number; readonly k: number; readonly value: number }[];
}

/** out[batch, dimOut] += TP(x1[batch, dim1], x2[batch, dim2]; weights with stride wStride per sample). */
export type TpKernel = (x1: Float64Array, x2: Float64Array, weights: Float64Array, out: Float64Array, batch: number, wStride: number) => void;

const num = (v: number): string => (Object.is(v, -0) ? '0' : String(v));

function instructionCode(ins: KernelInstruction, n: number): string {
  const { d1, d3 } = ins;
  const lines: string[] = [];
  // M[i][k] = Σ_j C[i,j,k] y_j as an expression over the locals y_j
  const terms = new Map<string, string[]>();
  for (const e of ins.entries) {
    const key = `${e.i}_${e.k}`;
    const list = terms.get(key) ?? [];
    list.push(`${num(e.value)} * y${e.j}`);
    terms.set(key, list);
  }
  const loadY = (p: string): string => {
    const used = new Set(ins.entries.map((e) => e.j));
    return [...used].map((j) => `const y${j} = x2[${p} + ${j}];`).join(' ');
  };
  const mDecl = [...terms].map(([key, list]) => `const m${key} = ${list.join(' + ')};`).join('\n');
  const usedI = new Set(ins.entries.map((e) => e.i));
  const loadA = (p: string): string => [...usedI].map((i) => `const a${i} = x1[${p} + ${i}];`).join(' ');
  const sExpr = (k: number): string => {
    const parts: string[] = [];
    for (let i = 0; i < d1; i++) if (terms.has(`${i}_${k}`)) parts.push(`a${i} * m${i}_${k}`);
    return parts.length ? parts.join(' + ') : '0';
  };
  const ks = Array.from({ length: d3 }, (_, k) => k).filter((k) => sExpr(k) !== '0');
  const w = (idx: string): string => (ins.hasWeight ? `weights[bw + ${ins.weightOffset} + ${idx}]` : '1');
  const sharedU = ins.mode === 'uuw' || ins.mode === 'uuu';
  lines.push(`// instruction ${n}: ${ins.mode}`);
  if (sharedU) {
    lines.push(`for (let u = 0; u < ${ins.mul1}; u++) {`);
    lines.push(`const p2 = b2 + ${ins.s2} + u * ${ins.d2}; ${loadY('p2')}`);
    lines.push(mDecl);
  } else {
    lines.push(`for (let v = 0; v < ${ins.mul2}; v++) {`);
    lines.push(`const p2 = b2 + ${ins.s2} + v * ${ins.d2}; ${loadY('p2')}`);
    lines.push(mDecl);
    lines.push(`for (let u = 0; u < ${ins.mul1}; u++) {`);
  }
  lines.push(`const p1 = b1 + ${ins.s1} + u * ${d1}; ${loadA('p1')}`);
  if (ins.mode === 'uvw' || ins.mode === 'uuw') {
    for (const k of ks) lines.push(`const s${k} = ${sExpr(k)};`);
    const wIdx = ins.mode === 'uvw' ? `(u * ${ins.mul2} + v) * ${ins.mulOut} + w` : `u * ${ins.mulOut} + w`;
    lines.push(`for (let w = 0; w < ${ins.mulOut}; w++) {`);
    lines.push(`const c = ${w(wIdx)}; const po = bo + ${ins.so} + w * ${d3};`);
    for (const k of ks) lines.push(`out[po + ${k}] += c * s${k};`);
    lines.push('}');
  } else {
    const wIdx = ins.mode === 'uuu' ? 'u' : `u * ${ins.mul2} + v`;
    lines.push(`const c = ${w(wIdx)}; const po = bo + ${ins.so} + ${ins.mode === 'uvv' ? 'v' : 'u'} * ${d3};`);
    for (const k of ks) lines.push(`out[po + ${k}] += c * (${sExpr(k)});`);
  }
  lines.push(sharedU ? '}' : '}}');
  return lines.join('\n');
}

/**
 * Builds the kernel for a plan with the given per-sample dimensions.
 * @example const k = compileTpKernel(ins, 12, 4, 20); k(x1, x2, w, out, batch, 0);
 */
export function compileTpKernel(instructions: readonly KernelInstruction[], dim1: number, dim2: number, dimOut: number): TpKernel {
  const body = [
    `for (let z = 0; z < batch; z++) {`,
    `const b1 = z * ${dim1}; const b2 = z * ${dim2}; const bo = z * ${dimOut}; const bw = z * wStride;`,
    ...instructions.filter((ins) => ins.entries.length > 0).map((ins, n) => `{\n${instructionCode(ins, n)}\n}`),
    '}',
  ].join('\n');
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- deliberate: specialization is the point
  return new Function('x1', 'x2', 'weights', 'out', 'batch', 'wStride', `'use strict';\n${body}`) as TpKernel;
}
