// The stdio transport passes the transport conformance kit over a pair of named pipes: with the
// main thread reading (the default on pipes and sockets) and with the I/O thread reading
// everything (what terminals and files get). Its I/O thread is loaded from dist/ (`npm test`
// builds first).
import { describeTransportConformance, fifoHarness } from "@kernelkit/conformance";
import { createStdioTransport } from "@kernelkit/transport-stdio";

for (const mainThreadReads of [true, false]) {
  describeTransportConformance(
    mainThreadReads ? "stdio" : "stdio (I/O thread reads)",
    fifoHarness(({ inFd, outFd, maxFrameBytes }) =>
      createStdioTransport({
        inFd,
        outFd,
        signalInterrupts: false,
        mainThreadReads,
        ...(maxFrameBytes ? { maxFrameBytes } : {}),
      }),
    ),
  );
}
