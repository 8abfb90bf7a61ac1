/**
 * The host's user database, changed only through useradd and userdel (they take the locks
 * other tools respect) and read from /etc/passwd.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  homeDir: string;
}

const TOOL_TIMEOUT_MS = 15_000;
const ATTEMPTS = 8;

// One change at a time from this process; other processes on the host may still hold the
// lock on /etc/passwd for a moment, which a retry outlasts.
let queue: Promise<unknown> = Promise.resolve();

export async function readPasswd(): Promise<PasswdEntry[]> {
  const text = await readFile('/etc/passwd', 'utf8');
  return text
    .split('\n')
    .map((line) => line.split(':'))
    .filter((fields) => fields.length >= 7)
    .map(([name, , uid, gid, , homeDir]) => ({
      name: name ?? '',
      uid: Number(uid),
      gid: Number(gid),
      homeDir: homeDir ?? '',
    }));
}

export async function findUser(name: string): Promise<PasswdEntry | undefined> {
  return (await readPasswd()).find((entry) => entry.name === name);
}

/** Adds a system user with a group of its own, bash as its shell and no home made for it. */
// LIMITATION: system uids (100–999 on Debian) are few and shared with every server on the
// host; a uid range of our own (useradd -K SYS_UID_MIN=…) would widen it.
export function addUser(name: string, homeDir: string, comment: string): Promise<void> {
  const args = ['--system', '--user-group', '--no-create-home', '--home-dir', homeDir];
  return changeUsers('useradd', [...args, '--shell', '/bin/bash', '--comment', comment, name]);
}

// userdel's status when the user does not exist.
const USERDEL_NO_SUCH_USER = 6;

/**
 * Removes the user and its group; its files are the caller's to remove. A user already gone
 * counts as removed: another server on the host may have reaped the same orphan meanwhile.
 */
export async function deleteUser(name: string): Promise<void> {
  try {
    await changeUsers('userdel', [name], [USERDEL_NO_SUCH_USER]);
  } catch (error) {
    // Two userdels of one user race on /etc/passwd; the loser complains of a user now gone.
    if ((await findUser(name)) !== undefined) {
      throw error;
    }
  }
}

function changeUsers(tool: string, args: string[], doneCodes: number[] = []): Promise<void> {
  const run = queue.then(() => withRetries(tool, args, doneCodes));
  queue = run.catch(() => undefined);
  return run;
}

async function withRetries(tool: string, args: string[], doneCodes: number[]): Promise<void> {
  let lastError = '';
  for (let attempt = 1; attempt <= ATTEMPTS; attempt += 1) {
    const { code, stderr } = await runTool(tool, args);
    if (code === 0 || doneCodes.includes(code)) {
      return;
    }
    lastError = stderr.trim() || `exit status ${code}`;
    // Only a busy lock is worth another try; a bad name or a taken one will not change.
    if (!/lock|try again/i.test(lastError)) {
      break;
    }
    await sleep(50 * attempt + Math.floor(Math.random() * 100));
  }
  throw new Error(`${tool} ${args.at(-1)} failed: ${lastError}`);
}

function runTool(tool: string, args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      tool,
      args,
      { timeout: TOOL_TIMEOUT_MS, env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } },
      (error, _stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stderr: String(stderr || (error?.message ?? '')) });
      },
    );
  });
}
