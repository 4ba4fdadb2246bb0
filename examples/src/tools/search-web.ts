import { defineTool } from '@agentq/shared';
import { z } from 'zod';
import { SEARCH_CORPUS, type SearchDocument } from './search-corpus.js';

/** Options of {@link createSearchWebTool}. */
export interface SearchWebToolOptions {
  /** Documents to search. @defaultValue {@link SEARCH_CORPUS} */
  corpus?: readonly SearchDocument[];
}

/** One ranked hit of {@link searchCorpus}. */
export interface SearchHit extends SearchDocument {
  score: number;
}

const SearchWebInput = z.object({
  query: z.string().min(1).max(300).describe('Search terms, e.g. "BullMQ rate limiting"'),
  maxResults: z.number().int().min(1).max(10).optional().describe('How many results to return (1-10, default 5)'),
});

const TITLE_WEIGHT = 3;

// Words that match nearly every document and would drown the terms that matter.
const STOPWORDS = new Set('a an and are as at be by can do for from how i in is it of on or the to what when where which who why with'.split(' '));

export function tokenize(text: string): string[] {
  return (text.toLowerCase().match(/[a-z0-9]+/g) ?? []).filter((t) => !STOPWORDS.has(t));
}

/**
 * Ranks documents by query-term hits, title hits weighted higher, each term weighted by how rare it is
 * in the corpus (idf) so "redis" alone does not outrank a document matching "rate" and "limit" too.
 */
export function searchCorpus(corpus: readonly SearchDocument[], query: string, maxResults = 5): SearchHit[] {
  const terms = [...new Set(tokenize(query))];
  if (terms.length === 0) return [];
  const docs = corpus.map((doc) => ({ doc, title: tokenize(doc.title), body: tokenize(doc.snippet) }));
  const idf = new Map(
    terms.map((term) => {
      const df = docs.filter((d) => count(d.title, term) + count(d.body, term) > 0).length;
      return [term, Math.log(1 + corpus.length / (1 + df))];
    }),
  );
  return docs
    .map(({ doc, title, body }, index) => {
      let score = 0;
      for (const term of terms) {
        const hits = TITLE_WEIGHT * count(title, term) + count(body, term);
        // Saturating: the fifth mention of a word says less than the first.
        score += (idf.get(term) ?? 0) * Math.log1p(hits);
      }
      return { hit: { ...doc, score: Math.round(score * 1000) / 1000 }, index };
    })
    .filter(({ hit }) => hit.score > 0)
    .sort((a, b) => b.hit.score - a.hit.score || a.index - b.index)
    .slice(0, maxResults)
    .map(({ hit }) => hit);
}

// Prefix matching lets "limit" find "limiting" and "limiter" without a stemmer.
function count(tokens: readonly string[], term: string): number {
  let n = 0;
  for (const t of tokens) if (t === term || (term.length > 3 && t.startsWith(term))) n++;
  return n;
}

/** `search_web`: searches an offline corpus, standing in for a web search API. */
export function createSearchWebTool(options: SearchWebToolOptions = {}) {
  const corpus = options.corpus ?? SEARCH_CORPUS;
  return defineTool({
    name: 'search_web',
    description: 'Search the web and return the most relevant pages with title, url and snippet.',
    input: SearchWebInput,
    risk: 'safe',
    timeoutMs: 5_000,
    run: ({ query, maxResults }) => {
      const results = searchCorpus(corpus, query, maxResults ?? 5);
      return results.length > 0 ? { query, results } : { query, results, note: 'No results. Try fewer or more general search terms.' };
    },
  });
}
