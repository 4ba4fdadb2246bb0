import { Redis } from 'ioredis';

/** Commands that wait for data by design: they hold no round trip of a step. */
const BLOCKING = new Set(['bzpopmin', 'bzpopmax', 'blpop', 'brpop', 'brpoplpush', 'blmove', 'bzmpop', 'blmpop', 'wait', 'subscribe', 'psubscribe']);

interface CommandLike {
  name: string;
  args: unknown[];
  promise: Promise<unknown>;
}

/**
 * Counts the sequential round trips, commands and bytes of every ioredis connection in this process: a round
 * trip starts when a command leaves while no other (non-blocking) command of any connection is waiting for its
 * reply. Commands sent while one is in flight, on any connection, ride on that trip: that is what "goes out
 * concurrently" costs. For tests and benchmarks; `stop()` restores the client.
 */
export class RoundTripCounter {
  roundTrips = 0;
  commands = 0;
  bytesOut = 0;
  /** With `record`, each round trip's commands in order (the first one opened it), to see where they go. */
  readonly trips: string[][] = [];
  record = false;
  /** Script names by SHA1, to name EVALSHA commands in {@link trips}. */
  scriptNames = new Map<string, string>();
  private inFlight = 0;
  private readonly ignored = new WeakSet<Redis>();
  private original: Redis['sendCommand'] | undefined;
  private readonly commandsOnly: boolean;

  /**
   * With `commandsOnly`, only {@link commands} is counted: no round trips, no bytes, no hook on each reply.
   * For a loaded benchmark, whose commands overlap (round trips say nothing there) and whose CPU the counter
   * should not add to (measuring each argument's bytes, hooking each reply).
   */
  constructor(options: { commandsOnly?: boolean } = {}) {
    this.commandsOnly = options.commandsOnly === true;
  }

  /** Leaves a connection out (the test's own reads). */
  ignore(redis: Redis): this {
    this.ignored.add(redis);
    return this;
  }

  start(): this {
    if (this.original) return this;
    const original = Redis.prototype.sendCommand;
    this.original = original;
    const ignored = this.ignored;
    const sent = (cmd: CommandLike) => this.sent(cmd);
    Redis.prototype.sendCommand = function (this: Redis, command: Parameters<Redis['sendCommand']>[0], ...rest: unknown[]) {
      const cmd = command as unknown as CommandLike;
      if (!ignored.has(this) && !isBlocking(cmd)) sent(cmd);
      return (original as (...a: unknown[]) => Promise<unknown>).call(this, command, ...rest) as ReturnType<Redis['sendCommand']>;
    } as Redis['sendCommand'];
    return this;
  }

  stop(): void {
    if (this.original) Redis.prototype.sendCommand = this.original;
    this.original = undefined;
  }

  reset(): void {
    this.roundTrips = 0;
    this.commands = 0;
    this.bytesOut = 0;
    this.trips.length = 0;
  }

  snapshot(): { roundTrips: number; commands: number; bytesOut: number } {
    return { roundTrips: this.roundTrips, commands: this.commands, bytesOut: this.bytesOut };
  }

  private sent(cmd: CommandLike): void {
    this.commands += 1;
    if (this.commandsOnly) return;
    this.bytesOut +=
      cmd.name.length +
      cmd.args.reduce<number>(
        (sum, arg) => sum + (typeof arg === 'string' ? Buffer.byteLength(arg) : Buffer.isBuffer(arg) ? arg.length : String(arg).length),
        0,
      );
    if (this.inFlight === 0) {
      this.roundTrips += 1;
      if (this.record) this.trips.push([]);
    }
    if (this.record) this.trips[this.trips.length - 1]?.push(describe(cmd, this.scriptNames));
    this.inFlight += 1;
    const done = () => {
      this.inFlight -= 1;
    };
    cmd.promise.then(done, done);
  }
}

function isBlocking(cmd: CommandLike): boolean {
  const name = cmd.name.toLowerCase();
  if (BLOCKING.has(name)) return true;
  return (name === 'xread' || name === 'xreadgroup') && cmd.args.some((a) => String(a).toLowerCase() === 'block');
}

function describe(cmd: CommandLike, scriptNames: Map<string, string>): string {
  const name = cmd.name.toLowerCase();
  if (name === 'evalsha') return `evalsha ${scriptNames.get(String(cmd.args[0])) ?? String(cmd.args[0]).slice(0, 8)} ${String(cmd.args[2] ?? '').slice(0, 50)}`;
  return `${name} ${String(cmd.args[0] ?? '').slice(0, 60)}`;
}
