import { LineCounter, parseDocument } from 'yaml';
import type { core } from 'zod';

import { KNOWN_KEYS, Metadata } from './metadata-schema';
import { YamlLines } from './yaml-lines';

/** A problem inside metadata.yaml; the caller adds the command and the file. */
export interface MetadataIssue {
  line?: number;
  message: string;
}

export type MetadataResult =
  { ok: true; metadata: Metadata } | { ok: false; issues: MetadataIssue[] };

/**
 * Parses and validates the text of one metadata.yaml. Every issue found is returned, each at
 * its line, so one edit can fix them all.
 */
export function parseMetadata(text: string): MetadataResult {
  const counter = new LineCounter();
  // Duplicate keys are errors (the yaml default): with two `timeout:` lines, which one counts is a
  // guess.
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false });
  const lines = new YamlLines(doc, counter);

  if (doc.errors.length > 0) {
    return {
      ok: false,
      issues: doc.errors.map((error) => ({
        line: lines.lineAt(error.pos[0]),
        message: `invalid YAML: ${error.message}`,
      })),
    };
  }
  const value: unknown = doc.toJS();
  if (value === null || value === undefined) {
    return {
      ok: false,
      issues: [{ message: 'the file is empty; it needs at least help.summary' }],
    };
  }

  const parsed = Metadata.safeParse(value);
  if (parsed.success) return { ok: true, metadata: parsed.data };
  const issues = parsed.error.issues.flatMap((issue) => describeIssue(issue, lines));
  issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return { ok: false, issues };
}

function describeIssue(issue: core.$ZodIssue, lines: YamlLines): MetadataIssue[] {
  const path = issue.path.map((part) => (typeof part === 'symbol' ? String(part) : part));
  const where = path.join('.');
  if (issue.code === 'unrecognized_keys') {
    const known = KNOWN_KEYS[where] ?? [];
    return issue.keys.map((key) => ({
      line: lines.keyLine(path, key),
      message: `unknown key "${where ? `${where}.` : ''}${key}" (known: ${known.join(', ')})`,
    }));
  }
  // Messages of "required" issues already name the key; others get it in front.
  const message =
    issue.message.includes(' is required') || where === ''
      ? issue.message
      : `${where}: ${issue.message}`;
  return [{ line: lines.valueLine(path), message }];
}
