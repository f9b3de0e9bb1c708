// Undoes what a failed `initParticipant` wrote: the directories it created and the files it added.
import { existsSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * Records, before init writes anything, which directory it will create and which files it adds, so that a failure
 * (a refused token, a coordinator that goes away mid-enrolment) leaves the disk as it was. Files that existed before
 * (an identity key kept from an earlier attempt, the user's own policy) are never removed.
 */
export class InitRollback {
  /** The outermost directory that did not exist: removing it removes everything init created under it. */
  private readonly createdRoot: string | undefined;
  private readonly added: string[] = [];

  constructor(dir: string) {
    let root: string | undefined;
    for (let d = resolve(dir); !existsSync(d); d = dirname(d)) {
      root = d;
      if (dirname(d) === d) break;
    }
    this.createdRoot = root;
  }

  /** Call before writing `path`: it is removed on undo if it does not exist yet. */
  adding(path: string): string {
    if (!existsSync(path)) this.added.push(path);
    return path;
  }

  /** Removes what was added; errors while cleaning up are ignored so that the original failure is reported. */
  undo(): void {
    try {
      for (const path of this.added) rmSync(path, { force: true });
      if (this.createdRoot !== undefined) rmSync(this.createdRoot, { recursive: true, force: true });
    } catch {
      // best effort: the caller rethrows the failure that started the undo
    }
  }
}
