"""The frames a data run appended to the dataset since a given checkout: a held-out set for every
model trained on that checkout's data (same generator, level of theory and filters; none of them
seen in training, validation or test).

Usage: /usr/bin/python3 extract.py OLD_DATASET_DIR NEW_DATASET_DIR OUT_DIR [kind ...]
writes OUT_DIR/<kind>.extxyz (default kinds: tetramer pentamer hexamer) and prints the counts.
"""
import os
import sys


def frames(path):
    """The frames of an extxyz file as text blocks (a missing file has none)."""
    if not os.path.exists(path):
        return []
    lines = open(path).read().splitlines(True)
    out, i = [], 0
    while i < len(lines):
        n = int(lines[i])
        out.append(''.join(lines[i:i + n + 2]))
        i += n + 2
    return out


def main():
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        raise SystemExit(2)
    old_dir, new_dir, out_dir = sys.argv[1:4]
    kinds = sys.argv[4:] or ['tetramer', 'pentamer', 'hexamer']
    os.makedirs(out_dir, exist_ok=True)
    for kind in kinds:
        added = []
        for split in ['train', 'val', 'test']:
            old = frames(os.path.join(old_dir, f'{kind}-{split}.extxyz'))
            new = frames(os.path.join(new_dir, f'{kind}-{split}.extxyz'))
            if new[:len(old)] != old:
                raise SystemExit(f'extract: {kind}-{split}.extxyz of {new_dir} does not start with the frames of {old_dir}')
            added += new[len(old):]
        open(os.path.join(out_dir, f'{kind}.extxyz'), 'w').write(''.join(added))
        print(kind, len(added))


main()
