/**
 * The WebAssembly text of the Lennard-Jones pair kernel (potentials/lennard-jones.ts). Written as
 * text and assembled by tools/build-wasm.ts into `binary.ts` (committed next to this file, as
 * e3nn commits its generated tables next to their generator; a test checks that the two agree).
 *
 * Why WebAssembly: the same loop as JavaScript over typed arrays runs about 1.5× faster (no
 * bounds or type checks per access; measured on the LAMMPS melt, bench/lj-melt.ts), and its
 * arithmetic is the same IEEE-754 double operations in the same order, so forces and energies are
 * bit-identical to the JavaScript loop it replaced.
 *
 * The kernel runs over rows [r0, r1) of a half list (engine/neighbor-list.ts), LAMMPS-style: per
 * centre i, a shift-free loop over the pairs with image 0, then a loop over the pairs that cross a
 * periodic boundary, which also add shift ⊗ F_j to acc[1..9] (the virial correction of
 * "virial_fdotr"). Pairs at r² ≥ rc² (the list's skin) are skipped. Every address is a byte offset
 * into the module's one memory (layout: lj-kernel/kernel.ts):
 *
 * | parameter | shape | type |
 * |---|---|---|
 * | x, f | (N, 3) positions Å, forces eV/Å (f is added to) | f64 |
 * | rowAtoms, firstImaged | (N,) | i32 |
 * | offsets | (N + 1,) | i32 |
 * | neighbors | (P,) | i32 |
 * | images | (P,) | u16 |
 * | shifts | (S, 3) image shifts, Å | f64 |
 * | acc | (10,) energy (eV), then Σ shift ⊗ F row-major (xDotF adds Σ x ⊗ f: the virial) | f64 |
 * | typeIds (mixed) | (N,) | i32 |
 * | table (mixed) | (T², 5) lj1, lj2, lj3, lj4, shift per type pair ti·T + tj | f64 |
 *
 * Per pair: r⁻² = 1/r², r⁻⁶, F·r/r² = r⁻⁶(lj1 r⁻⁶ − lj2) r⁻², E = r⁻⁶(lj3 r⁻⁶ − lj4), with lj1 =
 * 48εσ¹², lj2 = 24εσ⁶, lj3 = 4εσ¹², lj4 = 4εσ⁶ (LAMMPS pair_lj_cut's names).
 */

