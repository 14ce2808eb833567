// What every CLI command provides to the dispatcher in main.ts.
export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Standard input as text (read lazily; only commands that need it call this). */
  stdin: () => Promise<string>;
}

export interface Command {
  name: string;
  /** One line for `seq2seq --help`. */
  summary: string;
  /** Full usage for `seq2seq <command> --help`. */
  usage: string;
  /** Returns the process exit code. Throws UserError for the user's mistakes. */
  run(argv: string[], io: Io): Promise<number>;
}
