// The stdio transport passes the transport conformance kit over a pair of named pipes.
// Its I/O thread is loaded from dist/ (`npm test` builds first).
import { describeTransportConformance, fifoHarness } from "@kernelkit/conformance";
import { createStdioTransport } from "@kernelkit/transport-stdio";

describeTransportConformance(
  "stdio",
  fifoHarness(({ inFd, outFd, maxFrameBytes }) =>
    createStdioTransport({
      inFd,
      outFd,
      signalInterrupts: false,
      ...(maxFrameBytes ? { maxFrameBytes } : {}),
    }),
  ),
);
