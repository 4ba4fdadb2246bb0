import { type Command, InvalidArgumentError } from 'commander';
import { startMetricsExporter } from '../../metrics/metrics-exporter.js';
import { type CliContext, printJson } from '../cli-context.js';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number (0-65535)');
  return n;
}

export function registerMetrics(program: Command, ctx: () => CliContext): void {
  program
    .command('metrics')
    .description('serve the queue gauges (/metrics) and the runnable backlog (/backlog, JSON) for Prometheus and an autoscaler, without a token')
    .option('--port <port>', 'port to listen on (0: any free port)', port, 9465)
    .option('--host <host>', 'address to bind (0.0.0.0 in a pod)', '127.0.0.1')
    .option('--json', 'print the address as JSON once listening')
    .action(async (opts: { port: number; host: string; json?: boolean }) => {
      const { producer } = ctx();
      const exporter = await startMetricsExporter({ queues: () => producer.queues, redis: producer.redis, port: opts.port, host: opts.host });
      if (opts.json) printJson({ url: exporter.url, host: exporter.host, port: exporter.port });
      else process.stdout.write(`agentq metrics on ${exporter.url}/metrics (runnable backlog as JSON at ${exporter.url}/backlog)\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      await exporter.close();
    });
}
