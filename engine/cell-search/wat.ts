/**
 * The WebAssembly text of the cell list's pair search (engine/cell-list.ts), assembled by
 * tools/build-wasm.ts into `binary.ts` next to this file (a test checks that the two agree).
 *
 * Why WebAssembly: the search is the part of a list build that grows with the pairs (about 8 M
 * distance checks for a 32,000-atom Lennard-Jones melt), and the same loop over typed arrays in
 * JavaScript spends much of its time in bounds and type checks, and in its first builds in
 * unoptimized code (a fresh worker's first builds ran 2–3× slower than later ones). The module does
 * the same IEEE-754 double operations in the same order as the JavaScript loop it replaced, and
 * writes the pairs in the same order, so lists (and trajectories) are bit-identical.
 *
 * `searchBin` lists the pairs of the atoms (slots) [a0, a1) of one bin against the bins of its
 * stencil, exactly as engine/cell-list.ts describes: per row, the image-0 pairs within the cutoff,
 * then image 0 beyond it, then (from firstImaged) the imaged pairs within the cutoff, then beyond.
 * Every address is a byte offset into the module's one memory (layout: cell-search/search.ts):
 *
 * | parameter | shape | type |
 * |---|---|---|
 * | sorted, stride | wrapped positions in slot order as columns x, y, z (each N + 2 slots, `stride` bytes), Å | f64 |
 * | sortedWrap | (N, 3) each slot's integer wrap (read only when `wrapped` is 0) | i32 |
 * | order | (N,) atom of each slot | i32 |
 * | binStart | (bins + 1,) first slot of each bin | i32 |
 * | offsets, firstImaged | (N + 1,), (N,) written for rows [a0, a1) | i32 |
 * | nbBin, nbId | (m,) stencil entries of this bin: bin, image id (−1: per pair) | i32 |
 * | nbImg | (m, 3) integer image of each entry | i32 |
 * | nbShift | (m, 3) Cartesian shift of each entry, Å | f64 |
 * | tmpJ | (3, T) holding areas: image 0 beyond, imaged within, imaged beyond | i32 |
 * | tmpImg | (2, T) images of the two imaged holding areas | u16 |
 * | neighbors, images | (P,) the list, written from pair p0 on | i32, u16 |
 *
 * Entry 0 is the bin itself: a half list pairs a slot with the later slots of its bin only, a full
 * list with every other slot. The caller guarantees room: T ≥ a bin's candidates, P ≥ p0 + (a1 −
 * a0) × candidates. Returns the number of pairs after this bin.
 */

/** The image id of shift (a, b, c) in the table of (2Ra+1)(2Rb+1)(2Rc+1) shifts, (0, 0, 0) ↦ 0 (cell-list.ts `imageId`). */
const imageIdFunc = `(func $imageId (param $a i32) (param $b i32) (param $c i32) (param $Ra i32) (param $Rb i32) (param $Rc i32) (result i32)
    (local $Lb i32) (local $Lc i32) (local $id i32)
    (local.set $Lb (i32.add (i32.shl (local.get $Rb) (i32.const 1)) (i32.const 1)))
    (local.set $Lc (i32.add (i32.shl (local.get $Rc) (i32.const 1)) (i32.const 1)))
    ;; id = ((a + Ra)·Lb + (b + Rb))·Lc + (c + Rc) − ((Ra·Lb + Rb)·Lc + Rc) = (a·Lb + b)·Lc + c
    (local.set $id (i32.add (i32.mul (i32.add (i32.mul (local.get $a) (local.get $Lb)) (local.get $b)) (local.get $Lc)) (local.get $c)))
    (if (result i32) (i32.lt_s (local.get $id) (i32.const 0))
      (then (i32.add (local.get $id) (i32.mul (i32.mul (i32.add (i32.shl (local.get $Ra) (i32.const 1)) (i32.const 1)) (local.get $Lb)) (local.get $Lc))))
      (else (local.get $id))))`;

