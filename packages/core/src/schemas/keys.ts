import * as z from 'zod/mini';

export const KeyScopeSchema = z.enum(['chat', 'embed', 'models']);
export type KeyScope = z.infer<typeof KeyScopeSchema>;
export const KeyStatusSchema = z.enum(['valid', 'invalid', 'unknown']);
export type KeyStatus = z.infer<typeof KeyStatusSchema>;

/** Letters, digits, `.`, `_` and `-`: safe in URLs (`DELETE /keys/:provider/:alias`) and logs. */
export const KeyAliasSchema = z
  .string()
  .check(z.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'alias must be 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit'));

/** Printable ASCII without spaces: what every provider's keys look like. */
export const ApiKeySchema = z
  .string()
  .check(
    z.trim(),
    z.minLength(1, 'key is required'),
    z.maxLength(4096, 'key is longer than 4,096 characters'),
    z.regex(/^[\x21-\x7e]+$/, 'key must be printable characters without spaces'),
  );

const ProviderIdSchema = z.string().check(z.minLength(1, 'provider is required'), z.maxLength(64));

export const SaveKeyRequestSchema = z.object({
  provider: ProviderIdSchema,
  alias: z.optional(KeyAliasSchema),
  key: ApiKeySchema,
  scopes: z.optional(z.array(KeyScopeSchema).check(z.minLength(1), z.maxLength(3))),
  /** Ask the provider before saving; an invalid key is not stored. */
  validate: z.optional(z.boolean()),
  /** Overwrite an existing key with this alias instead of answering 409. */
  replace: z.optional(z.boolean()),
});
export type SaveKeyRequest = z.infer<typeof SaveKeyRequestSchema>;

/**
 * A key to check before saving it; or, without `key`, the key a call would use now (the stored
 * `alias`, default `default`, then the configured or environment key), whose status is updated.
 */
export const ValidateKeyRequestSchema = z.object({ provider: ProviderIdSchema, key: z.optional(ApiKeySchema), alias: z.optional(KeyAliasSchema) });
export type ValidateKeyRequest = z.infer<typeof ValidateKeyRequestSchema>;

export const KeyValidationSchema = z.object({
  valid: z.boolean(),
  /** When the key in use was checked: whether it was a stored key or the configured/environment one. */
  source: z.optional(z.enum(['stored', 'configured'])),
  modelCount: z.optional(z.number()),
  error: z.optional(z.object({ code: z.string(), message: z.string() })),
});
export type KeyValidation = z.infer<typeof KeyValidationSchema>;

/** A stored key as routes show it: never the secret, only its last four characters. */
export const KeySummarySchema = z.object({
  provider: z.string(),
  alias: z.string(),
  hint: z.string(),
  scopes: z.array(KeyScopeSchema),
  status: KeyStatusSchema,
  createdAt: z.string(),
  lastValidatedAt: z.nullable(z.string()),
});
export type KeySummary = z.infer<typeof KeySummarySchema>;

export const ProviderSummarySchema = z.object({
  id: z.string(),
  /** True when a call could get a key: stored, configured in code, or in the environment (or none needed). */
  configured: z.boolean(),
  requiresKey: z.boolean(),
  envKey: z.nullable(z.string()),
  keys: z.array(KeySummarySchema),
});
export type ProviderSummary = z.infer<typeof ProviderSummarySchema>;

export const ProviderListSchema = z.object({ providers: z.array(ProviderSummarySchema) });
export type ProviderList = z.infer<typeof ProviderListSchema>;
