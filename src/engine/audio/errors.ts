/** A recording that cannot be decoded; the message names the file and the problem. */
export class AudioDecodeError extends Error {
  readonly file: string;
  readonly problem: string;

  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'AudioDecodeError';
    this.file = file;
    this.problem = problem;
  }
}