/** Byte address of element `index` (an i32 expression) of the array at `base`, elements of `size` bytes. */
const at = (base: string, index: string, size: number): string => `(i32.add (local.get $${base}) (i32.mul ${index} (i32.const ${size})))`;
const get = (name: string): string => `(local.get $${name})`;

/** Appends holding area `k` (tmpJ row k; images from `img` or 0) to the list. */
function drain(count: string, js: string, img: string | null): string {
  const image = img === null ? '(i32.const 0)' : `(i32.load16_u ${at(img, get('k'), 2)})`;
  return `(local.set $k (i32.const 0))
        (block $done_${count} (loop $next_${count}
          (br_if $done_${count} (i32.ge_s (local.get $k) (local.get $${count})))
          (i32.store ${at('neighbors', get('p'), 4)} (i32.load ${at(js, get('k'), 4)}))
          (i32.store16 ${at('images', get('p'), 2)} ${image})
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br $next_${count})))`;
}

/** The candidate's separation and squared distance, d = x_s + (shift − x_i) (the order of the JavaScript loop it replaced). */
const distance = `(local.set $sb ${at('sorted', get('s'), 8)})
              (local.set $dx (f64.add (f64.load (local.get $sb)) (local.get $sx)))
              (local.set $dy (f64.add (f64.load (i32.add (local.get $sb) (local.get $stride))) (local.get $sy)))
              (local.set $dz (f64.add (f64.load (i32.add (local.get $sb) (local.get $stride2))) (local.get $sz)))
              (local.set $d2 (f64.add (f64.add (f64.mul (local.get $dx) (local.get $dx)) (f64.mul (local.get $dy) (local.get $dy))) (f64.mul (local.get $dz) (local.get $dz))))`;

/**
 * The slots of one stencil entry whose image id is known (positions wrapped), two candidates at a
 * time: their separations and squared distances in one f64x2 lane each (the same IEEE-754
 * operations in the same order as the scalar loop, so the same lists), read from the slot-ordered
 * coordinate columns (`sorted`: x, then y, then z, `stride` bytes apart). Only when either of the two
 * is listed are they written, each without a branch: to both its within-cutoff place and its
 * beyond-cutoff holding area, advancing only the count of the place it belongs to. Five in six
 * candidates of a liquid are not listed, so most pairs of candidates cost no store; writing every
 * candidate (the previous loop, one at a time) made the melt's build 45 ms instead of 34.5.
 */
