import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { Coordinator, type CoordinatorOptions } from '../src/index.js';
import { tempDir } from './helpers.js';

/** What startedCoordinator gives a describe block; `coord` is set from its beforeAll on. */
export interface StartedCoordinator {
  coord: Coordinator;
}

/**
 * Registers the hooks of a describe block that needs one coordinator: started on a free loopback port in a fresh
 * temporary directory before the block's tests, stopped and the directory removed after them.
 */
export function startedCoordinator(
  options: Omit<Partial<CoordinatorOptions>, 'dataDir' | 'listen'> = {},
): StartedCoordinator {
  const tmp = tempDir();
  // Read only inside hooks and tests, after beforeAll has set it.
  const started = {} as StartedCoordinator;
  beforeAll(async () => {
    started.coord = await Coordinator.start({
      dataDir: join(tmp.dir, 'coordinator'),
      listen: '127.0.0.1:0',
      ...options,
    });
  });
  afterAll(async () => {
    await started.coord?.stop();
    tmp.cleanup();
  });
  return started;
}
