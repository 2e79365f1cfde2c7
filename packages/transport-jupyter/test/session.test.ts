// A scripted jupyter_client session per language (test/py/session.py), the way a front-end
// drives a kernel: execute, interrupts by message and by SIGINT (the heartbeat answering while
// the loop blocks), output that arrives while a synchronous loop prints, stdin, restart, shutdown.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HAVE_JUPYTER, installSpecs, runPy, type Specs } from "./jupyter-env.ts";

describe.runIf(HAVE_JUPYTER)("a jupyter_client session", () => {
  let specs: Specs;
  beforeAll(() => {
    specs = installSpecs();
  });
  afterAll(() => specs?.cleanup());

  for (const language of ["javascript", "typescript", "python"]) {
    it(`drives kernelkit-${language}: execute, interrupt (message and signal; hb answers meanwhile), output while a loop prints, input, restart, shutdown`, async () => {
      const r = await runPy("session.py", [`kernelkit-${language}`], specs.env);
      expect(r.code, r.stderr).toBe(0);
      const s = r.json;
      expect(s.define).toBe("ok");
      expect(s.print).toBe("hello 42\n");
      expect(s.heartbeat_while_blocked).toBe(true);
      expect(s.interrupt_message).toMatchObject({ status: "error" });
      expect(s.after_message).toBe("42");
      expect(s.interrupt_signal).toMatchObject({ status: "error" });
      expect(s.after_signal).toBe("42");
      expect(s.live_output).toBe("released");
      expect(s.input).toEqual({ status: "ok", prompts: ["who? "], text: "hi kernelkit\n" });
      expect(s.restarted).toBe(true);
      expect(s.after_restart).toBe(language === "python" ? "False" : "'undefined'");
      expect(s.left_behind).toEqual([]);
    }, 120_000);
  }
});
