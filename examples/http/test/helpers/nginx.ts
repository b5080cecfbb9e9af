/** One nginx directive: `name args...;` or `name args... { block }`. */
export interface Directive {
  name: string;
  args: string[];
  block?: Directive[];
}

/** A small parser for nginx configuration: enough to read what a file sets, where. */
export function parseNginx(text: string): Directive[] {
  const tokens = tokenize(text);
  let index = 0;
  const parseBlock = (closing: boolean): Directive[] => {
    const directives: Directive[] = [];
    while (index < tokens.length) {
      const token = tokens[index++]!;
      if (token === '}') {
        if (closing) return directives;
        throw new Error('nginx: unexpected }');
      }
      const words = [token];
      while (index < tokens.length && !['{', ';', '}'].includes(tokens[index]!)) words.push(tokens[index++]!);
      const end = tokens[index++];
      const [name = '', ...args] = words;
      if (end === ';') directives.push({ name, args });
      else if (end === '{') directives.push({ name, args, block: parseBlock(true) });
      else throw new Error(`nginx: directive ${name} is not terminated`);
    }
    if (closing) throw new Error('nginx: missing }');
    return directives;
  };
  return parseBlock(false);
}

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  const pattern = /\s+|#[^\n]*|"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|([{};])|([^\s{};"'#]+)/y;
  while (pattern.lastIndex < text.length) {
    const start = pattern.lastIndex;
    const match = pattern.exec(text);
    if (!match) throw new Error(`nginx: cannot read "${text.slice(start, start + 20)}"`);
    const [, double, single, punctuation, word] = match;
    const token = double ?? single ?? punctuation ?? word;
    if (token !== undefined) tokens.push(token);
  }
  return tokens;
}

/** nginx time (`90`, `3660s`, `61m`, `1h`, `500ms`) in milliseconds. */
export function nginxMs(value: string): number {
  const match = /^(\d+)(ms|s|m|h|d)?$/.exec(value);
  if (!match) throw new Error(`nginx: not a time: ${value}`);
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] ?? 's'] ?? 1_000;
  return Number(match[1]) * unit;
}

/** nginx size (`1024`, `16k`, `2m`, `1g`) in bytes. */
export function nginxBytes(value: string): number {
  const match = /^(\d+)([kKmMgG])?$/.exec(value);
  if (!match) throw new Error(`nginx: not a size: ${value}`);
  const unit = { k: 1_024, m: 1_048_576, g: 1_073_741_824 }[(match[2] ?? '').toLowerCase()] ?? 1;
  return Number(match[1]) * unit;
}
