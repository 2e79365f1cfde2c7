// The transport against kernelkit's conformance kit: the kit plays the kernel and a client
// writes to the transport through a pair of named pipes.
import { describeTransportConformance, fifoHarness } from "@kernelkit/conformance";
import { createTransport } from "../src/transport.ts";

describeTransportConformance(
  "__NAME__",
  fifoHarness(({ inFd, outFd, maxFrameBytes }) =>
    createTransport({ inFd, outFd, signalInterrupts: false, ...(maxFrameBytes ? { maxFrameBytes } : {}) }),
  ),
);
