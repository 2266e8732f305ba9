import type { PurgeReportResolvers, StatsResolvers } from '../generated.js';

/** Counts plus the retention in force. */
export const Stats: StatsResolvers = {
  oldestReceivedAt: (stats) => stats.oldestReceivedAtMs,
  newestReceivedAt: (stats) => stats.newestReceivedAtMs,
  retention: (_stats, _args, ctx) => ctx.retention.text,
  retentionSeconds: (_stats, _args, ctx) => Math.round(ctx.retention.ms / 1000),
  purgeIntervalSeconds: (_stats, _args, ctx) => Math.round(ctx.retention.purgeIntervalMs / 1000),
};

/** What one purge removed. */
export const PurgeReport: PurgeReportResolvers = {
  before: (report) => report.beforeMs,
};
