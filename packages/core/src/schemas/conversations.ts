import * as z from 'zod/mini';

/** A conversation id: chosen by the client (`PUT /conversations/:id`) or by the server (`POST`). */
export const ConversationIdSchema = z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'a conversation id is 1–64 letters, digits, "-" or "_"'));

/**
 * A part as a thread keeps it: any part type a UI shows (text, reasoning, images, tool calls with
 * their state…), kept whole. Its fields are the app's; aiu checks only that it says what it is.
 */
const StoredPartSchema = z.looseObject({ type: z.string().check(z.minLength(1), z.maxLength(64)) });

/** A message of a stored thread (`@aiu/react`'s `UIMessage`): an id, a role and its parts. */
export const ConversationMessageInputSchema = z.strictObject({
  id: z.string().check(z.minLength(1), z.maxLength(200)),
  role: z.enum(['system', 'user', 'assistant']),
  parts: z.array(StoredPartSchema).check(z.maxLength(10_000)),
  metadata: z.optional(z.record(z.string(), z.unknown())),
});

/** `POST /conversations` and `PUT /conversations/:id`: the whole thread, saved as it is now. */
export const SaveConversationRequestSchema = z.strictObject({
  /** Shown in a list of chats; the start of the first user message when left out. */
  title: z.optional(z.string().check(z.trim(), z.maxLength(200))),
  model: z.optional(z.nullable(z.string().check(z.trim(), z.maxLength(256)))),
  messages: z.array(ConversationMessageInputSchema).check(z.maxLength(5_000)),
  /** The app's own settings for the chat (system prompt, temperature, per-reply facts…), kept as given. */
  metadata: z.optional(z.record(z.string().check(z.maxLength(100)), z.unknown())),
});
export type SaveConversationRequest = z.infer<typeof SaveConversationRequestSchema>;

export const ConversationSummarySchema = z.object({
  id: z.string(),
  title: z.string(),
  model: z.nullable(z.string()),
  messageCount: z.int(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Goes up by one on every save; send it back as `If-Match` to refuse overwriting a newer save. */
  version: z.int(),
});
export type ConversationSummary = z.infer<typeof ConversationSummarySchema>;

/** A stored thread. Parts come back exactly as saved (clients read them as their own message type). */
export const ConversationSchema = z.extend(ConversationSummarySchema, {
  messages: z.array(
    z.object({
      id: z.string(),
      role: z.enum(['system', 'user', 'assistant']),
      parts: z.array(z.record(z.string(), z.unknown())),
      metadata: z.optional(z.record(z.string(), z.unknown())),
    }),
  ),
  metadata: z.record(z.string(), z.unknown()),
});
export type Conversation = z.infer<typeof ConversationSchema>;

export const ConversationListSchema = z.object({ conversations: z.array(ConversationSummarySchema), nextCursor: z.nullable(z.string()) });
export type ConversationList = z.infer<typeof ConversationListSchema>;

export const ConversationListQuerySchema = z.strictObject({
  cursor: z.optional(z.string().check(z.maxLength(512))),
  limit: z.optional(z.pipe(z.coerce.number(), z.int().check(z.gte(1), z.lte(200)))),
});
export type ConversationListQuery = z.infer<typeof ConversationListQuerySchema>;
