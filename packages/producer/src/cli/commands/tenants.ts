import type { TenantSettings } from '@agentq/shared';
import { type Command, InvalidArgumentError } from 'commander';
import { type CliContext, printJson, printTable } from '../cli-context.js';

/** A number, or `none` to remove the setting (kept as the word: commander turns a parsed `null` into ''). */
function numberOrNone(value: string): number | 'none' {
  if (value === 'none') return 'none';
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError('must be a number, or "none" to remove it');
  return n;
}

export function registerTenants(program: Command, ctx: () => CliContext): void {
  const tenants = program.command('tenants').description('tenant scheduling settings: weights, concurrency caps, rate-limit shares');
  tenants
    .command('list', { isDefault: true })
    .description('tenants with settings, with their queued and running steps')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const producer = ctx().producer;
      const rows = await Promise.all((await producer.tenants.list()).map(async (t) => ({ ...t, ...(await producer.scheduler.load(t.tenant)) })));
      if (opts.json) printJson(rows);
      else printTable(rows, ['tenant', 'weight', 'maxConcurrency', 'share', 'backlog', 'running']);
    });
  tenants
    .command('set')
    .description('set a tenant\'s weight, concurrency cap or rate-limit share ("none" removes one)')
    .argument('<tenant>')
    .option('--weight <n>', 'relative share of step slots when tenants compete (default 1)', numberOrNone)
    .option('--max-concurrency <n>', 'steps of this tenant running at once across the fleet', numberOrNone)
    .option('--share <fraction>', 'fraction (0, 1] of every rate limit this tenant may use', numberOrNone)
    .option('--json', 'print JSON')
    .action(async (tenant: string, opts: { weight?: number | 'none'; maxConcurrency?: number | 'none'; share?: number | 'none'; json?: boolean }) => {
      const controls = ctx().producer.tenants;
      const value = (v: number | 'none') => (v === 'none' ? null : v);
      let settings: TenantSettings = await controls.settings(tenant);
      if (opts.weight !== undefined) settings = await controls.setWeight(tenant, value(opts.weight));
      if (opts.maxConcurrency !== undefined) settings = await controls.setMaxConcurrency(tenant, value(opts.maxConcurrency));
      if (opts.share !== undefined) settings = await controls.setShare(tenant, value(opts.share));
      if (opts.json) printJson({ tenant, ...settings });
      else printTable([{ tenant, ...settings }], ['tenant', 'weight', 'maxConcurrency', 'share']);
    });
}
