// `serve --channel-fd N` (how KernelClient starts kernels) with a built-in loaded by name: the
// channel check once left Node's resolver unable to load any plugin package afterwards.
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { CLI, tempDir } from "../helpers/cli.ts";

it("serve --channel-fd 3 --executor python loads the python executor and answers on fd 3", async () => {
  const dir = tempDir();
  const nb = join(dir, "nb.py");
  writeFileSync(nb, "# %% a\nx = 1\n");
  const child = spawn(process.execPath, [CLI, "serve", "--channel-fd", "3", "--executor", "python", nb], {
    cwd: dir,
    stdio: ["ignore", "pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const channel = child.stdio[3] as unknown as NodeJS.ReadWriteStream;
  let text = "";
  channel.setEncoding("utf8");
  const reply = new Promise<Record<string, unknown>>((resolve, reject) => {
    channel.on("data", (d: string) => {
      text += d;
      const line = text.split("\n").find((l) => l.includes("kernel_info_reply"));
      if (line) resolve(JSON.parse(line));
    });
    child.on("close", (code) => reject(new Error(`serve exited ${code} before answering:\n${stderr}`)));
  });
  channel.write(`${JSON.stringify({ id: "1", type: "kernel_info" })}\n`);
  const r = await reply;
  expect(r.executor).toEqual({ name: "python" });
  channel.write(`${JSON.stringify({ id: "2", type: "shutdown" })}\n`);
  await new Promise((resolve) => child.on("close", resolve));
});