/** One pair's work: `imaged` adds the shift and the virial correction; `mixed` reads the pair type's row of the table. */
function pair(imaged: boolean, mixed: boolean): string {
  const shift = imaged
    ? `(local.set $sb (i32.add (local.get $shifts) (i32.mul (i32.load16_u (i32.add (local.get $images) (i32.shl (local.get $p) (i32.const 1)))) (i32.const 24))))
          (local.set $sx (f64.load offset=0 (local.get $sb)))
          (local.set $sy (f64.load offset=8 (local.get $sb)))
          (local.set $sz (f64.load offset=16 (local.get $sb)))`
    : '';
  const d = (axis: 'x' | 'y' | 'z', offset: number): string => {
    const diff = `(f64.sub (f64.load offset=${offset} (i32.add (local.get $x) (local.get $jb))) (local.get $${axis}i))`;
    return `(local.set $d${axis} ${imaged ? `(f64.add ${diff} (local.get $s${axis}))` : diff})`;
  };
  // The pair type's parameters: registers (one species) or the table row of type_i·T + type_j.
  const param = (k: number, name: string): string => (mixed ? `(f64.load offset=${8 * k} (local.get $tb))` : `(local.get $${name})`);
  const tableRow = mixed
    ? `(local.set $tb (i32.add (local.get $row) (i32.mul (i32.load (i32.add (local.get $typeIds) (i32.shl (local.get $j) (i32.const 2)))) (i32.const 40))))`
    : '';
  // Mixed systems subtract each pair's shift as it comes; one species subtracts inside × shift once (as LAMMPS's offset).
  const energy = mixed
    ? `(local.set $energy (f64.add (local.get $energy) (f64.sub (f64.mul (local.get $r6inv) (f64.sub (f64.mul ${param(2, 'lj3')} (local.get $r6inv)) ${param(3, 'lj4')})) ${param(4, 'eShift')})))`
    : `(local.set $energy (f64.add (local.get $energy) (f64.mul (local.get $r6inv) (f64.sub (f64.mul (local.get $lj3) (local.get $r6inv)) (local.get $lj4)))))
            (local.set $inside (i32.add (local.get $inside) (i32.const 1)))`;
  const accAdd = (k: number, s: string, fc: string): string =>
    `(f64.store offset=${8 * k} (local.get $acc) (f64.add (f64.load offset=${8 * k} (local.get $acc)) (f64.mul (local.get $s${s}) (local.get $f${fc}))))`;
  const virial = imaged
    ? [accAdd(1, 'x', 'x'), accAdd(2, 'x', 'y'), accAdd(3, 'x', 'z'), accAdd(4, 'y', 'x'), accAdd(5, 'y', 'y'), accAdd(6, 'y', 'z'), accAdd(7, 'z', 'x'), accAdd(8, 'z', 'y'), accAdd(9, 'z', 'z')].join('\n            ')
    : '';
  return `(local.set $j (i32.load (i32.add (local.get $neighbors) (i32.shl (local.get $p) (i32.const 2)))))
          (local.set $jb (i32.mul (local.get $j) (i32.const 24)))
          ${shift}
          ${d('x', 0)}
          ${d('y', 8)}
          ${d('z', 16)}
          (local.set $r2 (f64.add (f64.add (f64.mul (local.get $dx) (local.get $dx)) (f64.mul (local.get $dy) (local.get $dy))) (f64.mul (local.get $dz) (local.get $dz))))
          (if (f64.lt (local.get $r2) (local.get $rc2)) (then
            ${tableRow}
            (local.set $r2inv (f64.div (f64.const 1) (local.get $r2)))
            (local.set $r6inv (f64.mul (f64.mul (local.get $r2inv) (local.get $r2inv)) (local.get $r2inv)))
            (local.set $fpair (f64.mul (f64.mul (local.get $r6inv) (f64.sub (f64.mul ${param(0, 'lj1')} (local.get $r6inv)) ${param(1, 'lj2')})) (local.get $r2inv)))
            ${energy}
            (local.set $fx (f64.mul (local.get $fpair) (local.get $dx)))
            (local.set $fy (f64.mul (local.get $fpair) (local.get $dy)))
            (local.set $fz (f64.mul (local.get $fpair) (local.get $dz)))
            (local.set $jb (i32.add (local.get $f) (local.get $jb)))
            (f64.store offset=0 (local.get $jb) (f64.add (f64.load offset=0 (local.get $jb)) (local.get $fx)))
            (f64.store offset=8 (local.get $jb) (f64.add (f64.load offset=8 (local.get $jb)) (local.get $fy)))
            (f64.store offset=16 (local.get $jb) (f64.add (f64.load offset=16 (local.get $jb)) (local.get $fz)))
            (local.set $fxi (f64.sub (local.get $fxi) (local.get $fx)))
            (local.set $fyi (f64.sub (local.get $fyi) (local.get $fy)))
            (local.set $fzi (f64.sub (local.get $fzi) (local.get $fz)))
            ${virial}))`;
}

