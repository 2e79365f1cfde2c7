// Flow control between the main thread and the I/O thread, in a SharedArrayBuffer so each
// side can see how far behind the other is without a round trip.

/** Int32 slot: characters of requests posted to the main thread and not yet taken. */
export const FLOW_INBOUND = 0;
/** Int32 slot: characters of frames posted to the I/O thread and not yet written. */
export const FLOW_OUTBOUND = 1;
/**
 * Int32 slot: 1 while some connection has more than half of maxBufferedBytes unwritten. The main
 * thread waits on it, so a client that reads slower than a cell prints slows the cell down
 * instead of being cut off; one that makes no progress for stallMs is cut off.
 */
export const FLOW_PEER_FULL = 2;
export const FLOW_SLOTS = 3;

/** Above this the I/O thread stops reading sockets until the main thread catches up. */
export const INBOUND_HIGH_WATER = 64 * 1024 * 1024;
/** Above this the main thread waits (like a terminal that is full) until the I/O thread catches up. */
export const OUTBOUND_HIGH_WATER = 32 * 1024 * 1024;
