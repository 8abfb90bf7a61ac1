import { chmod, chown, mkdir, readdir, stat } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';

import { addUser, deleteUser, findUser, readPasswd } from './passwd.js';
import { killProcessesOf } from './user-processes.js';

/** Who a machine's processes run as. */
export interface MachineUser {
  name: string;
  uid: number;
  gid: number;
  /** False when machines share the server's user, as they must when it does not run as root. */
  isolated: boolean;
}

/** Where isolation is reported; a pino logger fits. */
export interface MachineUsersLogger {
  warn(obj: object, msg: string): void;
}

export interface MachineUsersOptions {
  /** The server's data dir; homes are `<dataDir>/machines/<id>/home`. */
  dataDir: string;
  logger?: MachineUsersLogger;
  /** Give each machine a Unix user of its own. Default: when the server runs as root. */
  isolate?: boolean;
}

const USER_PREFIX = 'deskhand-';
// Machine ids become user and directory names; anything that could climb out is refused.
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
// The entries of the data dir machine users must reach; everything else is closed to them.
const MACHINE_DIRS = new Set(['machines', 'desktops']);

// LIMITATION: a machine's user still shares the host's network, process list, /tmp and
// world-readable files, and has no CPU or memory bound; namespaces (bubblewrap) and a cgroup
// per machine would close those.
/**
 * One unprivileged Unix user per machine (`deskhand-<first 12 hex digits of its id>`), whose
 * passwd home is the machine's home under this data dir: that is how the users of this server
 * are told apart from those of other servers on the host.
 */
export class MachineUsers {
  readonly machinesDir: string;
  /** Executables only the server runs, such as the wrapper that drops to a machine's user. */
  readonly binDir: string;
  private readonly dataDir: string;
  private isolation: Promise<boolean> | undefined;
  private opening: Promise<void> | undefined;
  private readonly users = new Map<string, Promise<MachineUser>>();

  constructor(private readonly options: MachineUsersOptions) {
    this.dataDir = resolve(options.dataDir);
    this.machinesDir = join(this.dataDir, 'machines');
    this.binDir = join(this.dataDir, 'bin');
  }

  /** True once it is known that machines get users of their own. */
  isolated(): Promise<boolean> {
    this.isolation ??= this.decideIsolation();
    return this.isolation;
  }

  homeOf(machineId: string): string {
    return join(this.machinesDir, checkId(machineId), 'home');
  }

  /** The machine's user, created with its home (mode 0700) when missing. */
  ensure(machineId: string): Promise<MachineUser> {
    let user = this.users.get(machineId);
    if (user === undefined) {
      user = this.create(machineId);
      this.users.set(machineId, user);
      user.catch(() => this.users.delete(machineId));
    }
    return user;
  }

  /**
   * A directory of the machine's own, `<dataDir>/machines/<id>/<name>`, that its user owns
   * with mode 0700 (a browser profile, say).
   */
  async ownDir(machineId: string, name: string): Promise<string> {
    const user = await this.ensure(machineId);
    const dir = join(this.machinesDir, checkId(machineId), name);
    await giveTo(dir, user);
    return dir;
  }

  /** Ends every process of the machine's user and deletes the user; its files stay. */
  async remove(machineId: string): Promise<void> {
    const pending = this.users.get(machineId);
    this.users.delete(machineId);
    await pending?.catch(() => undefined);
    if (!(await this.isolated())) {
      return;
    }

    const entry = await findUser(userNameOf(machineId));
    if (entry !== undefined && entry.homeDir === this.homeOf(machineId)) {
      await killProcessesOf(entry.uid);
      await deleteUser(entry.name);
    }
  }

  /**
   * At server start: says when machines share the server's user; otherwise opens the data
   * dir for machine users to reach their homes (and nothing else), ends every process a
   * previous server's machine users left, and deletes the users whose machine is gone.
   */
  async prepare(): Promise<{ removedUsers: string[] }> {
    if (!(await this.isolated())) {
      return { removedUsers: [] };
    }
    await this.openDataDir();
    const removedUsers: string[] = [];
    const ours = (await readPasswd()).filter(
      (entry) => entry.name.startsWith(USER_PREFIX) && dirname(entry.homeDir) !== entry.homeDir,
    );
    for (const entry of ours) {
      const machineDir = dirname(entry.homeDir);
      const ownMachine = dirname(machineDir) === this.machinesDir;
      // A user whose whole data dir is gone serves no server any more, whichever it was.
      const abandoned = !ownMachine && !(await exists(dirname(dirname(machineDir))));
      if ((!ownMachine && !abandoned) || this.users.has(basename(machineDir))) {
        continue;
      }
      await killProcessesOf(entry.uid);
      if (abandoned || !(await exists(machineDir))) {
        // One that cannot go now is tried at the next start; it must not stop this one serving.
        const removed = await deleteUser(entry.name).then(
          () => true,
          (error: unknown) => {
            this.options.logger?.warn({ err: error, user: entry.name }, 'orphan user stays');
            return false;
          },
        );
        if (removed) {
          removedUsers.push(entry.name);
        }
      }
    }
    return { removedUsers };
  }

