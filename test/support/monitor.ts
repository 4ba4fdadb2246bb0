import { connect } from 'node:net';

/**
 * Redis MONITOR on a plain socket: `onLine` gets each command Redis runs, as Redis prints it
 * (`<time> [<db> <client>] "<command>" "<arg>" …`, quotes inside arguments escaped). ioredis's own monitor
 * mode can take the first monitor lines for replies to its connection checks and fail with "Command queue
 * state error". Resolves once MONITOR is on; the function it resolves to closes the socket.
 */
export async function monitorRedis(redisUrl: string, onLine: (line: string) => void): Promise<() => void> {
  const url = new URL(redisUrl);
  const socket = connect(Number(url.port || 6379), url.hostname);
  socket.setEncoding('utf8');
  let buffer = '';
  const on = new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      for (let end = buffer.indexOf('\r\n'); end >= 0; end = buffer.indexOf('\r\n')) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (line === '+OK') resolve();
        else if (line.startsWith('+')) onLine(line.slice(1));
        else if (line.startsWith('-')) reject(new Error(`MONITOR refused: ${line.slice(1)}`));
      }
    });
  });
  socket.write('MONITOR\r\n');
  await on;
  return () => socket.destroy();
}
