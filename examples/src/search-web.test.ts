import { describe, expect, test } from 'vitest';
import { createTestToolContext } from './testing/tool-context.js';
import { SEARCH_CORPUS } from './tools/search-corpus.js';
import { createSearchWebTool, searchCorpus } from './tools/search-web.js';

interface Results {
  query: string;
  results: Array<{ title: string; url: string; snippet: string; score: number }>;
  note?: string;
}

describe('search_web', () => {
  const tool = createSearchWebTool();
  const run = async (input: unknown) => (await tool.run(tool.input.parse(input), createTestToolContext())) as unknown as Results;

  test('is a safe, idempotent tool with an object input schema', () => {
    expect(tool.name).toBe('search_web');
    expect(tool.risk).toBe('safe');
    expect(tool.idempotent).toBe(true);
    expect(tool.inputSchema).toMatchObject({ type: 'object', required: ['query'] });
  });

  test('the corpus holds about 25 documents with unique urls', () => {
    expect(SEARCH_CORPUS.length).toBeGreaterThanOrEqual(20);
    expect(new Set(SEARCH_CORPUS.map((d) => d.url)).size).toBe(SEARCH_CORPUS.length);
  });

  test.each([
    ['BullMQ rate limiting', 'BullMQ: Rate limiting'],
    ['Redis SET NX', 'Redis SET with NX and EX for locks and idempotency keys'],
    ['Claude tool use errors is_error', 'Handling tool errors in Claude tool use'],
    ['429 retry-after header', 'HTTP 429 Too Many Requests and the retry-after header'],
    ['exponential backoff jitter', 'Exponential backoff and jitter'],
    ['Redis streams consumer groups', 'Redis Streams introduction'],
  ])('"%s" ranks "%s" first', async (query, title) => {
    const { results } = await run({ query });
    expect(results[0]?.title).toBe(title);
  });

  test('results are sorted by score and carry title, url and snippet', async () => {
    const { results } = await run({ query: 'rate limits' });
    expect(results.length).toBeGreaterThan(1);
    const scores = results.map((r) => r.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    for (const r of results) expect(r).toMatchObject({ title: expect.any(String), url: expect.stringMatching(/^https:\/\//), snippet: expect.any(String) });
  });

  test('maxResults caps the result count, default 5', async () => {
    expect((await run({ query: 'redis', maxResults: 2 })).results).toHaveLength(2);
    expect((await run({ query: 'redis queue jobs' })).results).toHaveLength(5);
  });

  test('no match gives an empty list and a hint', async () => {
    const out = await run({ query: 'zebra xylophone' });
    expect(out.results).toEqual([]);
    expect(out.note).toMatch(/No results/);
  });

  test('stopwords alone match nothing', () => {
    expect(searchCorpus(SEARCH_CORPUS, 'the and of')).toEqual([]);
  });

  test('invalid input is rejected by the schema, as the runtime will report it to the model', () => {
    expect(tool.input.safeParse({ query: 123 }).success).toBe(false);
    expect(tool.input.safeParse({ query: '' }).success).toBe(false);
    expect(tool.input.safeParse({ query: 'x', maxResults: 50 }).success).toBe(false);
  });
});
