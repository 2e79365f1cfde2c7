// Wire protocol v1 (docs/protocol.md): request validation and frame shapes.
// Validation is a small table rather than a schema library because it runs on every
// request of the hot path; each failure names the offending field.

export { PROTOCOL_VERSION, VERSION } from "../contract/version.ts";

export interface BaseRequest {
  id: string;
  type: string;
}
export interface ExecuteRequest extends BaseRequest {
  type: "execute";
  code: string;
  silent?: boolean;
  storeHistory?: boolean;
  timeoutMs?: number;
  allowStdin?: boolean;
}
export interface CellSpec {
  id: string;
  code: string;
  name?: string | null;
  config?: { disabled?: boolean };
}
export interface SetCellsRequest extends BaseRequest {
  type: "set_cells";
  cells: CellSpec[];
  order?: string[];
  run?: boolean;
}
export interface DeleteCellsRequest extends BaseRequest {
  type: "delete_cells";
  cellIds: string[];
}
export interface RunCellsRequest extends BaseRequest {
  type: "run_cells";
  cellIds: string[];
}
export interface SetInputsRequest extends BaseRequest {
  type: "set_inputs";
  values: Record<string, unknown>;
}

export type ErrorReplyCode = "INVALID_REQUEST" | "UNKNOWN_COMMAND" | "INTERNAL";
export type ProtocolErrorCode = "INVALID_JSON" | "FRAME_TOO_LARGE";

export type Validation =
  | { ok: true; request: BaseRequest & Record<string, unknown> }
  | { ok: false; id: string | null; message: string };

type Check = (value: unknown, path: string) => string | null;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const str: Check = (v, p) => (typeof v === "string" ? null : `field '${p}' must be a string`);
const bool: Check = (v, p) => (typeof v === "boolean" ? null : `field '${p}' must be a boolean`);
const nonNegative: Check = (v, p) =>
  typeof v === "number" && Number.isFinite(v) && v >= 0 ? null : `field '${p}' must be a non-negative number`;
const strings: Check = (v, p) => {
  if (!Array.isArray(v)) return `field '${p}' must be an array of strings`;
  for (let i = 0; i < v.length; i++)
    if (typeof v[i] !== "string") return `field '${p}[${i}]' must be a string`;
  return null;
};
const cursor: Check = (v, p) =>
  typeof v === "number" && Number.isInteger(v) && v >= 0
    ? null
    : `field '${p}' must be a non-negative integer`;
const detailLevel: Check = (v, p) => (v === 0 || v === 1 ? null : `field '${p}' must be 0 or 1`);
const object: Check = (v, p) => (isObject(v) ? null : `field '${p}' must be an object`);
const optional =
  (check: Check): Check =>
  (v, p) =>
    v === undefined ? null : check(v, p);
const cells: Check = (v, p) => {
  if (!Array.isArray(v)) return `field '${p}' must be an array of cells`;
  const seen = new Set<string>();
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    const at = `${p}[${i}]`;
    if (!isObject(c)) return `field '${at}' must be an object`;
    const e =
      str(c.id, `${at}.id`) ??
      str(c.code, `${at}.code`) ??
      (c.name === undefined || c.name === null ? null : str(c.name, `${at}.name`)) ??
      optional(object)(c.config, `${at}.config`) ??
      (isObject(c.config) ? optional(bool)(c.config.disabled, `${at}.config.disabled`) : null);
    if (e) return e;
    if (seen.has(c.id as string)) return `field '${at}.id' repeats id '${c.id}'`;
    seen.add(c.id as string);
  }
  return null;
};

/**
 * Every request type that takes an id (`exit` is handled by the listen loop), with the checks
 * of its fields: the one list of request types (RequestType and REQUEST_TYPES derive from it).
 */
const SCHEMA_TABLE = {
  kernel_info: {},
  execute: {
    code: str,
    silent: optional(bool),
    storeHistory: optional(bool),
    timeoutMs: optional(nonNegative),
    allowStdin: optional(bool),
  },
  provide_input: { inputId: str, value: str },
  set_cells: { cells, order: optional(strings), run: optional(bool) },
  delete_cells: { cellIds: strings },
  run_cells: { cellIds: strings },
  set_inputs: { values: object },
  interrupt: {},
  shutdown: {},
  complete: { code: str, cursorPos: cursor, cellId: optional(str) },
  inspect: { code: str, cursorPos: cursor, detailLevel: optional(detailLevel), cellId: optional(str) },
  is_complete: { code: str },
} satisfies Record<string, Record<string, Check>>;

export type RequestType = keyof typeof SCHEMA_TABLE;

/** Every request type of docs/protocol.md that takes an id. */
export const REQUEST_TYPES = Object.keys(SCHEMA_TABLE) as readonly RequestType[];

/** The checks of each request type as [field, check] pairs, built once (this runs on every request). */
const SCHEMAS = new Map<string, readonly (readonly [string, Check])[]>(
  Object.entries(SCHEMA_TABLE).map(([type, fields]) => [type, Object.entries(fields)]),
);

/**
 * Checks a parsed message. Unknown types pass (the router answers UNKNOWN_COMMAND);
 * `exit` needs no id.
 */
export function validateRequest(msg: unknown): Validation {
  if (!isObject(msg)) return { ok: false, id: null, message: "a request must be a JSON object" };
  const id = typeof msg.id === "string" ? msg.id : null;
  if (typeof msg.type !== "string") return { ok: false, id, message: "field 'type' must be a string" };
  if (msg.type === "exit") return { ok: true, request: msg as BaseRequest & Record<string, unknown> };
  if (id === null) {
    return {
      ok: false,
      id: null,
      message: msg.id === undefined ? "field 'id' is required" : "field 'id' must be a string",
    };
  }
  const schema = SCHEMAS.get(msg.type);
  if (schema) {
    for (let i = 0; i < schema.length; i++) {
      const [field, check] = schema[i]!;
      const problem = check(msg[field], field);
      if (problem) return { ok: false, id, message: problem };
    }
  }
  return { ok: true, request: msg as BaseRequest & Record<string, unknown> };
}

/**
 * Whether a frame of this type ends the request it answers (every request gets exactly one
 * terminal frame; docs/protocol.md): `done`, `run_done`, any `*_reply`, and — when the request
 * is given — `graph` answering a `set_cells` without `run`. The one place this rule lives;
 * clients and transports call it.
 */
export function isTerminalFrame(type: string, request?: { type?: unknown; run?: unknown }): boolean {
  if (type === "done" || type === "run_done" || type.endsWith("_reply")) return true;
  return type === "graph" && request?.type === "set_cells" && request.run !== true;
}

/**
 * Parses one message. JSON.parse defines `__proto__` as an own property, never as a
 * prototype; consumers copy request data with defineProperty/Map, never Object.assign.
 */
export function parseMessage(text: string): unknown {
  return JSON.parse(text);
}
