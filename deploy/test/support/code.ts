import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listFiles, readRepoFile, repoPath } from './repo';

/** The workspace projects a program is built from: its app and every lib it depends on. */
export function projectsOf(app: string): string[] {
  const seen = new Set<string>();
  const visit = (dir: string) => {
    if (seen.has(dir)) return;
    seen.add(dir);
    const pkg = JSON.parse(readRepoFile(dir, 'package.json')) as {
      dependencies?: Record<string, string>;
    };
    for (const dep of Object.keys(pkg.dependencies ?? {})) {
      const name = dep.replace(/^@switchboard\//, '');
      if (name === dep) continue;
      for (const root of ['libs', 'apps'])
        if (existsSync(repoPath(root, name, 'package.json'))) visit(`${root}/${name}`);
    }
  };
  visit(app);
  return [...seen];
}

const ENV_READ = [
  // env.NAME, env?.NAME, process.env.NAME
  /\benv\??\.([A-Z][A-Z0-9_]*)\b/g,
  // env['NAME'], env["NAME"]
  /\benv\[['"]([A-Z][A-Z0-9_]*)['"]\]/g,
  // names read through a list or a helper: required('NATS_URL'), ['FANOUT', ...]
  /['"]([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)['"]/g,
];

/**
 * The environment variables a program's code reads: its app's and its libs' sources (not
 * tests). A name counts when the code indexes an env object with it or names it as a string
 * constant (lists and helpers that look it up); names that only appear in comments do not.
 */
export function envReadBy(app: string): Set<string> {
  const names = new Set<string>();
  for (const project of projectsOf(app)) {
    const src = repoPath(project, 'src');
    for (const file of listFiles(src)) {
      if (!file.endsWith('.ts') || /\.spec\.ts$|test-support\//.test(file)) continue;
      const code = readFileSync(join(src, file), 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/^\s*\/\/.*$/gm, '');
      for (const pattern of ENV_READ) for (const m of code.matchAll(pattern)) names.add(m[1]);
    }
  }
  return names;
}

/** Paths a source file answers, from `@Get('x')` (NestJS) or `path === '/x'` (node:http). */
export function servedPaths(file: string): string[] {
  const code = readRepoFile(file);
  return [
    ...[...code.matchAll(/@Get\('([^']+)'\)/g)].map((m) => `/${m[1]}`),
    ...[...code.matchAll(/path === '(\/[^']*)'/g)].map((m) => m[1]),
  ];
}

/** The programs the image's entry point dispatches to (deploy/image/switchboard). */
export function imageCommands(): string[] {
  const script = readRepoFile('deploy/image/switchboard');
  return [...script.matchAll(/^\s+([a-z][a-z-]*)\) shift; exec /gm)].map((m) => m[1]);
}

/** The Dockerfile's named stages. */
export function dockerfileStages(): string[] {
  return [...readRepoFile('Dockerfile').matchAll(/^FROM \S+ AS (\S+)$/gim)].map((m) => m[1]);
}
