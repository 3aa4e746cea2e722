// Writes portal/js/api-types.js and its parts api-types-N.js: a JSDoc typedef for every schema of
// the OpenAPI document (openapi/scmp.json), so the portal's scripts are type-checked (tsc --checkJs) against the API
// they call. `node gen-types.mjs --check` fails when the checked-in files are not current.
import { existsSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const doc = JSON.parse(readFileSync(join(root, 'openapi', 'scmp.json'), 'utf8'));

/** The JSDoc type of a schema. */
function type(s) {
  if (!s) return '*';
  // Through the index, which names every type wherever its part is.
  if (s.$ref) return `import('./api-types.js').${s.$ref.split('/').pop()}`;
  if (s.oneOf) {
    const parts = s.oneOf.map(type);
    return parts.length > 1 ? `(${parts.join('|')})` : parts[0];
  }
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join('|');
  const t = Array.isArray(s.type) ? s.type : [s.type];
  const names = t.map((x) => {
    switch (x) {
      case 'string': return 'string';
      case 'integer': case 'number': return 'number';
      case 'boolean': return 'boolean';
      case 'null': return 'null';
      case 'array': return `Array<${type(s.items)}>`;
      case 'object': return s.additionalProperties ? `Object<string, ${type(s.additionalProperties)}>` : 'Object';
      default: return '*';
    }
  });
  return names.length > 1 ? `(${names.join('|')})` : names[0];
}

const header = [
  '// The API\'s types, for the portal\'s type check: generated from openapi/scmp.json by',
  '// tests/portal/gen-types.mjs (do not edit; run `node tests/portal/gen-types.mjs` after the',
  '// document changes). Type definitions only: nothing here runs.',
];
/** The typedef of one schema, as lines. */
function typedef(name, s) {
  const lines = [];
  const description = (s.description || '').replace(/\s*\n\s*/g, ' ');
  if (s.type === 'object' || s.properties) {
    lines.push(`/** ${description || name}`, ` * @typedef {Object} ${name}`);
    const required = new Set(s.required || []);
    for (const [p, ps] of Object.entries(s.properties || {})) {
      const doc1 = (ps.description || ps.oneOf?.find((o) => o.description)?.description || '').replace(/\s*\n\s*/g, ' ');
      const key = required.has(p) ? p : `[${p}]`;
      lines.push(` * @property {${type(ps)}} ${key}${doc1 ? ` ${doc1}` : ''}`);
    }
    lines.push(' */');
  } else {
    lines.push(`/** ${description || name}`, ` * @typedef {${type(s)}} ${name} */`);
  }
  return lines;
}

// The definitions go into parts of about PART_LINES lines each (api-types-1.js, ...), in name
// order; api-types.js names every type from its part, so the portal imports one file.
const PART_LINES = 500;
const parts = [[]];
const partOf = [];
for (const [name, s] of Object.entries(doc.components.schemas).sort(([a], [b]) => a.localeCompare(b))) {
  const def = typedef(name, s);
  if (parts[parts.length - 1].length + def.length > PART_LINES) parts.push([]);
  parts[parts.length - 1].push(...def);
  partOf.push([name, parts.length]);
}
const files = new Map();
parts.forEach((lines, i) => {
  files.set(`api-types-${i + 1}.js`, [...header, '', ...lines, 'export {};', ''].join('\n'));
});
files.set('api-types.js', [...header, `// Each is defined in one of api-types-1.js ... api-types-${parts.length}.js.`, '',
  ...partOf.map(([name, n]) => `/** @typedef {import('./api-types-${n}.js').${name}} ${name} */`),
  'export {};', ''].join('\n'));

const dir = join(root, 'portal', 'js');
if (process.argv.includes('--check')) {
  const present = readdirSync(dir).filter((f) => /^api-types(-\d+)?\.js$/.test(f));
  const stale = [...files].filter(([f, text]) => !existsSync(join(dir, f)) || readFileSync(join(dir, f), 'utf8') !== text)
    .map(([f]) => f)
    .concat(present.filter((f) => !files.has(f)));
  if (stale.length) {
    console.error(`portal/js/${stale.join(', ')} stale: run node tests/portal/gen-types.mjs`);
    process.exit(1);
  }
} else {
  for (const f of readdirSync(dir).filter((f) => /^api-types-\d+\.js$/.test(f) && !files.has(f))) unlinkSync(join(dir, f));
  for (const [f, text] of files) writeFileSync(join(dir, f), text);
}
