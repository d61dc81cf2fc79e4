import { execFileSync } from 'node:child_process';
import { symlinkSync, unlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';

const git = (...args) => execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

/**
 * A checkout of `rev` in a temporary git worktree under `workDir`, sharing this checkout's node_modules
 * (a symlink), so that edge-dcr at that commit builds and runs with the same dependencies as the working tree.
 * `remove()` takes the worktree away again (synchronous, so that it can run on exit).
 */
export function checkoutBase(rev, workDir) {
  const commit = git('rev-parse', '--verify', '--end-of-options', `${rev}^{commit}`);
  const short = git('rev-parse', '--short', commit);
  const dir = join(workDir, `base-${short}`);
  git('worktree', 'add', '--detach', dir, commit);
  const modules = join(dir, 'node_modules');
  symlinkSync(resolve('node_modules'), modules, 'dir');
  let removed = false;
  return {
    rev,
    commit,
    short,
    dir,
    remove() {
      if (removed) return;
      removed = true;
      // The link first, so that nothing below can reach into the shared node_modules.
      try {
        unlinkSync(modules);
      } catch {}
      try {
        git('worktree', 'remove', '--force', dir);
      } catch {
        git('worktree', 'prune');
      }
    },
  };
}
