import { z } from 'zod';
import { ASK_HUMAN_TOOL } from '../conversation/question.js';
import { defineTool, type Tool } from './define-tool.js';

/**
 * The built-in `ask_human` tool an agent gets with `defineAgent({ askHuman: true })`. The runtime answers
 * it: the session parks (`awaiting_input`, no worker waits) until `producer.send` / `agentq send` /
 * `POST /api/sessions/:id/messages` delivers the answer, which becomes the tool result; a question not
 * answered within the session's `approvalTimeoutMs` is answered with an error saying so.
 */
export const askHumanTool: Tool = defineTool({
  name: ASK_HUMAN_TOOL,
  description:
    'Ask the human user a question and wait for the answer. Use it when you need information or a choice only the user can give; ask one clear question at a time.',
  input: z.object({ question: z.string().min(1).max(4000).describe('The question to show the user') }),
  risk: 'safe',
  breaker: false,
  run: () => {
    throw new Error('ask_human is answered by the runtime, never run');
  },
});
