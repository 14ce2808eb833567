// What every CLI command provides to the dispatcher in main.ts.
export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /**
   * Resolves when stdout can take more: after a 'drain' when its buffer is full (a slow
   * reader), else on the next turn of the event loop, so a closed pipe's EPIPE is seen.
   * Commands that print a lot await it between chunks.
   */
  drain?: () => Promise<void>;
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
