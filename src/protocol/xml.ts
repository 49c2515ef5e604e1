// Writes results and errors as AWS's XML by walking the operation's output shape. EC2 responses
// have no Result wrapper and list items are <item> inside an xxxSet element; other Query
// services wrap the members in <ActionResult> and list items are <member>. Only members the
// model knows are written, so vpclab-internal fields on a resource never reach the wire.
import { XMLBuilder } from "fast-xml-parser";
import { type MemberRef, type ServiceModel, type Shape, fieldName, shapeOf } from "./shapes.js";

type XmlNode = string | { [k: string]: XmlNode | XmlNode[] };

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: "@_", suppressEmptyNode: true });

function scalarText(shape: Shape, value: unknown): string {
  if (shape.type === "timestamp") {
    const d = value instanceof Date ? value : new Date(String(value));
    return Number.isNaN(d.getTime()) ? String(value) : d.toISOString();
  }
  if (shape.type === "boolean") return value ? "true" : "false";
  return String(value);
}

class Writer {
  constructor(readonly model: ServiceModel) {}

  /** The XML for one value of a shape; undefined when there is nothing to write. */
  value(shapeName: string, value: unknown): XmlNode | undefined {
    if (value === undefined || value === null) return undefined;
    const shape = shapeOf(this.model, shapeName);
    if (shape.type === "structure") return this.structure(shape, value as Record<string, unknown>);
    if (shape.type === "list") {
      const items = (value as unknown[]).map((v) => this.value(shape.member!.shape, v) ?? "");
      return items.length === 0 ? "" : { [shape.member?.locationName ?? "member"]: items };
    }
    if (shape.type === "map") {
      const entries = Object.entries(value as Record<string, unknown>).map(([k, v]): XmlNode => ({
        [shape.key?.locationName ?? "key"]: k,
        [shape.value?.locationName ?? "value"]: this.value(shape.value!.shape, v) ?? "",
      }));
      return entries.length === 0 ? "" : { entry: entries };
    }
    return scalarText(shape, value);
  }

  structure(shape: Shape, value: Record<string, unknown>): { [k: string]: XmlNode | XmlNode[] } {
    const out: { [k: string]: XmlNode | XmlNode[] } = {};
    for (const [name, ref] of Object.entries(shape.members ?? {})) {
      const v = value[fieldName(name)];
      if (v === undefined || v === null) continue;
      this.member(out, name, ref, v);
    }
    return out;
  }

  private member(out: { [k: string]: XmlNode | XmlNode[] }, name: string, ref: MemberRef, v: unknown): void {
    const shape = shapeOf(this.model, ref.shape);
    if (shape.type === "list" && (shape.flattened || ref.flattened)) {
      // A flattened list repeats the member's own element instead of wrapping items.
      const tag = shape.member?.locationName ?? ref.locationName ?? name;
      out[tag] = (v as unknown[]).map((item) => this.value(shape.member!.shape, item) ?? "");
      return;
    }
    const node = this.value(ref.shape, v);
    if (node !== undefined) out[ref.locationName ?? name] = node;
  }
}

/** A successful response body. `result` is keyed by the output shape's member names, first letter lowercased. */
export function renderResult(model: ServiceModel, operation: string, result: unknown, requestId: string): string {
  const writer = new Writer(model);
  const outName = model.operations[operation]?.output?.shape;
  // EC2 actions without an output shape still answer <return>true</return> on the wire.
  const members = outName ? writer.structure(shapeOf(model, outName), (result ?? {}) as Record<string, unknown>) : model.metadata.protocol === "ec2" ? { return: "true" } : {};
  const xmlns = `${model.metadata.xmlNamespace ?? ""}/`.replace(/\/+$/, "/");
  const body = model.metadata.protocol === "ec2"
    ? { "@_xmlns": xmlns, requestId, ...members }
    : { "@_xmlns": xmlns, [`${operation}Result`]: members, ResponseMetadata: { RequestId: requestId } };
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build({ [`${operation}Response`]: body })}`;
}

/** An error body: EC2's Response/Errors/Error, or the Query services' ErrorResponse. */
export function renderError(model: ServiceModel, code: string, message: string, requestId: string, status: number): string {
  const body = model.metadata.protocol === "ec2"
    ? { Response: { Errors: { Error: { Code: code, Message: message } }, RequestID: requestId } }
    : {
      ErrorResponse: {
        "@_xmlns": `${model.metadata.xmlNamespace ?? ""}/`.replace(/\/+$/, "/"),
        Error: { Type: status >= 500 ? "Receiver" : "Sender", Code: code, Message: message },
        RequestId: requestId,
      },
    };
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build(body)}`;
}
