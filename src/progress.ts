const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export interface Progress {
  done(message: string): void;
  fail(message: string): void;
}

/** A spinner on a terminal; one plain line per state change otherwise (CI logs stay readable). */
export function startProgress(message: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) {
    stream.write(`${message}…\n`);
    return { done: (line) => stream.write(`✔ ${line}\n`), fail: (line) => stream.write(`✖ ${line}\n`) };
  }
  let frame = 0;
  const timer = setInterval(() => {
    stream.write(`\r${FRAMES[frame++ % FRAMES.length] ?? ''} ${message}`);
  }, 80);
  const finish = (symbol: string, line: string): void => {
    clearInterval(timer);
    stream.write(`\r\x1b[2K${symbol} ${line}\n`);
  };
  return { done: (line) => finish('✔', line), fail: (line) => finish('✖', line) };
}
