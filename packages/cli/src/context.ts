import { connect, type Connection } from './connection';
import { Output } from './output';
import { loadSettings, type GlobalFlags, type Settings } from './settings';

export interface GlobalOptions extends GlobalFlags {
  json?: boolean;
  debug?: boolean;
  color?: boolean;
}

/** What every command gets: its settings, where to print, and a way to reach aiu. */
export interface Context {
  settings: Settings;
  out: Output;
  options: GlobalOptions;
  /** aiu's warnings, on stderr. */
  warn: (message: string) => void;
  /** Runs `work` against aiu (local store or `--url`) and always closes the connection, flushing the log. */
  withConnection<T>(work: (connection: Connection) => Promise<T>): Promise<T>;
}

export async function createContext(options: GlobalOptions): Promise<Context> {
  const settings = await loadSettings(options);
  const out = new Output(Boolean(options.json), settings.env, options.color === false);
  const warn = (message: string) => out.note(out.errColor.yellow(message.replace(/^\[aiu\] /, 'warning: ')));
  return {
    settings,
    out,
    options,
    warn,
    async withConnection(work) {
      const connection = await connect(settings, warn);
      try {
        return await work(connection);
      } finally {
        await connection.close();
      }
    },
  };
}
