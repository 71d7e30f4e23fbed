import type { Command } from 'commander';
import { createContext, type Context, type GlobalOptions } from './context';

export type Action = (ctx: Context, ...args: never[]) => Promise<void>;
export type Run = (action: Action) => (...args: unknown[]) => Promise<void>;

/** Commander calls an action with its arguments, its options and itself; ours get a context first. */
export const run: Run =
  (action) =>
  async (...args) => {
    const command = args.at(-1) as Command;
    const ctx = await createContext(command.optsWithGlobals<GlobalOptions>());
    await (action as (ctx: Context, ...rest: unknown[]) => Promise<void>)(ctx, ...args.slice(0, -1));
  };
