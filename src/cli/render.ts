// Text for people: a hop table, the verdict in colour, and every blocker with what to change.
// Colour only on a terminal, and never with NO_COLOR.
import type { DigResult, Explanation, Hop, Trace } from "../analysis/types.js";

const useColor = (): boolean => !process.env["NO_COLOR"] && (process.env["FORCE_COLOR"] !== undefined || process.stdout.isTTY === true);
const paint = (code: number) => (s: string): string => (useColor() ? `\x1b[${code}m${s}\x1b[0m` : s);
export const green = paint(32);
export const red = paint(31);
export const yellow = paint(33);
export const dim = paint(2);
export const bold = paint(1);

const MARK: Record<Hop["verdict"], () => string> = { pass: () => green("✔"), block: () => red("✘"), info: () => dim("·") };

function hopLines(hops: Hop[]): string[] {
  const width = Math.min(28, Math.max(8, ...hops.map((h) => h.component.type.length)));
  return hops.map((h) => {
    const who = `${h.component.name ? `${h.component.name} ` : ""}${dim(h.component.id)}`;
    return `  ${MARK[h.verdict]()} ${h.component.type.padEnd(width)} ${who}\n      ${h.detail}`;
  });
}

function explanationLines(list: Explanation[], mark: string): string[] {
  return list.flatMap((e) => [
    `  ${mark} ${bold(e.code)}  ${e.component.type} ${e.component.name ? `${e.component.name} ` : ""}${dim(e.component.id)}`,
    `      ${e.message}`,
    ...(e.fix ? [`      ${yellow("fix:")} ${e.fix}`] : []),
  ]);
}

export function renderTrace(t: Trace, label: string): string {
  const dest = `${t.destination.host ?? t.destination.ip}${t.destination.host ? ` (${t.destination.ip || "unresolved"})` : ""} ${t.destination.protocol === "icmp" ? "icmp" : `${t.destination.protocol}/${t.destination.port}`}`;
  const lines = [bold(`trace ${label} → ${dest}`), "", "forward", ...hopLines(t.forward)];
  if (t.return.length) lines.push("", t.returnComplete ? "return" : `return ${dim("(partial: the forward path stopped short; these checks apply on the way back all the same)")}`, ...hopLines(t.return));
  lines.push("", t.reachable ? green(bold("REACHABLE")) : red(bold(`NOT REACHABLE: ${t.explanations.length} setting${t.explanations.length === 1 ? "" : "s"} block${t.explanations.length === 1 ? "s" : ""} this path`)));
  lines.push(...explanationLines(t.explanations, red("✘")));
  if (t.notes.length) lines.push("", "notes", ...explanationLines(t.notes, dim("•")));
  return lines.join("\n");
}

/** Like dig's answer section, with where the answer came from. */
export function renderDig(d: DigResult, label: string): string {
  const lines = [`; <<>> vpclab dig <<>> ${d.name} from ${label}`, `;; SERVER: ${d.resolver}`, `;; status: ${d.status}`, "", ";; ANSWER SECTION:"];
  for (const a of d.answers) lines.push(`${a.name}.\t${a.ttl}\tIN\t${a.type}\t${a.value}`);
  if (d.answers.length === 0) lines.push(dim(";; (no answer)"));
  const src = d.source.kind === "none" ? "" : `${d.source.kind}${d.source.component ? ` ${d.source.component.id}` : ""}${d.source.zone ? ` zone ${d.source.zone}` : ""}`;
  if (src) lines.push("", `;; answered by: ${src}`);
  lines.push(...explanationLines(d.explanations, red("✘")));
  if (d.notes.length) lines.push(...explanationLines(d.notes, dim("•")));
  return lines.join("\n");
}
