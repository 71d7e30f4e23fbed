import { AiuError } from '@aiu/core';
import { Command, CommanderError } from 'commander';
import { chatCommand } from './commands/chat';
import { clientKeysCommand } from './commands/clientKeys';
import { exportCommand } from './commands/export';
import { initCommand } from './commands/init';
import { keysCommand } from './commands/keys';
import { logsCommand } from './commands/logs';
import { modelsCommand } from './commands/models';
import { serveCommand } from './commands/serve';
import { usageCommand } from './commands/usage';
import { CliError, EXIT } from './errors';
import { colorsFor } from './output';
import { run } from './run';
import { version } from './version';

export function program(): Command {
  const aiu = new Command('aiu')
    .description('aiu: provider keys, models, chat, the request log and its cost — and the gateway that serves them.')
    .version(version(), '-v, --version')
    .option('--json', 'machine-readable output (JSON; JSON Lines for streams)')
    .option('--url <url>', 'drive a running aiu over HTTP (AIU_URL; AIU_CLIENT_KEY is sent as the bearer key)')
    .option('--config <file>', 'createAiu options file (default aiu.config.mjs|js|json here)')
    .option('--no-color', 'no colour (also NO_COLOR)')
    .option('--debug', 'print the stack trace of a failure')
    .showSuggestionAfterError(true)
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({
      // Commander's own usage errors, on one line like ours.
      outputError: (text, write) => write(`${text.trim().replace(/\n+/g, ' ').replace(/^error: /, 'aiu: ')} (exit 2; aiu --help)\n`),
    })
    .addHelpText('after', `
Settings come from the environment, .env and aiu.config.mjs|json: AIU_MASTER_KEY, AIU_DATABASE_URL
(a SQLite file or postgres://…), the providers' *_API_KEY and *_BASE_URL, AIU_URL and AIU_CLIENT_KEY.

Examples:
  $ aiu init && aiu keys add openai && aiu serve
  $ aiu chat -m openai:gpt-4.1-nano "Invent a holiday"
  $ aiu usage --from 7d --by day
  $ aiu logs --follow --url http://gateway:4141

Exit codes: 0 ok, 1 failed, 2 bad usage (130 after Ctrl-C).`);
  for (const add of [initCommand, serveCommand, keysCommand, clientKeysCommand, modelsCommand, chatCommand, logsCommand, usageCommand, exportCommand]) add(aiu, run);
  for (const command of aiu.commands) {
    command.exitOverride().showSuggestionAfterError(true);
    for (const sub of command.commands) sub.exitOverride().showSuggestionAfterError(true);
  }
  return aiu;
}

/** Runs the CLI and resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  const cli = program();
  if (argv.length === 0) {
    cli.outputHelp({ error: true });
    return EXIT.usage;
  }
  try {
    await cli.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (error) {
    return report(error, argv);
  }
}

/** What to do next, for the server's codes whose messages speak of routes rather than commands. */
const HINTS: Record<string, string> = {
  missing_api_key: 'add one with aiu keys add <provider>, or set <PROVIDER>_API_KEY',
  invalid_api_key: 'replace it with aiu keys add <provider> --replace',
  unauthorized: 'set AIU_CLIENT_KEY to a key from aiu client-keys create',
  forbidden: 'the server decides this with createAiu({ authorize }); run the command on its machine, or ask for access',
  unknown_provider: 'aiu keys list shows the providers this aiu knows',
  invalid_model: 'aiu models lists the ids (provider:model)',
  rate_limited: 'wait and try again',
};

function report(error: unknown, argv: string[]): number {
  if (error instanceof CommanderError) {
    // --help and --version end here too, with 0; every other Commander error is bad usage.
    return error.exitCode === 0 || error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? EXIT.ok : EXIT.usage;
  }
  const failure =
    error instanceof CliError
      ? error
      : AiuError.isInstance(error)
        ? new CliError(error.code, error.message)
        : error instanceof TypeError && /^\[aiu\]|createAiu|is not an option/.test(error.message)
          ? new CliError('invalid_config', error.message)
          : new CliError('internal_error', error instanceof Error ? error.message : String(error));
  const hint = failure.options.hint ?? HINTS[failure.code];
  if (hint && !failure.options.hint) failure.options.hint = hint;
  const json = argv.includes('--json');
  const debug = argv.includes('--debug');
  if (json) {
    process.stderr.write(`${JSON.stringify({ error: { code: failure.code, message: failure.message, ...(failure.options.hint ? { hint: failure.options.hint } : {}) } })}\n`);
  } else {
    const color = colorsFor(process.stderr, process.env, argv.includes('--no-color'));
    const hint = failure.options.hint ? ` — ${failure.options.hint}` : '';
    process.stderr.write(`${color.red('aiu:')} ${failure.message} ${color.dim(`[${failure.code}]`)}${hint}\n`);
  }
  if (debug) process.stderr.write(`${(error instanceof Error && (error.stack ?? error.message)) || String(error)}\n`);
  return failure.exitCode;
}
