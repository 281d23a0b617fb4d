/**
 * Private mount namespaces (`unshare -rm`) for fault tests: a read-only bind mount or a small
 * tmpfs (a full disk) without privileges. Where the machine does not allow them, the tests that
 * need them are skipped loudly.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './fixtures.js';

const BIN = join(ROOT, 'bin', 'e3md.js');

/** True when this machine lets an unprivileged process mount in its own namespace. */
export function canUnshare(): boolean {
  const ok = spawnSync('unshare', ['-rm', 'sh', '-c', 'mount -t tmpfs -o size=64k tmpfs /mnt 2>/dev/null || mount -t tmpfs -o size=64k tmpfs "$(mktemp -d)"'], { encoding: 'utf8' }).status === 0;
  if (!ok) console.warn('\n*** SKIPPED: read-only folder and full-disk runs — `unshare -rm` with tmpfs/bind mounts is not allowed here ***\n');
  return ok;
}

/** Runs a shell script in a private mount namespace (as root of it); `$E3MD` is the e3md command. */
export function inNamespace(script: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync('unshare', ['-rm', 'sh', '-c', `E3MD="${process.execPath} ${BIN}"; ${script}`], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
