import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import type { Router } from 'express';

export const BULL_BOARD_PATH = '/queues';

/**
 * Bull Board for the given BullMQ queues, mounted at {@link BULL_BOARD_PATH}. Each step job links to its
 * session's timeline. Its API calls carry the `X-XSRF-TOKEN` header (axios copies the `XSRF-TOKEN`
 * cookie), so they pass the same CSRF guard as agentq's own pages.
 */
export function bullBoardRouter(queues: readonly Queue[], options: { readOnly: boolean }): Router {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(BULL_BOARD_PATH);
  createBullBoard({
    queues: queues.map(
      (queue) =>
        new BullMQAdapter(queue, {
          readOnlyMode: options.readOnly,
          description: 'agentq steps: one job per agent step',
          externalJobUrl: (job) => {
            const sessionId = (job.data as { sessionId?: unknown } | undefined)?.sessionId;
            return typeof sessionId === 'string'
              ? { displayText: 'Session timeline', href: `/sessions/${encodeURIComponent(sessionId)}` }
              : { displayText: 'Sessions', href: '/sessions' };
          },
        }),
    ),
    serverAdapter,
    options: {
      uiConfig: {
        boardTitle: 'agentq',
        hideDocsLink: true,
        miscLinks: [
          { text: 'Sessions', url: '/sessions' },
          { text: 'Approvals', url: '/approvals' },
        ],
      },
    },
  });
  return serverAdapter.getRouter() as Router;
}
