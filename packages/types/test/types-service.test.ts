// The language service a kernel holds: no worker until the first query, warm after it, and
// edits reach it as deltas. (The worker runs from dist/: the test suite builds first.)
import { type Executor, startInProcessKernel } from "@kernelkit/core";
import { afterEach, describe, expect, it } from "vitest";
import { createTypesService, type TypesService } from "../src/index.ts";

const echo: Executor = {
  name: "echo",
  language: "javascript",
  async execute(cell) {
    return cell.code.length;
  },
};

const services: TypesService[] = [];
afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.dispose()));
});

describe("the types language service in a kernel", () => {
  it("starts no worker while cells run and code executes, and one on the first completion", async () => {
    const service = createTypesService();
    services.push(service);
    const { client, closed } = await startInProcessKernel({
      executor: echo,
      languageService: service,
      typescript: true,
    });
    await client.request({
      type: "set_cells",
      cells: [
        { id: "a", code: "const rows = [{ amount: 1 }];" },
        { id: "b", code: "rows.length" },
      ],
      run: true,
    });
    await client.request({ type: "execute", code: "1 + 1" });
    expect(service.startedWorkers).toBe(0);

    const reply = await client.request({ type: "complete", code: "rows.fil", cursorPos: 8, cellId: "b" });
    expect(reply).toMatchObject({ type: "complete_reply", cursorStart: 5, cursorEnd: 8 });
    expect((reply.matches as { text: string }[]).map((m) => m.text)).toEqual(["fill", "filter"]);
    expect(service.startedWorkers).toBe(1);

    // An edit of the defining cell reaches the warm worker (no second worker).
    await client.request({ type: "set_cells", cells: [{ id: "a", code: "const rows = 'text';" }] });
    const after = await client.request({ type: "complete", code: "rows.toUpp", cursorPos: 10, cellId: "b" });
    expect((after.matches as { text: string }[]).map((m) => m.text)).toEqual(["toUpperCase"]);
    expect(service.startedWorkers).toBe(1);
    client.close();
    await closed;
  }, 60_000);
});
