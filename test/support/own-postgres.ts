/**
 * A Postgres server of a test's own (initdb into a temporary folder, a random port on 127.0.0.1,
 * trust authentication), so a fault test can stop and restart it without touching the machine's
 * shared server that other test files use. Tests run as root: the server runs as the `postgres`
 * user through runuser. fsync is off for speed: safe against a crash of the server process (the
 * operating system keeps what was written), which is all these tests cause. Commits stay
 * synchronous, so an immediate shutdown loses no committed transaction.
 */
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

const BIN = process.env.TEST_POSTGRES_BIN ?? '/usr/lib/postgresql/15/bin';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const run = (file: string, args: string[]) =>
  new Promise<void>((resolve, reject) =>
    execFile(file, args, { maxBuffer: 8 * 2 ** 20 }, (error, stdout, stderr) => (error ? reject(new Error(`${file} ${args.join(' ')}: ${error.message}\n${stdout}${stderr}`)) : resolve())),
  );

/** Runs a server binary as the postgres user when this process is root, else as ourselves. */
const asPostgres = (binary: string, args: string[]): [string, string[]] =>
  userInfo().uid === 0 ? ['runuser', ['-u', 'postgres', '--', join(BIN, binary), ...args]] : [join(BIN, binary), args];

export class OwnPostgres {
  readonly port = 22000 + Math.floor(Math.random() * 20000);
  private server?: ChildProcess;
  private log = '';

  private constructor(readonly dir: string) {}

  /** initdb into a fresh temporary folder, then start the server. */
  static async create(): Promise<OwnPostgres> {
    const dir = mkdtempSync(join(tmpdir(), 'tingfeng-own-pg-'));
    if (userInfo().uid === 0) {
      const ids = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:'))?.split(':');
      if (!ids) throw new Error('there is no postgres user to run the server as');
      chownSync(dir, Number(ids[2]), Number(ids[3]));
    }
    const pg = new OwnPostgres(dir);
    await run(...asPostgres('initdb', ['-D', join(dir, 'data'), '--auth=trust', '-U', 'postgres', '--encoding=UTF8', '--locale=C.UTF-8', '--no-sync']));
    await pg.start();
    return pg;
  }

  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** Starts the server (again) and waits until it accepts connections. */
  async start(): Promise<void> {
    const [file, args] = asPostgres('postgres', [
      '-D', join(this.dir, 'data'), '-p', String(this.port), '-k', this.dir, '-c', 'listen_addresses=127.0.0.1',
      '-c', 'fsync=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200',
    ]);
    this.log = '';
    const server = spawn(file, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    server.stderr?.on('data', (chunk: Buffer) => (this.log = (this.log + chunk.toString()).slice(-32_768)));
    this.server = server;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (server.exitCode !== null) throw new Error(`postgres exited during start-up: ${this.log}`);
      const client = new Client({ connectionString: this.url() });
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.query('SELECT 1');
        return;
      } catch {
        await sleep(100);
      } finally {
        await client.end().catch(() => undefined);
      }
    }
    throw new Error(`postgres did not accept connections within 60 s: ${this.log}`);
  }

  /**
   * Stops the server: `fast` (SIGINT: clients disconnected, clean shutdown) or `immediate` (SIGQUIT:
   * every process quits at once, like a crash; the next start runs crash recovery). Waits until the
   * postmaster is gone.
   */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    const pid = this.postmasterPid();
    if (!pid) return;
    process.kill(pid, mode === 'fast' ? 'SIGINT' : 'SIGQUIT');
    const deadline = Date.now() + 30_000;
    while (this.alive(pid)) {
      if (Date.now() > deadline) throw new Error('postgres did not stop within 30 s');
      await sleep(50);
    }
    // runuser returns once its child is gone.
    if (this.server && this.server.exitCode === null) await new Promise((r) => this.server!.once('exit', r));
  }

  async query<T = Record<string, unknown>>(sql: string, database = 'postgres'): Promise<T[]> {
    const client = new Client({ connectionString: this.url(database) });
    await client.connect();
    try {
      return (await client.query(sql)).rows as T[];
    } finally {
      await client.end();
    }
  }

  /** Stops the server and removes its folder. */
  async destroy(): Promise<void> {
    await this.stop('immediate').catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** What the server wrote to stderr lately. */
  serverLog(): string {
    return this.log;
  }

  private postmasterPid(): number | undefined {
    const file = join(this.dir, 'data', 'postmaster.pid');
    if (!existsSync(file)) return undefined;
    const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 && this.alive(pid) ? pid : undefined;
  }

  private alive(pid: number): boolean {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
}