function simdSlots(imageZero: boolean): string {
  const [withinJ, withinImg, withinCount, beyondJ, beyondImg, beyondCount] = imageZero
    ? ['neighbors', 'images', 'p', 'tmpJ', null, 'n0']
    : ['tmpJ1', 'tmpImg', 'n1', 'tmpJ2', 'tmpImg2', 'n2'];
  const storeImg = (area: string | null, index: string, value: string): string => (area === null ? '' : `(i32.store16 ${at(area, get(index), 2)} ${value})`);
  const lane = (k: number): string => `(local.set $j (i32.load ${at('order', `(i32.add (local.get $s) (i32.const ${k}))`, 4)}))
                (local.set $in (i32.and (i32.shr_u (local.get $inBits) (i32.const ${k})) (i32.const 1)))
                (local.set $w (i32.and (i32.shr_u (local.get $wBits) (i32.const ${k})) (i32.const 1)))
                (i32.store ${at(withinJ, get(withinCount), 4)} (local.get $j))
                ${storeImg(withinImg, withinCount, imageZero ? '(i32.const 0)' : '(local.get $entryId)')}
                (i32.store ${at(beyondJ, get(beyondCount), 4)} (local.get $j))
                ${storeImg(beyondImg, beyondCount, '(local.get $entryId)')}
                (local.set $${withinCount} (i32.add (local.get $${withinCount}) (local.get $w)))
                (local.set $${beyondCount} (i32.add (local.get $${beyondCount}) (i32.xor (local.get $in) (local.get $w))))`;
  return `(local.set $vsx (f64x2.splat (local.get $sx)))
            (local.set $vsy (f64x2.splat (local.get $sy)))
            (local.set $vsz (f64x2.splat (local.get $sz)))
            (block $done (loop $next
              (br_if $done (i32.ge_s (local.get $s) (local.get $s1)))
              (local.set $q (i32.add (local.get $sorted) (i32.shl (local.get $s) (i32.const 3))))
              (local.set $vx (f64x2.add (v128.load (local.get $q)) (local.get $vsx)))
              (local.set $vy (f64x2.add (v128.load (i32.add (local.get $q) (local.get $stride))) (local.get $vsy)))
              (local.set $vz (f64x2.add (v128.load (i32.add (local.get $q) (local.get $stride2))) (local.get $vsz)))
              (local.set $vd (f64x2.add (f64x2.add (f64x2.mul (local.get $vx) (local.get $vx)) (f64x2.mul (local.get $vy) (local.get $vy))) (f64x2.mul (local.get $vz) (local.get $vz))))
              ;; listed: within the radius, a slot of this entry (lane 1 may be past its end), not the atom itself
              (local.set $inBits (i32.and (i64x2.bitmask (f64x2.lt (local.get $vd) (local.get $vr2)))
                (i32.xor
                  (i32.or (i32.shl (i32.ge_s (i32.add (local.get $s) (i32.const 1)) (local.get $s1)) (i32.const 1))
                    (i32.or (i32.eq (local.get $s) (local.get $self)) (i32.shl (i32.eq (i32.add (local.get $s) (i32.const 1)) (local.get $self)) (i32.const 1))))
                  (i32.const 3))))
              (if (local.get $inBits) (then
                (local.set $wBits (i32.and (local.get $inBits) (i64x2.bitmask (f64x2.lt (local.get $vd) (local.get $vinner2)))))
                ${lane(0)}
                ${lane(1)}))
              (local.set $s (i32.add (local.get $s) (i32.const 2)))
              (br $next)))`;
}

/** The slots of one stencil entry when positions are not wrapped: each pair's image from the two atoms' wraps. */
const generalSlots = `(block $slotsDone (loop $slots
              (br_if $slotsDone (i32.ge_s (local.get $s) (local.get $s1)))
              ${distance}
              (if (i32.eqz (i32.or (f64.ge (local.get $d2) (local.get $r2)) (i32.eq (local.get $s) (local.get $self)))) (then
                (local.set $j (i32.load ${at('order', get('s'), 4)}))
                (local.set $wb ${at('sortedWrap', get('s'), 12)})
                (local.set $sb ${at('nbImg', get('e'), 12)})
                (local.set $id (call $imageId
                  (i32.sub (i32.add (i32.load offset=0 (local.get $sb)) (local.get $wix)) (i32.load offset=0 (local.get $wb)))
                  (i32.sub (i32.add (i32.load offset=4 (local.get $sb)) (local.get $wiy)) (i32.load offset=4 (local.get $wb)))
                  (i32.sub (i32.add (i32.load offset=8 (local.get $sb)) (local.get $wiz)) (i32.load offset=8 (local.get $wb)))
                  (local.get $Rx) (local.get $Ry) (local.get $Rz)))
                (if (i32.eqz (local.get $id))
                  (then
                    (if (f64.lt (local.get $d2) (local.get $inner2))
                      (then
                        (i32.store ${at('neighbors', get('p'), 4)} (local.get $j))
                        (i32.store16 ${at('images', get('p'), 2)} (i32.const 0))
                        (local.set $p (i32.add (local.get $p) (i32.const 1))))
                      (else
                        (i32.store ${at('tmpJ', get('n0'), 4)} (local.get $j))
                        (local.set $n0 (i32.add (local.get $n0) (i32.const 1))))))
                  (else
                    (if (f64.lt (local.get $d2) (local.get $inner2))
                      (then
                        (i32.store ${at('tmpJ1', get('n1'), 4)} (local.get $j))
                        (i32.store16 ${at('tmpImg', get('n1'), 2)} (local.get $id))
                        (local.set $n1 (i32.add (local.get $n1) (i32.const 1))))
                      (else
                        (i32.store ${at('tmpJ2', get('n2'), 4)} (local.get $j))
                        (i32.store16 ${at('tmpImg2', get('n2'), 2)} (local.get $id))
                        (local.set $n2 (i32.add (local.get $n2) (i32.const 1)))))))))
              (local.set $s (i32.add (local.get $s) (i32.const 1)))
              (br $slots)))`;