/** One exported kernel: `pairsOneType` (parameters as arguments) or `pairsMixed` (per-type-pair table). */
function kernel(mixed: boolean): string {
  const params = mixed ? '(param $typeIds i32) (param $table i32) (param $nTypes i32)' : '(param $lj1 f64) (param $lj2 f64) (param $lj3 f64) (param $lj4 f64) (param $eShift f64)';
  // Row base of the centre's type in the table: type_i · T · 40 bytes, plus the table's address.
  const centreType = mixed
    ? `(local.set $row (i32.add (local.get $table) (i32.mul (i32.mul (i32.load (i32.add (local.get $typeIds) (i32.shl (local.get $i) (i32.const 2)))) (local.get $nTypes)) (i32.const 40))))`
    : '';
  const energyOut = mixed ? '(local.get $energy)' : '(f64.sub (local.get $energy) (f64.mul (f64.convert_i32_s (local.get $inside)) (local.get $eShift)))';
  return `(func (export "${mixed ? 'pairsMixed' : 'pairsOneType'}")
    (param $x i32) (param $f i32) (param $rowAtoms i32) (param $offsets i32) (param $firstImaged i32)
    (param $neighbors i32) (param $images i32) (param $shifts i32) (param $acc i32)
    (param $r0 i32) (param $r1 i32) (param $rc2 f64) ${params}
    (local $r i32) (local $i i32) (local $j i32) (local $ib i32) (local $jb i32) (local $p i32) (local $mid i32) (local $end i32) (local $sb i32) (local $row i32) (local $tb i32)
    (local $xi f64) (local $yi f64) (local $zi f64) (local $fxi f64) (local $fyi f64) (local $fzi f64)
    (local $dx f64) (local $dy f64) (local $dz f64) (local $r2 f64) (local $r2inv f64) (local $r6inv f64) (local $fpair f64)
    (local $fx f64) (local $fy f64) (local $fz f64) (local $sx f64) (local $sy f64) (local $sz f64)
    (local $energy f64) (local $inside i32)
    (local.set $r (local.get $r0))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_s (local.get $r) (local.get $r1)))
        ;; centre i = rowAtoms[r]; ib: byte address of x[i]
        (local.set $i (i32.load (i32.add (local.get $rowAtoms) (i32.shl (local.get $r) (i32.const 2)))))
        (local.set $ib (i32.add (local.get $x) (i32.mul (local.get $i) (i32.const 24))))
        ${centreType}
        (local.set $xi (f64.load offset=0 (local.get $ib)))
        (local.set $yi (f64.load offset=8 (local.get $ib)))
        (local.set $zi (f64.load offset=16 (local.get $ib)))
        (local.set $fxi (f64.const 0)) (local.set $fyi (f64.const 0)) (local.set $fzi (f64.const 0))
        (local.set $p (i32.load (i32.add (local.get $offsets) (i32.shl (local.get $r) (i32.const 2)))))
        (local.set $mid (i32.load (i32.add (local.get $firstImaged) (i32.shl (local.get $r) (i32.const 2)))))
        (local.set $end (i32.load offset=4 (i32.add (local.get $offsets) (i32.shl (local.get $r) (i32.const 2)))))
        (block $imageZeroDone (loop $imageZero
          (br_if $imageZeroDone (i32.ge_s (local.get $p) (local.get $mid)))
          ${pair(false, mixed)}
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (br $imageZero)))
        (block $imagedDone (loop $imaged
          (br_if $imagedDone (i32.ge_s (local.get $p) (local.get $end)))
          ${pair(true, mixed)}
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (br $imaged)))
        (local.set $ib (i32.add (local.get $f) (i32.sub (local.get $ib) (local.get $x))))
        (f64.store offset=0 (local.get $ib) (f64.add (f64.load offset=0 (local.get $ib)) (local.get $fxi)))
        (f64.store offset=8 (local.get $ib) (f64.add (f64.load offset=8 (local.get $ib)) (local.get $fyi)))
        (f64.store offset=16 (local.get $ib) (f64.add (f64.load offset=16 (local.get $ib)) (local.get $fzi)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows)))
    (f64.store offset=0 (local.get $acc) (f64.add (f64.load offset=0 (local.get $acc)) ${energyOut})))`;
}

/** The module's text: one imported memory, the two kernels. */
/**
 * `xDotF`: acc[1..9] += Σ_k x_k ⊗ f_k over atoms k < n, row-major, in atom order (each entry its
 * own running sum, as the JavaScript loop it replaced in lennard-jones.ts), so that
 * after the pair loops acc[1..9] holds the virial W = Σ x ⊗ f + Σ_imaged shift ⊗ F_j.
 */
