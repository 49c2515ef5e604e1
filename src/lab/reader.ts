// Typed reading of a parsed YAML lab file, tracking the key path of every value so that errors
// can point at the exact line and key. A few clear lines instead of a schema library.

export type Path = (string | number)[];

export class LabError extends Error {
  constructor(readonly path: Path, message: string, readonly code?: string) {
    super(message);
    this.name = "LabError";
  }
}

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function obj(v: unknown, path: Path, allowed?: readonly string[]): Obj {
  if (v === undefined || v === null) return {};
  if (!isObj(v)) throw new LabError(path, "expected a mapping (key: value)");
  if (allowed) {
    for (const k of Object.keys(v)) {
      if (!allowed.includes(k)) throw new LabError([...path, k], `unknown key '${k}'; expected one of: ${allowed.join(", ")}`);
    }
  }
  return v;
}

export function str(o: Obj, key: string, path: Path): string;
export function str(o: Obj, key: string, path: Path, optional: true): string | undefined;
export function str(o: Obj, key: string, path: Path, optional = false): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) {
    if (optional) return undefined;
    throw new LabError([...path, key], `missing required key '${key}'`);
  }
  if (typeof v === "number") return String(v);
  if (typeof v !== "string") throw new LabError([...path, key], `'${key}' must be a string`);
  return v;
}

export function bool(o: Obj, key: string, path: Path): boolean | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "boolean") throw new LabError([...path, key], `'${key}' must be true or false`);
  return v;
}

export function num(o: Obj, key: string, path: Path): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v)) throw new LabError([...path, key], `'${key}' must be a whole number`);
  return v;
}

export function strList(o: Obj, key: string, path: Path): string[] {
  const v = o[key];
  if (v === undefined || v === null) return [];
  if (typeof v === "string") return [v];
  if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) throw new LabError([...path, key], `'${key}' must be a list of names`);
  return v;
}

export function list(o: Obj, key: string, path: Path): unknown[] | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw new LabError([...path, key], `'${key}' must be a list`);
  return v as unknown[];
}

/** `443`, `"1024-65535"`, `all` -> a port range; undefined for protocols without ports. */
export function ports(o: Obj, path: Path): { from: number; to: number } | undefined {
  const v = o["ports"] ?? o["port"];
  const key = o["ports"] !== undefined ? "ports" : "port";
  if (v === undefined || v === null) return undefined;
  if (v === "all") return { from: 0, to: 65535 };
  const m = typeof v === "number" ? [String(v), String(v), String(v)] : typeof v === "string" ? /^(\d+)(?:-(\d+))?$/.exec(v) : null;
  if (!m) throw new LabError([...path, key], `'${key}' must be a port (443), a range (1024-65535) or 'all'`);
  const from = Number(m[1]);
  const to = Number(m[2] ?? m[1]);
  if (from > 65535 || to > 65535 || from > to) throw new LabError([...path, key], `invalid port range ${JSON.stringify(v)}`);
  return { from, to };
}