const searchBin = `(func (export "searchBin")
    (param $sorted i32) (param $sortedWrap i32) (param $order i32) (param $binStart i32) (param $offsets i32) (param $firstImaged i32)
    (param $nbBin i32) (param $nbImg i32) (param $nbShift i32) (param $nbId i32) (param $m i32)
    (param $tmpJ i32) (param $tmpImg i32) (param $tmpCap i32) (param $neighbors i32) (param $images i32)
    (param $a0 i32) (param $a1 i32) (param $slotLo i32) (param $slotHi i32) (param $p0 i32)
    (param $r2 f64) (param $inner2 f64) (param $half i32) (param $Rx i32) (param $Ry i32) (param $Rz i32) (param $stride i32)
    (result i32)
    (local $p i32) (local $a i32) (local $e i32) (local $b i32) (local $s i32) (local $s1 i32) (local $self i32) (local $j i32) (local $id i32) (local $entryId i32)
    (local $in i32) (local $w i32) (local $n0 i32) (local $n1 i32) (local $n2 i32) (local $k i32) (local $sb i32) (local $wb i32)
    (local $tmpJ1 i32) (local $tmpJ2 i32) (local $tmpImg2 i32)
    (local $wix i32) (local $wiy i32) (local $wiz i32)
    (local $xi f64) (local $yi f64) (local $zi f64) (local $sx f64) (local $sy f64) (local $sz f64)
    (local $dx f64) (local $dy f64) (local $dz f64) (local $d2 f64)
    (local $q i32) (local $stride2 i32) (local $inBits i32) (local $wBits i32)
    (local $vr2 v128) (local $vinner2 v128) (local $vsx v128) (local $vsy v128) (local $vsz v128) (local $vx v128) (local $vy v128) (local $vz v128) (local $vd v128)
    (local.set $p (local.get $p0))
    (local.set $stride2 (i32.shl (local.get $stride) (i32.const 1)))
    (local.set $vr2 (f64x2.splat (local.get $r2)))
    (local.set $vinner2 (f64x2.splat (local.get $inner2)))
    (local.set $tmpJ1 (i32.add (local.get $tmpJ) (i32.shl (local.get $tmpCap) (i32.const 2))))
    (local.set $tmpJ2 (i32.add (local.get $tmpJ1) (i32.shl (local.get $tmpCap) (i32.const 2))))
    (local.set $tmpImg2 (i32.add (local.get $tmpImg) (i32.shl (local.get $tmpCap) (i32.const 1))))
    (local.set $a (local.get $a0))
    (block $rowsDone (loop $rows
      (br_if $rowsDone (i32.ge_s (local.get $a) (local.get $a1)))
      (i32.store ${at('offsets', get('a'), 4)} (local.get $p))
      (if (i32.or (i32.lt_s (local.get $a) (local.get $slotLo)) (i32.ge_s (local.get $a) (local.get $slotHi)))
        (then
          ;; another part's row: empty
          (i32.store ${at('firstImaged', get('a'), 4)} (local.get $p)))
        (else
          (local.set $n0 (i32.const 0)) (local.set $n1 (i32.const 0)) (local.set $n2 (i32.const 0))
          (local.set $sb ${at('sorted', get('a'), 8)})
          (local.set $xi (f64.load (local.get $sb)))
          (local.set $yi (f64.load (i32.add (local.get $sb) (local.get $stride))))
          (local.set $zi (f64.load (i32.add (local.get $sb) (local.get $stride2))))
          (local.set $wb ${at('sortedWrap', get('a'), 12)})
          (local.set $wix (i32.load offset=0 (local.get $wb)))
          (local.set $wiy (i32.load offset=4 (local.get $wb)))
          (local.set $wiz (i32.load offset=8 (local.get $wb)))
          (local.set $e (i32.const 0))
          (block $entriesDone (loop $entries
            (br_if $entriesDone (i32.ge_s (local.get $e) (local.get $m)))
            (local.set $b (i32.load ${at('nbBin', get('e'), 4)}))
            (local.set $sb ${at('nbShift', get('e'), 24)})
            (local.set $sx (f64.sub (f64.load offset=0 (local.get $sb)) (local.get $xi)))
            (local.set $sy (f64.sub (f64.load offset=8 (local.get $sb)) (local.get $yi)))
            (local.set $sz (f64.sub (f64.load offset=16 (local.get $sb)) (local.get $zi)))
            (local.set $entryId (i32.load ${at('nbId', get('e'), 4)}))
            ;; own bin: later slots only for a half list; every other slot for a full one
            (local.set $s (i32.load ${at('binStart', get('b'), 4)}))
            (local.set $self (i32.const -1))
            (if (i32.eqz (local.get $e)) (then
              (if (local.get $half)
                (then (local.set $s (i32.add (local.get $a) (i32.const 1))))
                (else (local.set $self (local.get $a))))))
            (local.set $s1 (i32.load offset=4 ${at('binStart', get('b'), 4)}))
            (if (i32.lt_s (local.get $entryId) (i32.const 0))
              (then ${generalSlots})
              (else (if (i32.eqz (local.get $entryId))
                (then ${simdSlots(true)})
                (else ${simdSlots(false)}))))
            (local.set $e (i32.add (local.get $e) (i32.const 1)))
            (br $entries)))
          ${drain('n0', 'tmpJ', null)}
          (i32.store ${at('firstImaged', get('a'), 4)} (local.get $p))
          ${drain('n1', 'tmpJ1', 'tmpImg')}
          ${drain('n2', 'tmpJ2', 'tmpImg2')}))
      (local.set $a (i32.add (local.get $a) (i32.const 1)))
      (br $rows)))
    (local.get $p))`;

