import * as z from 'zod/mini';

/** A model id (`provider:model`), `provider:*`, or a route name. */
const ModelPatternSchema = z.string().check(z.minLength(1), z.maxLength(200));

const positiveInt = z.int().check(z.gte(1), z.lte(1_000_000_000));
const usd = z.number().check(z.gt(0), z.lte(1_000_000));

export const ClientKeyBudgetSchema = z.strictObject({
  /** USD per UTC day. */
  dailyUsd: z.optional(usd),
  /** USD per UTC month. */
  monthlyUsd: z.optional(usd),
});
export type ClientKeyBudget = z.infer<typeof ClientKeyBudgetSchema>;

/** `POST /client-keys`: a key aiu issues to an app or a person that calls it. */
export const CreateClientKeyRequestSchema = z.strictObject({
  name: z.string().check(z.trim(), z.minLength(1, 'name is required'), z.maxLength(100)),
  /** The models the key may call (`provider:model`, `provider:*`, route names); all when absent. */
  models: z.optional(z.array(ModelPatternSchema).check(z.minLength(1), z.maxLength(200))),
  rpm: z.optional(positiveInt),
  tpm: z.optional(positiveInt),
  budget: z.optional(ClientKeyBudgetSchema),
  /** ISO time after which the key stops working. */
  expiresAt: z.optional(z.string().check(z.iso.datetime({ offset: true }))),
});
export type CreateClientKeyRequest = z.infer<typeof CreateClientKeyRequestSchema>;

/** A client key as routes show it: never the secret, only its last four characters. */
export const ClientKeySummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  hint: z.string(),
  models: z.nullable(z.array(z.string())),
  rpm: z.nullable(z.number()),
  tpm: z.nullable(z.number()),
  budget: z.nullable(z.object({ dailyUsd: z.nullable(z.number()), monthlyUsd: z.nullable(z.number()) })),
  createdAt: z.string(),
  expiresAt: z.nullable(z.string()),
  lastUsedAt: z.nullable(z.string()),
  revokedAt: z.nullable(z.string()),
  /** USD spent through this key since it was made, from the request log. */
  spendUsd: z.number(),
});
export type ClientKeySummary = z.infer<typeof ClientKeySummarySchema>;

/** `POST /client-keys`'s answer: the only time the secret is shown. */
export const CreatedClientKeySchema = z.extend(ClientKeySummarySchema, { key: z.string() });
export type CreatedClientKey = z.infer<typeof CreatedClientKeySchema>;

export const ClientKeyListSchema = z.object({ keys: z.array(ClientKeySummarySchema) });
export type ClientKeyList = z.infer<typeof ClientKeyListSchema>;
