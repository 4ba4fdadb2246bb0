import { AgentEventType } from '@agentq/shared';

export interface LivePageOptions {
  /** Where the dashboard serves `GET /api/sessions/:id/stream`, e.g. `http://127.0.0.1:3000`. */
  dashboardUrl: string;
  sessionId: string;
  /** A stream token of this session (`producer.streamToken`), never the dashboard's own token. */
  token: string;
}

/** JSON that is safe inside a `<script>` element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

/**
 * A page that shows one session live: its events as they are written and, for a `stream: true` agent, the
 * model's text as it is generated. It uses the browser's own EventSource, which reconnects by itself and
 * sends `Last-Event-ID`, so a dropped connection resumes where it stopped.
 */
export function livePage(options: LivePageOptions): string {
  const config = scriptJson({
    url: `${options.dashboardUrl}/api/sessions/${encodeURIComponent(options.sessionId)}/stream?deltas=1&token=${encodeURIComponent(options.token)}`,
    sessionId: options.sessionId,
    types: AgentEventType.options,
  });
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>agentq live session</title>
<style>
  body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 46rem; padding: 0 1rem; color: #1d2330; }
  #answer { white-space: pre-wrap; background: #f3f5f9; border-radius: 6px; padding: .75rem 1rem; min-height: 2.5rem; }
  #events { font: 13px/1.5 ui-monospace, monospace; color: #4a5366; }
  .status { font-weight: 600; }
</style>
</head>
<body>
<h1>Session <code id="session"></code></h1>
<p>Status: <span id="status" class="status">connecting</span></p>
<h2>Answer</h2>
<div id="answer" aria-live="polite"></div>
<h2>Events</h2>
<ol id="events"></ol>
<script>
const config = ${config};
document.getElementById('session').textContent = config.sessionId;
const status = document.getElementById('status');
const answer = document.getElementById('answer');
const list = document.getElementById('events');
const source = new EventSource(config.url);
source.onopen = () => { if (status.textContent === 'connecting') status.textContent = 'live'; };
for (const type of config.types) {
  source.addEventListener(type, (message) => {
    const event = JSON.parse(message.data);
    const item = document.createElement('li');
    item.dataset.id = message.lastEventId;
    item.dataset.type = event.type;
    item.textContent = 'step ' + event.step + ' ' + event.type + (event.data.tool ? ' ' + event.data.tool : '');
    list.appendChild(item);
  });
}
source.addEventListener('text_delta', (message) => {
  answer.textContent += JSON.parse(message.data).text;
});
source.addEventListener('end', (message) => {
  status.textContent = JSON.parse(message.data).status;
  source.close();
});
</script>
</body>
</html>
`;
}
