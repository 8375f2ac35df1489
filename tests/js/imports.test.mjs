// The admin page's ES modules import one another without cycles and only files that exist
// (static/js/*.js), run by `node --test tests/js/`. A module that must tell others something
// emits an event through state.js's hub instead of importing them.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";

const PAGE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../static/js");

// A static import or re-export: `import x, { a as b } from "./m.js"`, `import * as m from "./m.js"`,
// `export { a } from "./m.js"`, `export * from "./m.js"`, and `import "./m.js"`. The clause before
// `from` holds only names, braces, commas and stars, so code such as `export function f(` is no match.
const FROM_IMPORT = /^[ \t]*(?:import|export)\s+[\w$\s{},*]*?\bfrom\s*(["'])([^"'\n]+)\1/gm;
const BARE_IMPORT = /^[ \t]*import\s*(["'])([^"'\n]+)\1/gm;

/** The text without its comments, so a commented-out import counts for nothing. Block comments
 * go first; a line comment must start its line or follow whitespace (a URL's `//` does not). */
function withoutComments(source) {
  return source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|\s)\/\/.*$/gm, "$1");
}

/** The specifiers a module imports statically, in the order written. */
export function importSpecifiers(source) {
  const text = withoutComments(source);
  const found = [];
  for (const pattern of [FROM_IMPORT, BARE_IMPORT]) {
    for (const match of text.matchAll(pattern)) found.push({ at: match.index, specifier: match[2] });
  }
  return found.sort((a, b) => a.at - b.at).map((item) => item.specifier);
}

/** Every module reachable from the *.js files of `dir`, as { graph: Map(file → [file]), problems }.
 * A problem is an import that is not a relative path or names a file that does not exist. */
export function importGraph(dir) {
  const graph = new Map();
  const problems = [];
  const pending = readdirSync(dir).filter((name) => name.endsWith(".js")).sort().map((name) => join(dir, name));
  while (pending.length) {
    const file = pending.shift();
    if (graph.has(file)) continue;
    const targets = [];
    for (const specifier of importSpecifiers(readFileSync(file, "utf8"))) {
      const name = relative(dir, file);
      if (!/^\.\.?\//.test(specifier)) {
        problems.push(`${name} imports "${specifier}", which is not a relative path (no build step resolves it)`);
        continue;
      }
      const target = resolve(dirname(file), specifier);
      if (!existsSync(target)) {
        problems.push(`${name} imports "${specifier}", which does not exist`);
        continue;
      }
      targets.push(target);
      pending.push(target);
    }
    graph.set(file, targets);
  }
  return { graph, problems };
}

/** The first import cycle found, as the list of files from one module round to itself, or null. */
export function findCycle(graph) {
  const DONE = 2;
  const ON_PATH = 1;
  const mark = new Map();
  const path = [];
  function visit(file) {
    mark.set(file, ON_PATH);
    path.push(file);
    for (const next of graph.get(file) || []) {
      if (mark.get(next) === ON_PATH) return [...path.slice(path.indexOf(next)), next];
      if (mark.get(next) !== DONE) {
        const cycle = visit(next);
        if (cycle) return cycle;
      }
    }
    path.pop();
    mark.set(file, DONE);
    return null;
  }
  for (const file of [...graph.keys()].sort()) {
    if (!mark.has(file)) {
      const cycle = visit(file);
      if (cycle) return cycle;
    }
  }
  return null;
}

function cycleText(cycle, dir) {
  return cycle.map((file) => relative(dir, file)).join(" → ");
}

describe("the page's modules", () => {
  const { graph, problems } = importGraph(PAGE_DIR);

  test("are all read, main.js among them", () => {
    assert.ok(graph.size >= 10, `only ${graph.size} modules found in ${PAGE_DIR}`);
    assert.ok(graph.get(join(PAGE_DIR, "main.js")).length >= 5, "main.js imports almost nothing: is the parser blind?");
  });

  test("import only files that exist, by relative path", () => {
    assert.deepEqual(problems, []);
  });

  test("import one another without a cycle", () => {
    const cycle = findCycle(graph);
    assert.ok(cycle === null, cycle && `import cycle: ${cycleText(cycle, PAGE_DIR)}`);
  });
});

describe("importSpecifiers", () => {
  test("finds every form of static import and re-export, across lines", () => {
    const source = [
      'import { a,', '  b } from "./one.js";', "import two from './two.js';", 'import * as three from "./three.js";',
      'import four, { c as d } from "./four.js";', 'import "./five.js";', 'export { e } from "./six.js";',
      'export * from "./seven.js";',
    ].join("\n");
    assert.deepEqual(importSpecifiers(source),
      ["./one.js", "./two.js", "./three.js", "./four.js", "./five.js", "./six.js", "./seven.js"]);
  });

  test("keeps an import whose line ends in a comment with a URL", () => {
    assert.deepEqual(importSpecifiers('import { a } from "./a.js"; // see http://example.com/a\n'), ["./a.js"]);
  });

  test("ignores comments, strings, dynamic imports and code that merely says from", () => {
    const source = [
      '// import { a } from "./commented.js";', '/* import { b } from "./blocked.js"; */',
      'const url = "http://example.com/x"; import { c } from "./inline.js";',
      'export function from2(x) { return x; }', 'export const text = "import { d } from \\"./text.js\\"";',
      'const lazy = import("./lazy.js");', 'export function f() {', '  return g(from, "./not.js");', "}",
    ].join("\n");
    assert.deepEqual(importSpecifiers(source), []);
  });
});

describe("importGraph and findCycle", () => {
  const dir = mkdtempSync(join(tmpdir(), "page-imports-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name, text) => writeFileSync(join(dir, name), text);

  test("name the cycle, the missing file and the bare specifier", () => {
    write("a.js", 'import { b } from "./b.js";\nimport "./gone.js";\n');
    write("b.js", 'import { c } from "./c.js";\nimport x from "left-pad";\n');
    write("c.js", 'import { a } from "./a.js";\n');
    write("d.js", 'import { b } from "./b.js";\n');
    const { graph, problems } = importGraph(dir);

    assert.deepEqual(problems, [
      'a.js imports "./gone.js", which does not exist',
      'b.js imports "left-pad", which is not a relative path (no build step resolves it)',
    ]);
    assert.equal(cycleText(findCycle(graph), dir), "a.js → b.js → c.js → a.js");
  });

  test("a module importing itself is a cycle; a diamond is not", () => {
    assert.deepEqual(findCycle(new Map([["s", ["s"]]])), ["s", "s"]);
    const diamond = new Map([["top", ["left", "right"]], ["left", ["bottom"]], ["right", ["bottom"]], ["bottom", []]]);
    assert.equal(findCycle(diamond), null);
  });
});
