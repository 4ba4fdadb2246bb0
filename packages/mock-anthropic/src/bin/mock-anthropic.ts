#!/usr/bin/env node
import { resolveCliConfig, USAGE } from '../cli-config.js';
import { startMockAnthropic } from '../server.js';

const config = resolveCliConfig(process.argv.slice(2), process.env);
if (config.kind === 'help') {
  process.stdout.write(`${USAGE}\n`);
} else if (config.kind === 'error') {
  process.stderr.write(`mock-anthropic: ${config.message}\n${USAGE}\n`);
  process.exitCode = 2;
} else {
  try {
    const mock = await startMockAnthropic(config.options);
    // The one stdout line a supervisor waits for; everything else goes to stderr.
    process.stdout.write(`${JSON.stringify({ url: mock.url })}\n`);
    const stop = (): void => {
      // Exit even if a client holds a connection that close() cannot end in time.
      setTimeout(() => process.exit(0), 2000).unref();
      mock.close().then(
        () => process.exit(0),
        () => process.exit(0),
      );
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  } catch (err) {
    process.stderr.write(`mock-anthropic: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}
