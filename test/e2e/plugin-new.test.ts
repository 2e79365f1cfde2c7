// `kernelkit new KIND NAME` writes a package whose own tests (the conformance kit) pass as
// generated, and which `kernelkit plugins --check` lists as ok once it is a dependency.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, tempDir } from "../helpers/cli.ts";
import { projectUsing, runPackageTests, scaffold } from "../helpers/scaffold.ts";

const KINDS: [kind: string, name: string, extra: string[]][] = [
  ["executor", "echo", []],
  ["executor", "sh", ["--language", "shell", "--extension", ".sh"]],
  ["lifecycle", "budget", []],
  ["scheduler", "fifo", []],
  ["transport", "pipes", []],
];

describe("kernelkit new", () => {
  for (const [kind, name, extra] of KINDS) {
    it(`${kind} ${name}${extra.length ? ` ${extra.join(" ")}` : ""}: its tests pass as generated and plugins --check says ok`, () => {
      const { dir, pkg, cli } = scaffold([kind, name, ...extra]);
      expect(cli.code, cli.stderr).toBe(0);
      expect(cli.stdout).toContain(`Created ${pkg}`);
      const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
      expect(manifest.kernelkit.api).toBe("^1.0.0");
      expect(manifest.peerDependencies["@kernelkit/core"]).toMatch(/^\^/);
      expect(Object.keys(manifest.kernelkit.entryPoints[kind])).toEqual([name]);
      if (extra.includes("--language"))
        expect(manifest.kernelkit.languages).toEqual({
          shell: { extensions: [".sh"], lineComment: "#", mimetype: "text/x-shell" },
        });

      const tests = runPackageTests(dir);
      expect(tests.code, tests.output.slice(-4000)).toBe(0);
      expect(tests.output).toMatch(new RegExp(`${kind} conformance ${name}: tier 1 passed`));

      const project = projectUsing(pkg, dir);
      const check = runCli(["plugins", "--check", "--json"], { cwd: project });
      expect(check.code, check.stderr).toBe(0);
      const entry = JSON.parse(check.stdout).entryPoints.find((e: { name: string }) => e.name === name);
      expect(entry).toMatchObject({ group: kind, package: pkg, status: "compatible", check: "ok" });
    }, 600_000);
  }

  it("refuses an unknown kind, a bad name, and a folder that is not empty, each with a coded hint", () => {
    const cwd = tempDir("kk-new-bad-");
    const kind = runCli(["new", "widget", "x"], { cwd });
    expect(kind.code).toBe(2);
    expect(kind.stderr).toMatch(
      /KK_USAGE: unknown plugin kind 'widget'\n {2}hint: Use one of: executor, lifecycle, scheduler, transport/,
    );
    const name = runCli(["new", "lifecycle", "Bad Name"], { cwd });
    expect(name.code).toBe(2);
    expect(name.stderr).toContain("is not a plugin name");
    mkdirSync(join(cwd, "taken"));
    writeFileSync(join(cwd, "taken", "keep.txt"), "mine");
    const taken = runCli(["new", "scheduler", "fifo", "--dir", "taken"], { cwd });
    expect(taken.code).toBe(2);
    expect(taken.stderr).toMatch(/taken exists and is not empty\n {2}hint: Choose another folder with --dir/);
    expect(readFileSync(join(cwd, "taken", "keep.txt"), "utf8")).toBe("mine");
    const lang = runCli(["new", "lifecycle", "x", "--language", "shell"], { cwd });
    expect(lang.code).toBe(2);
    expect(lang.stderr).toContain("--language is for executors");
  });
});
