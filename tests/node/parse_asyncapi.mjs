// Parses an AsyncAPI document with @asyncapi/parser and prints its diagnostics as JSON lines
// (severity 0 is an error), then `document: ok` or `document: none`.
// Usage: node parse_asyncapi.mjs FILE
import { Parser } from '@asyncapi/parser';
import { readFileSync } from 'node:fs';

const parser = new Parser();
const { document, diagnostics } = await parser.parse(readFileSync(process.argv[2], 'utf8'));
for (const diagnostic of diagnostics) {
  console.log(JSON.stringify({
    severity: diagnostic.severity,
    code: diagnostic.code,
    message: diagnostic.message,
    path: diagnostic.path,
  }));
}
console.log(`document: ${document ? 'ok' : 'none'}`);
