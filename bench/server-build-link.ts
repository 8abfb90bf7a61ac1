import { lstatSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Makes `dist-bench/dist` point at the server build in `dist/`.
 *
 * TestServer looks for the CLI at `../../dist/cli/main.js` from its own file. That holds for
 * `test/support/server.ts` run from source, but its compiled copy sits one level deeper, in
 * `dist-bench/test/support/`, so from there the same path names `dist-bench/dist/cli/main.js`.
 */
// LIMITATION: a link to bridge the harness's path assumption; TestServer taking the CLI path
// as an option, or resolving it from the package root, would lift it.
export function linkServerBuild(): void {
  const link = join(import.meta.dirname, '..', 'dist');
  try {
    lstatSync(link);
    return;
  } catch {
    // Not there yet: create it below.
  }
  symlinkSync(join('..', 'dist'), link, 'dir');
}