const xDotF = `(func (export "xDotF") (param $x i32) (param $f i32) (param $n i32) (param $acc i32)
    (local $k i32) (local $xb i32) (local $fb i32) (local $px f64) (local $py f64) (local $pz f64) (local $fx f64) (local $fy f64) (local $fz f64)
    (local $wxx f64) (local $wxy f64) (local $wxz f64) (local $wyx f64) (local $wyy f64) (local $wyz f64) (local $wzx f64) (local $wzy f64) (local $wzz f64)
    (local.set $wxx (f64.load offset=8 (local.get $acc))) (local.set $wxy (f64.load offset=16 (local.get $acc))) (local.set $wxz (f64.load offset=24 (local.get $acc)))
    (local.set $wyx (f64.load offset=32 (local.get $acc))) (local.set $wyy (f64.load offset=40 (local.get $acc))) (local.set $wyz (f64.load offset=48 (local.get $acc)))
    (local.set $wzx (f64.load offset=56 (local.get $acc))) (local.set $wzy (f64.load offset=64 (local.get $acc))) (local.set $wzz (f64.load offset=72 (local.get $acc)))
    (block $done (loop $next
      (br_if $done (i32.ge_s (local.get $k) (local.get $n)))
      (local.set $xb (i32.add (local.get $x) (i32.mul (local.get $k) (i32.const 24))))
      (local.set $fb (i32.add (local.get $f) (i32.mul (local.get $k) (i32.const 24))))
      (local.set $px (f64.load offset=0 (local.get $xb))) (local.set $py (f64.load offset=8 (local.get $xb))) (local.set $pz (f64.load offset=16 (local.get $xb)))
      (local.set $fx (f64.load offset=0 (local.get $fb))) (local.set $fy (f64.load offset=8 (local.get $fb))) (local.set $fz (f64.load offset=16 (local.get $fb)))
      (local.set $wxx (f64.add (local.get $wxx) (f64.mul (local.get $px) (local.get $fx))))
      (local.set $wxy (f64.add (local.get $wxy) (f64.mul (local.get $px) (local.get $fy))))
      (local.set $wxz (f64.add (local.get $wxz) (f64.mul (local.get $px) (local.get $fz))))
      (local.set $wyx (f64.add (local.get $wyx) (f64.mul (local.get $py) (local.get $fx))))
      (local.set $wyy (f64.add (local.get $wyy) (f64.mul (local.get $py) (local.get $fy))))
      (local.set $wyz (f64.add (local.get $wyz) (f64.mul (local.get $py) (local.get $fz))))
      (local.set $wzx (f64.add (local.get $wzx) (f64.mul (local.get $pz) (local.get $fx))))
      (local.set $wzy (f64.add (local.get $wzy) (f64.mul (local.get $pz) (local.get $fy))))
      (local.set $wzz (f64.add (local.get $wzz) (f64.mul (local.get $pz) (local.get $fz))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $next)))
    (f64.store offset=8 (local.get $acc) (local.get $wxx)) (f64.store offset=16 (local.get $acc) (local.get $wxy)) (f64.store offset=24 (local.get $acc) (local.get $wxz))
    (f64.store offset=32 (local.get $acc) (local.get $wyx)) (f64.store offset=40 (local.get $acc) (local.get $wyy)) (f64.store offset=48 (local.get $acc) (local.get $wyz))
    (f64.store offset=56 (local.get $acc) (local.get $wzx)) (f64.store offset=64 (local.get $acc) (local.get $wzy)) (f64.store offset=72 (local.get $acc) (local.get $wzz)))`;

export function ljKernelWat(): string {
  return `;; Generated by potentials/lj-kernel/wat.ts (tools/build-wasm.ts); see that file.
(module
  (import "env" "memory" (memory 1))
  ${kernel(false)}
  ${kernel(true)}
  ${xDotF})
`;
}
