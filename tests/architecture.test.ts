import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { promisify } from "node:util";

// The structure that lint holds (README "Architecture", CONTRIBUTING.md): layers import downwards
// only, a domain reaches another only through its service or index, and nothing imports in a circle.

const root = join(__dirname, "..");
const run = promisify(execFile);

/** Lints `code` as if it were the file at `path`, and answers the rules it breaks. */
async function lintAs(path: string, code: string): Promise<string[]> {
  const eslint = join(root, "node_modules", ".bin", "eslint");
  const linting = run(eslint, ["--stdin", "--stdin-filename", path, "--format", "json"], { cwd: root });
  linting.child.stdin?.end(code);
  // ESLint exits 1 when it finds problems: the report is on stdout either way.
  const { stdout } = await linting.catch((err: { stdout: string }) => ({ stdout: err.stdout }));
  const [report] = JSON.parse(stdout) as Array<{ messages: Array<{ ruleId: string }> }>;
  return report.messages.map((m) => m.ruleId);
}

describe("Architecture: the layers and domain boundaries that lint keeps", () => {
  it("refuses an import from the kernel up into a domain", async () => {
    expect(
      await lintAs("src/kernel/probe.ts", 'import { Purpose } from "../modules/catalog";\nexport const x = Purpose;\n'),
    ).toContain("import-x/no-restricted-paths");
  });

  it("lets a domain use another through its index or service, never its entities or helpers", async () => {
    const through =
      'import { ConsentReader } from "../consent";\nimport { ConsentService } from "../consent/consent.service";\nexport const x = [ConsentReader, ConsentService];\n';
    expect(await lintAs("src/modules/decisions/probe.ts", through)).toEqual([]);
    const behind = 'import { ConsentState } from "../consent/consent-state.entity";\nexport const x = ConsentState;\n';
    expect(await lintAs("src/modules/decisions/probe.ts", behind)).toContain("import-x/no-restricted-paths");
  });

  it("keeps peers apart: decisions may not import sharing", async () => {
    const peer = 'import { SharingService } from "../sharing/sharing.service";\nexport const x = SharingService;\n';
    expect(await lintAs("src/modules/decisions/probe.ts", peer)).toContain("import-x/no-restricted-paths");
  });

  it("has no import circle in src/, type imports included", () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (path.endsWith(".ts")) files.push(path);
      }
    };
    walk(join(root, "src"));
    const graph = new Map<string, string[]>();
    for (const file of files) {
      const deps: string[] = [];
      for (const match of readFileSync(file, "utf8").matchAll(/(?:from|import)\s*\(?\s*"(\.[^"]*)"/g)) {
        const base = resolve(dirname(file), match[1]);
        const target = [`${base}.ts`, join(base, "index.ts")].find((c) => existsSync(c) && statSync(c).isFile());
        if (target) deps.push(target);
      }
      graph.set(file, deps);
    }
    const cycles: string[] = [];
    const state = new Map<string, "open" | "done">();
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === "done") return;
      if (state.get(file) === "open") {
        cycles.push(
          path
            .slice(path.indexOf(file))
            .map((f) => relative(root, f))
            .join(" → "),
        );
        return;
      }
      state.set(file, "open");
      for (const dep of graph.get(file) ?? []) visit(dep, [...path, dep]);
      state.set(file, "done");
    };
    for (const file of graph.keys()) visit(file, [file]);
    expect(cycles).toEqual([]);
  });
});
