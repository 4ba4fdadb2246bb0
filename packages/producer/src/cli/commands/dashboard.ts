import { createLogger, ENV } from '@agentq/shared';
import { type Command, InvalidArgumentError } from 'commander';
import { type CliContext, printJson } from '../cli-context.js';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number (0-65535)');
  return n;
}

export function registerDashboard(program: Command, ctx: () => CliContext): void {
  program
    .command('dashboard')
    .description(`serve Bull Board, the sessions/approvals/stats pages, the JSON API and /metrics (needs ${ENV.DASHBOARD_TOKEN} or basic credentials)`)
    .option('--port <port>', 'port to listen on (0: any free port)', port, 3000)
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--insecure', 'serve without authentication (local development only)')
    .option('--read-only-queues', 'Bull Board without retry, clean, pause or delete')
    .option('--json', 'print the address as JSON once listening')
    .action(async (opts: { port: number; host: string; insecure?: boolean; readOnlyQueues?: boolean; json?: boolean }) => {
      const context = ctx();
      const env = context.env;
      const logger = createLogger({ name: 'agentq-dashboard', level: env[ENV.LOG_LEVEL], pretty: env[ENV.LOG_PRETTY] ?? false });
      const token = env[ENV.DASHBOARD_TOKEN];
      const user = env[ENV.DASHBOARD_USER];
      const password = env[ENV.DASHBOARD_PASSWORD];
      // Loaded on demand: express and Bull Board would otherwise slow every other command's start-up.
      const { startDashboard } = await import('../../server/index.js');
      const dashboard = await startDashboard({
        producer: context.producer,
        port: opts.port,
        host: opts.host,
        readOnlyQueues: opts.readOnlyQueues === true,
        logger,
        auth: {
          ...(token !== undefined ? { token } : {}),
          ...(user !== undefined ? { user } : {}),
          ...(password !== undefined ? { password } : {}),
          insecure: opts.insecure === true,
        },
      });
      const auth = token ? 'token' : user ? 'basic' : 'insecure';
      if (opts.json) printJson({ url: dashboard.url, host: dashboard.host, port: dashboard.port, auth });
      else {
        process.stdout.write(`agentq dashboard on ${dashboard.url}  (Bull Board at ${dashboard.url}/queues, metrics at ${dashboard.url}/metrics)\n`);
        if (auth === 'insecure')
          process.stdout.write('warning: --insecure: no authentication; anyone who can reach this address can approve and cancel sessions\n');
      }
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      await dashboard.close();
    });
}