  private async create(machineId: string): Promise<MachineUser> {
    const home = this.homeOf(machineId);
    if (!(await this.isolated())) {
      const uid = process.getuid?.() ?? 0;
      return { name: userInfo().username, uid, gid: process.getgid?.() ?? 0, isolated: false };
    }

    const name = userNameOf(machineId);
    let entry = await findUser(name);
    if (entry === undefined) {
      await addUser(name, home, `deskhand machine ${machineId}`);
      entry = await findUser(name);
    }
    if (entry === undefined || entry.homeDir !== home) {
      throw new Error(`The Unix user ${name} exists already for another home than ${home}.`);
    }

    const user = { name, uid: entry.uid, gid: entry.gid, isolated: true };
    await this.openDataDir();
    await mkdir(dirname(home), { recursive: true, mode: 0o711 });
    await chmod(dirname(home), 0o711);
    await giveTo(home, user);
    return user;
  }

  private async decideIsolation(): Promise<boolean> {
    const wanted = this.options.isolate ?? process.getuid?.() === 0;
    const blocked = wanted ? await closedAncestor(this.dataDir) : undefined;
    if (wanted && blocked === undefined) {
      return true;
    }

    const reason = wanted
      ? `${blocked} is closed to other users, so machine users could not reach their homes`
      : 'the server does not run as root';
    this.options.logger?.warn(
      { data_dir: this.dataDir, user: userInfo().username },
      `Machines share the server's Unix user (${reason}): a machine's shell can read ` +
        "other machines' files and the server's data dir.",
    );
    return false;
  }

  /** Machine users may pass through the data dir to their homes; all else is the server's. */
  private openDataDir(): Promise<void> {
    this.opening ??= this.openDataDirOnce();
    return this.opening;
  }

  // LIMITATION: only entries present at start are closed; a file the server later creates at
  // the top of the data dir with a world-readable mode is readable by a machine user who
  // guesses its name. A umask of 077 for the server (not its X servers) would close it.
  private async openDataDirOnce(): Promise<void> {
    for (const name of MACHINE_DIRS) {
      await mkdir(join(this.dataDir, name), { recursive: true, mode: 0o711 });
    }
    await chmod(this.dataDir, 0o711);
    for (const entry of await readdir(this.dataDir, { withFileTypes: true })) {
      const path = join(this.dataDir, entry.name);
      if (MACHINE_DIRS.has(entry.name) && entry.isDirectory()) {
        await chmod(path, 0o711);
      } else if (!entry.isSymbolicLink()) {
        const { mode } = await stat(path);
        await chmod(path, mode & 0o700);
      }
    }
  }
}

export function userNameOf(machineId: string): string {
  return USER_PREFIX + checkId(machineId).replaceAll('-', '').slice(0, 12).toLowerCase();
}

/** Creates the directory (and its parents) and hands it to the user with mode 0700. */
export async function giveTo(dir: string, user: MachineUser): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (user.isolated) {
    await chown(dir, user.uid, user.gid);
  }
  await chmod(dir, 0o700);
}

function checkId(machineId: string): string {
  if (!SAFE_ID.test(machineId)) {
    throw new Error(`Machine id '${machineId}' cannot name a Unix user or a directory.`);
  }
  return machineId;
}

/** The first directory above `dir` that other users cannot pass through, if any. */
async function closedAncestor(dir: string): Promise<string | undefined> {
  for (let current = dirname(dir); ; current = dirname(current)) {
    const info = await stat(current).catch(() => undefined);
    if (info !== undefined && (info.mode & 0o001) === 0) {
      return current;
    }
    if (dirname(current) === current) {
      return undefined;
    }
  }
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined)) !== undefined;
}
