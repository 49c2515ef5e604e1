// Reads an AWS Query request (form fields such as `TagSpecification.1.Tag.1.Key=Name`) into a
// plain typed object by walking the operation's input shape. EC2 lists are flat (`Name.N`);
// other Query services wrap them (`Name.member.N`) and maps (`Name.entry.N.key`). Anything the
// shape does not know is UnknownParameter, a value of the wrong type InvalidParameterValue and a
// missing required member MissingParameter, all as AWS answers them.
import { AwsError } from "../model/errors.js";
import { type MemberRef, type Protocol, type ServiceModel, type Shape, fieldName, shapeOf } from "./shapes.js";

/** Form fields split on dots into a tree, so that each shape reads only its own subtree. */
interface Node { value?: string; children: Map<string, Node>; used: boolean }

function newNode(): Node {
  return { children: new Map(), used: false };
}

export function fieldTree(params: Iterable<[string, string]>): Node {
  const root = newNode();
  for (const [key, value] of params) {
    let node = root;
    for (const part of key.split(".")) {
      let next = node.children.get(part);
      if (!next) node.children.set(part, (next = newNode()));
      node = next;
    }
    node.value = value;
  }
  return root;
}

/** The name a member goes by on the wire in a request. */
function wireName(protocol: Protocol, name: string, ref: MemberRef): string {
  if (protocol === "ec2") {
    if (ref.queryName) return ref.queryName;
    if (ref.locationName) return ref.locationName.charAt(0).toUpperCase() + ref.locationName.slice(1);
    return name;
  }
  return ref.locationName ?? name;
}

export type Parsed = string | number | boolean | Parsed[] | { [k: string]: Parsed };

class Reader {
  constructor(readonly model: ServiceModel, readonly protocol: Protocol) {}

  scalar(shape: Shape, node: Node, path: string): Parsed {
    const text = node.value ?? "";
    node.used = true;
    const bad = (): AwsError => new AwsError("InvalidParameterValue", `Value (${text}) for parameter ${path} is invalid. Expected: '${shape.type}'.`);
    switch (shape.type) {
      case "integer":
      case "long": {
        if (!/^-?\d+$/.test(text.trim())) throw bad();
        const n = Number(text);
        if (!Number.isSafeInteger(n)) throw bad();
        return n;
      }
      case "double":
      case "float": {
        const n = Number(text);
        if (text.trim() === "" || !Number.isFinite(n)) throw bad();
        return n;
      }
      case "boolean": {
        const t = text.toLowerCase();
        if (t !== "true" && t !== "false") throw bad();
        return t === "true";
      }
      case "timestamp": {
        const t = new Date(/^\d+(\.\d+)?$/.test(text) ? Number(text) * 1000 : Date.parse(text));
        // Out of the Date range (epoch seconds in the billions of years) is as bad as unreadable.
        if (Number.isNaN(t.getTime())) throw bad();
        return t.toISOString();
      }
      default:
        return text;
    }
  }

  read(shapeName: string, node: Node, path: string): Parsed {
    const shape = shapeOf(this.model, shapeName);
    switch (shape.type) {
      case "structure": return this.structure(shape, node, path);
      case "list": return this.list(shape, node, path);
      case "map": return this.map(shape, node, path);
      default:
        if (node.children.size > 0) throw unknownParameter(`${path}.${[...node.children.keys()][0] ?? ""}`);
        return this.scalar(shape, node, path);
    }
  }

  structure(shape: Shape, node: Node, path: string): { [k: string]: Parsed } {
    node.used = true;
    const out: { [k: string]: Parsed } = {};
    for (const [name, ref] of Object.entries(shape.members ?? {})) {
      const wire = wireName(this.protocol, name, ref);
      const child = node.children.get(wire);
      if (!child) continue;
      out[fieldName(name)] = this.read(ref.shape, child, path ? `${path}.${wire}` : wire);
    }
    for (const name of shape.required ?? []) {
      if (!(fieldName(name) in out)) {
        const ref = shape.members?.[name];
        const wire = ref ? wireName(this.protocol, name, ref) : name;
        throw new AwsError("MissingParameter", `The request must contain the parameter ${path ? `${path}.${wire}` : wire}`);
      }
    }
    return out;
  }

  list(shape: Shape, node: Node, path: string): Parsed[] {
    // EC2 takes a list only as Name.N: `VpcId=vpc-1` is not its parameter, and must not read as
    // an empty list (which would describe everything).
    if (this.protocol === "ec2" && node.value !== undefined && node.value !== "" && node.children.size === 0) throw unknownParameter(path);
    node.used = true;
    let items = node;
    if (this.protocol === "query" && !shape.flattened) {
      // `Name=` with no members is how botocore sends an empty list.
      if (node.children.size === 0) return [];
      const wrapper = shape.member?.locationName ?? "member";
      const inner = node.children.get(wrapper);
      if (!inner) throw unknownParameter(`${path}.${[...node.children.keys()][0] ?? ""}`);
      inner.used = true;
      items = inner;
    }
    const indexes = [...items.children.keys()].map((k) => {
      if (!/^[1-9]\d{0,4}$/.test(k)) throw unknownParameter(`${path}.${k}`);
      return Number(k);
    }).sort((a, b) => a - b);
    // AWS reads list items in index order; gaps (Name.1, Name.3) are tolerated as it does.
    return indexes.map((i) => this.read(shape.member!.shape, items.children.get(String(i))!, `${path}.${i}`));
  }

  map(shape: Shape, node: Node, path: string): { [k: string]: Parsed } {
    node.used = true;
    const entries = shape.flattened ? node : node.children.get("entry");
    const out: { [k: string]: Parsed } = {};
    if (!entries) return out;
    entries.used = true;
    const keyName = shape.key?.locationName ?? "key";
    const valueName = shape.value?.locationName ?? "value";
    for (const [i, entry] of entries.children) {
      entry.used = true;
      const k = entry.children.get(keyName);
      const v = entry.children.get(valueName);
      if (!k || !v) throw new AwsError("MissingParameter", `The request must contain the parameter ${path}.entry.${i}.${k ? valueName : keyName}`);
      k.used = true;
      out[k.value ?? ""] = this.read(shape.value!.shape, v, `${path}.entry.${i}.${valueName}`);
    }
    return out;
  }
}

function unknownParameter(name: string): AwsError {
  return new AwsError("UnknownParameter", `The parameter ${name} is not recognized`);
}

function firstUnused(node: Node, path: string): string | undefined {
  for (const [key, child] of node.children) {
    const here = path ? `${path}.${key}` : key;
    if (!child.used) return here;
    const deeper = firstUnused(child, here);
    if (deeper) return deeper;
  }
  return undefined;
}

/** Fields every Query request may carry besides the operation's own members. */
const ENVELOPE = new Set(["Action", "Version", "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Security-Token", "AWSAccessKeyId", "SignatureMethod", "SignatureVersion", "Signature", "Timestamp"]);

/** Parses the operation's input. Throws AwsError for anything a client got wrong. */
export function parseInput(model: ServiceModel, operation: string, params: Iterable<[string, string]>): { [k: string]: Parsed } {
  const tree = fieldTree(params);
  for (const key of ENVELOPE) {
    const n = tree.children.get(key);
    if (n) n.used = true;
  }
  const inputShape = model.operations[operation]?.input?.shape;
  const reader = new Reader(model, model.metadata.protocol);
  const out = inputShape ? reader.structure(shapeOf(model, inputShape), tree, "") : {};
  const unused = firstUnused(tree, "");
  if (unused) throw unknownParameter(unused);
  return out;
}
