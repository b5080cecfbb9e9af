/**
 * Words that cannot name a variable in an ES module (strict mode), plus the global values a
 * declaration must not shadow. `add-*` makes an identifier from a name and refuses these.
 */
const RESERVED = new Set([
  ...['break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else', 'enum', 'export', 'extends'],
  ...['false', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof', 'new', 'null', 'return', 'super', 'switch', 'this'],
  ...['throw', 'true', 'try', 'typeof', 'var', 'void', 'while', 'with', 'yield', 'await', 'let', 'static', 'implements', 'interface'],
  ...['package', 'private', 'protected', 'public', 'arguments', 'eval', 'undefined', 'NaN', 'Infinity'],
]);

export function isReservedWord(identifier: string): boolean {
  return RESERVED.has(identifier);
}

/**
 * The names a TypeScript module binds: its imports, and every const, let, var, function, class
 * (and type-level) declaration at any depth. A regex scan, not a parser: it may list a name a
 * nested scope only shadows, which is the safe side for "is this name free?". Handlebars
 * placeholders are skipped, so a template lists the names it declares around the generated ones.
 */
export function declaredNames(source: string): Set<string> {
  // Comments go (their prose is full of "function" and "type"); a `//` after a `:` is a URL's.
  const code = source
    .replace(/\{\{\{?[^}]*\}?\}\}/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/(^|\s)\/\/.*$/gm, '$1');
  const names = new Set<string>();
  const IMPORT = /\bimport\s+(?:type\s+)?(?:([\w$]+)\s*,?\s*)?(?:\*\s*as\s+([\w$]+)|\{([^}]*)\})?\s*from\b/g;
  for (const [, defaultName, namespace, list] of code.matchAll(IMPORT)) {
    for (const name of [defaultName, namespace, ...bindingsIn(list)]) if (name !== undefined && name !== 'type') names.add(name);
  }
  for (const [, object, array, single] of code.matchAll(/\b(?:const|let|var)\s+(?:\{([^}]*)\}|\[([^\]]*)\]|([\w$]+))/g)) {
    for (const name of [single, ...bindingsIn(object ?? array)]) if (name !== undefined) names.add(name);
  }
  for (const [, name] of code.matchAll(/\b(?:function\*?|class|enum|interface|type|namespace)\s+([\w$]+)/g)) if (name !== undefined) names.add(name);
  return names;
}

/** `a, b as c, type d, e: f = 1, ...g` → a, c, d, f, g: the local name of each item of a braced list. */
function bindingsIn(list: string | undefined): string[] {
  if (list === undefined) return [];
  return list
    .split(',')
    .map((item) => item.split('=')[0]?.split(/\s+as\s+|:/).pop()?.replace(/^\s*(?:type\s+|\.\.\.)?/, '').trim() ?? '')
    .filter((name) => /^[A-Za-z_$][\w$]*$/.test(name));
}