/**
 * `renumber`: out[q] = the local index of atom neighbors[q], q < count, numbering atoms not yet
 * numbered (localOf[atom] < 0) m, m + 1, … in the order met and appending them to `atoms`;
 * returns the number of local atoms (engine/parallel/domain-lists.ts localPartList, whose
 * JavaScript loop it replaced: 0.66 ms instead of 1.8 for the melt's half of 624,000 pairs).
 * Addresses are byte offsets; neighbors, localOf, atoms and out are i32 arrays.
 */
const renumberFunc = `(func (export "renumber") (param $neighbors i32) (param $count i32) (param $localOf i32) (param $atoms i32) (param $m i32) (param $out i32) (result i32)
    (local $q i32) (local $j i32) (local $l i32) (local $at i32)
    (block $done (loop $next
      (br_if $done (i32.ge_s (local.get $q) (local.get $count)))
      (local.set $j (i32.load ${at('neighbors', get('q'), 4)}))
      (local.set $at ${at('localOf', get('j'), 4)})
      (local.set $l (i32.load (local.get $at)))
      (if (i32.lt_s (local.get $l) (i32.const 0)) (then
        (local.set $l (local.get $m))
        (i32.store (local.get $at) (local.get $m))
        (i32.store ${at('atoms', get('m'), 4)} (local.get $j))
        (local.set $m (i32.add (local.get $m) (i32.const 1)))))
      (i32.store ${at('out', get('q'), 4)} (local.get $l))
      (local.set $q (i32.add (local.get $q) (i32.const 1)))
      (br $next)))
    (local.get $m))`;

/** The module's text: one imported memory, the search, the renumbering of a part's pairs. */
export function cellSearchWat(): string {
  return `;; Generated by engine/cell-search/wat.ts (tools/build-wasm.ts); see that file.
(module
  (import "env" "memory" (memory 1))
  ${imageIdFunc}
  ${searchBin}
  ${renumberFunc})
`;
}
