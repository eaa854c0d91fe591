import { z } from 'zod';

/** One line a running action printed, as published to the output stream and served to clients. */
export const OutputLine = z.strictObject({
  conditionId: z.uuid(),
  server: z.string(),
  stream: z.enum(['stdout', 'stderr']),
  line: z.string(),
  ts: z.iso.datetime(),
});
export type OutputLine = z.infer<typeof OutputLine>;

/** A command of the commands directory, as GET /api/v1/commands lists it. */
export const CommandSummary = z.strictObject({
  name: z.string(),
  summary: z.string(),
  description: z.string(),
  syntax: z.string().optional(),
  has_context: z.boolean(),
  confirmation: z.string().optional(),
  timeout_seconds: z.number().positive(),
  concurrent: z.boolean(),
  ranks: z.array(z.string()),
});
export type CommandSummary = z.infer<typeof CommandSummary>;

export const CommandProblem = z.strictObject({
  command: z.string(),
  file: z.string(),
  line: z.number().int().optional(),
  message: z.string(),
});
export type CommandProblem = z.infer<typeof CommandProblem>;

export const CommandsResponse = z.strictObject({
  message: z.string(),
  commands: z.array(CommandSummary),
  problems: z.array(CommandProblem),
});
export type CommandsResponse = z.infer<typeof CommandsResponse>;

/** Body of the cancel request a controller receives for a condition it runs. */
export const CancelRequest = z.strictObject({ conditionId: z.uuid(), by: z.string().min(1) });
export type CancelRequest = z.infer<typeof CancelRequest>;

/** A controller's answer to a cancel request; only the replica running the condition answers. */
export const CancelReply = z.discriminatedUnion('ok', [
  z.strictObject({ ok: z.literal(true) }),
  z.strictObject({ ok: z.literal(false), error: z.string() }),
]);
export type CancelReply = z.infer<typeof CancelReply>;
