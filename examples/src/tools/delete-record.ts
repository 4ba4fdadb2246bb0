import { defineTool, type Redis } from '@agentq/shared';
import { z } from 'zod';
import { recordsKey } from './records.js';

/** Options of {@link createDeleteRecordTool}. */
export interface DeleteRecordToolOptions {
  redis: Redis;
  /** Key prefix; records live in `<prefix>:app:records:<table>`. */
  prefix: string;
}

const DeleteRecordInput = z.object({
  // Restricted so a table name cannot reach into other keys of the prefix.
  table: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,63}$/, 'table must be lowercase letters, digits and "_"')
    .describe('Table name, e.g. "customers"'),
  id: z.string().min(1).max(128).describe('Id of the record to delete, e.g. "cus_1003"'),
});

/** `delete_record`: permanently deletes one record from a table. */
export function createDeleteRecordTool(options: DeleteRecordToolOptions) {
  return defineTool({
    name: 'delete_record',
    description: 'Permanently delete one record from a database table. Cannot be undone.',
    input: DeleteRecordInput,
    risk: 'high',
    // HDEL is harmless to repeat, but a high-risk action is never re-run on the runtime's own initiative.
    idempotent: false,
    timeoutMs: 5_000,
    run: async ({ table, id }) => {
      const removed = await options.redis.hdel(recordsKey(options.prefix, table), id);
      return { table, id, existed: removed === 1, deleted: removed === 1 };
    },
  });
}
