import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineAgent, isEventOf, type McpTransport } from '@agentq/shared';
import { describe, expect, test } from './support/fixtures.js';
import { scripted, startHarness } from './support/harness.js';

const SERVER = fileURLToPath(new URL('./fixtures/mcp/order-server.mjs', import.meta.url));

interface LoggedCall {
  name: string;
  args: Record<string, unknown>;
  meta: Record<string, unknown> | null;
  pid: number;
}

function calls(log: string): LoggedCall[] {
  try {
    return readFileSync(log, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as LoggedCall);
  } catch {
    return [];
  }
}

/** Starts the fixture server on Streamable HTTP as a child process; resolves with its URL once it listens. */
async function startHttpServer(log: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [SERVER, '--http'], { env: { ...process.env, MCP_FIXTURE_LOG: log }, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.on('exit', (code) => reject(new Error(`MCP fixture server exited ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}/mcp`, child };
}

describe.each(['stdio', 'http'] as const)('MCP tools over %s', (kind) => {
  test('discovered once and saved with the session; each call an agentq tool call: annotations set the risk (a destructive tool parks; an override wins), the idempotency key travels in _meta', async ({
    redisUrl,
    queueName,
    prefix,
  }) => {
    const dir = mkdtempSync(join(tmpdir(), 'agentq-mcp-'));
    const log = join(dir, 'calls.jsonl');
    const http = kind === 'http' ? await startHttpServer(log) : undefined;
    const transport: McpTransport = http
      ? { type: 'http', url: http.url }
      : { type: 'stdio', command: process.execPath, args: [SERVER, '--stdio'], env: { MCP_FIXTURE_LOG: log } };
    // echo_meta has no annotations (worst case: high); the agent overrides it
    const agent = defineAgent({
      name: 'orders',
      system: 'You handle orders.',
      tools: [],
      mcpServers: [{ name: 'shop', transport, tools: { echo_meta: { risk: 'low' } } }],
    });
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [agent] });
    try {
      const { sessionId } = await h.producer.start({
        agent: 'orders',
        input: scripted('Delete order A-1.', [
          { tool: 'shop_lookup_order', input: { orderId: 'A-1' } },
          { tool: 'shop_echo_meta', input: {} },
          { tool: 'shop_delete_order', input: { orderId: 'A-1' } },
          { text: 'Order A-1 is gone.' },
        ]),
      });
      // the destructive tool parks the session for approval; nothing ran it yet
      expect((await h.producer.wait(sessionId, { timeoutMs: 20_000, untilParked: true })).status).toBe('awaiting_approval');
      const [approval] = await h.producer.approvals.list({ sessionId });
      expect(approval).toMatchObject({ tool: 'shop_delete_order', risk: 'high' });
      expect(calls(log).filter((c) => c.name === 'delete_order')).toHaveLength(0);
      await h.producer.approvals.approve(approval?.approvalId as string, { by: 'dana' });
      expect(await h.producer.wait(sessionId, { timeoutMs: 20_000 })).toMatchObject({ status: 'completed', output: 'Order A-1 is gone.' });

      const byName = (name: string) => calls(log).filter((c) => c.name === name);
      console.log(`${kind}: MCP calls ${JSON.stringify(calls(log).map((c) => c.name))}`);
      expect([byName('lookup_order').length, byName('echo_meta').length, byName('delete_order').length]).toEqual([1, 1, 1]);
      // the call's idempotency key is agentq's, passed in _meta
      const events = await h.producer.events(sessionId);
      const echo = events.filter(isEventOf('tool_call')).find((e) => e.data.tool === 'shop_echo_meta');
      expect(byName('echo_meta')[0]?.meta).toMatchObject({ idempotencyKey: `${sessionId}:${echo?.step}:${echo?.data.toolUseId}` });
      // the tool list was discovered once and saved with the session, with the risk each annotation implies
      const saved = JSON.parse((await h.producer.redis.get(h.producer.stores.keys.mcpTools(sessionId))) ?? '[]') as Array<{ name: string }>;
      expect(saved.map((t) => t.name).sort()).toEqual(['cancel_order', 'crash', 'delete_order', 'echo_meta', 'lookup_order']);
      const risks = Object.fromEntries(events.filter((e) => e.type === 'tool_call').map((e) => [e.data.tool, e.data.risk]));
      expect(risks).toEqual({ shop_lookup_order: 'safe', shop_echo_meta: 'low', shop_delete_order: 'high' });
      // the model was offered the MCP tools under their agentq names, with their schemas
      const offered = (h.mock.requests()[0]?.body as { tools: Array<{ name: string; input_schema: unknown }> }).tools;
      expect(offered.map((t) => t.name).sort()).toEqual(['shop_cancel_order', 'shop_crash', 'shop_delete_order', 'shop_echo_meta', 'shop_lookup_order']);
    } finally {
      await h.close();
      http?.child.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('MCP server failures', () => {
  test('a stdio server that crashes mid-call: the call ends as an error result after its retries, the next call reaches a restarted server, the session completes', async ({
    redisUrl,
    queueName,
    prefix,
  }) => {
    const dir = mkdtempSync(join(tmpdir(), 'agentq-mcp-'));
    const log = join(dir, 'calls.jsonl');
    const agent = defineAgent({
      name: 'orders',
      system: 'You handle orders.',
      tools: [],
      mcpServers: [
        {
          name: 'shop',
          transport: { type: 'stdio', command: process.execPath, args: [SERVER, '--stdio'], env: { MCP_FIXTURE_LOG: log } },
          tools: { crash: { retries: 1 } },
        },
      ],
    });
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [agent] });
    try {
      const { sessionId } = await h.producer.start({
        agent: 'orders',
        input: scripted('Try.', [{ tool: 'shop_crash', input: {} }, { tool: 'shop_lookup_order', input: { orderId: 'B-2' } }, { text: 'Recovered.' }]),
      });
      expect(await h.producer.wait(sessionId, { timeoutMs: 30_000 })).toMatchObject({ status: 'completed', output: 'Recovered.' });
      const logged = calls(log);
      const crashes = logged.filter((c) => c.name === 'crash');
      const lookups = logged.filter((c) => c.name === 'lookup_order');
      const events = await h.producer.events(sessionId);
      const crashResult = events.filter(isEventOf('tool_result')).find((e) => e.data.tool === 'shop_crash');
      console.log(
        `crash attempts ${crashes.length}, server processes ${new Set(logged.map((c) => c.pid)).size}, lookup ${lookups.length}, crash result error ${String(crashResult?.data.isError)}`,
      );
      expect(crashes).toHaveLength(2);
      expect(lookups).toHaveLength(1);
      expect(new Set(logged.map((c) => c.pid)).size).toBe(3);
      expect(crashResult?.data).toMatchObject({ isError: true, attempts: 2 });
    } finally {
      await h.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
